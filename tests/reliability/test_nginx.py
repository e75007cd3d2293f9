"""A real nginx (`auth_request`) in front of a tiny upstream, asking `/auth/verify` of a
`serve` process (issue 12 acceptance): a valid token reaches the upstream with the
`X-Auth-Request-*` headers passed on; a missing or revoked token gets 401 from nginx and
never reaches the upstream; an unmet role requirement gets 403."""
from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.reliability.processes import free_port
from tests.reliability.redis_server import require_tool
from tests.reliability.test_processes import Seen, login

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

PASS_IDENTITY = """
        auth_request_set $signin_user $upstream_http_x_auth_request_user;
        auth_request_set $signin_email $upstream_http_x_auth_request_email;
        auth_request_set $signin_session $upstream_http_x_auth_request_session;
        auth_request_set $signin_workspaces $upstream_http_x_auth_request_workspaces;
        proxy_set_header X-Auth-Request-User $signin_user;
        proxy_set_header X-Auth-Request-Email $signin_email;
        proxy_set_header X-Auth-Request-Session $signin_session;
        proxy_set_header X-Auth-Request-Workspaces $signin_workspaces;
        proxy_set_header Authorization "";
"""

CONFIG = """
daemon off;
user root;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /_verify {{
            internal;
            proxy_pass {service}/auth/verify;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URI $request_uri;
        }}
        location = /_verify_editor_of_1 {{
            internal;
            proxy_pass {service}/auth/verify?workspace=1&role=editor;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}
        location /editors/ {{
            auth_request /_verify_editor_of_1;
            {identity}
            proxy_pass http://127.0.0.1:{upstream};
        }}
        location / {{
            auth_request /_verify;
            {identity}
            proxy_pass http://127.0.0.1:{upstream};
        }}
    }}
}}
"""


class Upstream:
    """Answers 200 with the headers it got, and remembers every request it saw."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                body = json.dumps(seen[-1]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    try:
        yield server
    finally:
        server.close()


def start_nginx(folder: Path, service: str, upstream: Upstream) -> tuple[str, subprocess.Popen[bytes]]:
    binary = require_tool("nginx")
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(CONFIG.format(dir=folder, port=port, service=service,
                                    upstream=upstream.port, identity=PASS_IDENTITY))
    log = (folder / "nginx.out").open("wb")
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(config)], stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("nginx exited: " + (folder / "nginx.out").read_text(errors="replace"))
        try:
            httpx.get(base + "/", timeout=2)
            return base, process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not answer")


@pytest.fixture
def nginx(tmp_path, start_service, upstream) -> Iterator[tuple[str, str]]:
    service, _ = start_service()
    folder = tmp_path / "nginx"
    folder.mkdir()
    base, process = start_nginx(folder, service, upstream)
    try:
        yield base, service
    finally:
        process.terminate()
        process.wait(10)


def test_a_valid_token_reaches_the_upstream_with_the_identity(nginx, upstream, sandbox_process):
    base, service = nginx
    token = login(service, service, sandbox_process, "alice@contoso.com", "aad", Seen())
    forged = {"Authorization": f"Bearer {token}", "X-Auth-Request-User": "someone-else",
              "X-Auth-Request-Workspaces": "1:owner"}
    answer = httpx.get(f"{base}/notes/7", headers=forged, timeout=10)
    assert answer.status_code == 200, answer.text
    seen = upstream.seen[-1]
    direct = httpx.get(f"{service}/auth/verify", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert seen["path"] == "/notes/7"
    assert seen["x-auth-request-user"] == direct.headers["x-auth-request-user"]
    assert seen["x-auth-request-email"] == "alice@contoso.com"
    assert seen["x-auth-request-session"] == direct.headers["x-auth-request-session"]
    assert seen["x-auth-request-workspaces"] == "1:editor"
    assert "authorization" not in seen  # the token goes no further than the edge
    editors = httpx.get(f"{base}/editors/board", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert editors.status_code == 200 and upstream.seen[-1]["path"] == "/editors/board"


def test_a_missing_forged_or_revoked_token_gets_401_and_never_reaches_the_upstream(
    nginx, upstream, sandbox_process
):
    base, service = nginx
    token = login(service, service, sandbox_process, "alice@contoso.com", "aad", Seen())
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"X-Auth-Request-User": "alice"}):
        assert httpx.get(f"{base}/notes/1", headers=headers, timeout=10).status_code == 401
    assert upstream.seen == []
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{base}/notes/1", headers=auth, timeout=10).status_code == 200
    assert httpx.post(f"{service}/logout", headers=auth, timeout=10).status_code == 200
    reached = len(upstream.seen)
    refused = httpx.get(f"{base}/notes/2", headers=auth, timeout=10)
    assert refused.status_code == 401
    assert len(upstream.seen) == reached


def test_an_unmet_role_gets_403_from_nginx(nginx, upstream, sandbox_process):
    base, service = nginx
    bob = login(service, service, sandbox_process, "bob@example.org", "b2c", Seen())  # viewer of 1
    auth = {"Authorization": f"Bearer {bob}"}
    assert httpx.get(f"{base}/editors/board", headers=auth, timeout=10).status_code == 403
    assert upstream.seen == []
    assert httpx.get(f"{base}/notes/1", headers=auth, timeout=10).status_code == 200
