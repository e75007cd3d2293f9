"""deploy/nginx/default.conf, the compose file's nginx configuration, run for real (Debian's
nginx) with only its addresses changed, in front of two `serve` replicas sharing PostgreSQL
and Redis and of a sample app: a login through nginx starts on one replica and ends on the
other; the token then opens the app through forward-auth; a logout through nginx is seen by
both replicas and closes the app to the token (issue 13, deployment topology)."""
from __future__ import annotations

import ssl
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.reliability.processes import Process, free_port
from tests.reliability.redis_server import require_tool
from tests.reliability.test_nginx import Upstream
from tests.web.support import FRONTEND
from tests.wheel_support import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
DEPLOYED = ROOT / "deploy" / "nginx" / "default.conf"

# What the official nginx image's /etc/nginx/nginx.conf gives around conf.d/*.conf, with
# this test's own folder for everything nginx writes.
MAIN = """
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
    include {dir}/default.conf;
}}
"""


def deployed_config(addresses: dict[str, str]) -> str:
    """The deployed file with each compose address replaced once (a renamed one fails here)."""
    text = DEPLOYED.read_text()
    for old, new in addresses.items():
        assert text.count(old) == 1, f"{old} should appear once in {DEPLOYED}"
        text = text.replace(old, new)
    return text


def _start_nginx(folder: Path, replicas: list[str], app: int) -> tuple[str, str, subprocess.Popen[bytes]]:
    binary = require_tool("nginx")
    service_port, app_port = free_port(), free_port()
    (folder / "default.conf").write_text(deployed_config({
        "server signin-1:8000": f"server {replicas[0]}",
        "server signin-2:8000": f"server {replicas[1]}",
        "server app:8080": f"server 127.0.0.1:{app}",
        "listen 80;": f"listen 127.0.0.1:{service_port};",
        "listen 8081;": f"listen 127.0.0.1:{app_port};",
    }))
    (folder / "nginx.conf").write_text(MAIN.format(dir=folder))
    log = (folder / "nginx.out").open("wb")
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf")], stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    service, app_base = f"http://127.0.0.1:{service_port}", f"http://127.0.0.1:{app_port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("nginx exited: " + (folder / "nginx.out").read_text(errors="replace"))
        try:
            httpx.get(service + "/health/live", timeout=2)
            return service, app_base, process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("nginx did not answer")


@pytest.fixture
def topology(tmp_path, start_service):
    replicas = [start_service(), start_service()]
    app = Upstream()
    folder = tmp_path / "nginx"
    folder.mkdir()
    addresses = [b.removeprefix("http://") for b, _ in replicas]
    service, app_base, nginx = _start_nginx(folder, addresses, app.port)
    try:
        yield service, app_base, replicas, app
    finally:
        nginx.terminate()
        nginx.wait(10)
        app.close()


def _which(replicas: list[tuple[str, Process]], line: str, seen_before: list[int]) -> int:
    """The replica whose log gained `line` (the access log names the path, never the query)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        counts = [sum(line in t for t in p.output().splitlines()) for _, p in replicas]
        grew = [i for i, (now, then) in enumerate(zip(counts, seen_before, strict=True)) if now > then]
        if grew:
            assert len(grew) == 1
            return grew[0]
        time.sleep(0.05)
    raise AssertionError(f"no replica logged {line!r}")


def _count(replicas: list[tuple[str, Process]], line: str) -> list[int]:
    return [sum(line in t for t in p.output().splitlines()) for _, p in replicas]


def test_a_login_through_nginx_moves_between_replicas_and_a_logout_is_seen_by_both(topology, sandbox_process):
    service, app_base, replicas, app = topology
    base, ca, _ = sandbox_process
    verify = ssl.create_default_context(cafile=str(ca))
    with httpx.Client(follow_redirects=False, timeout=30) as browser, \
            httpx.Client(verify=verify, follow_redirects=False, timeout=30) as to_microsoft:
        logins = _count(replicas, "GET /login/aad 302")
        started = browser.get(f"{service}/login/aad", params={"frontendHost": FRONTEND, "provider": "aad"})
        assert started.status_code == 302, started.text
        first = _which(replicas, "GET /login/aad 302", logins)
        form = to_microsoft.post(started.headers["location"],
                                 data={"username": "alice@contoso.com", "action": "signin"})
        reply = {k: v[0] for k, v in parse_qs(urlsplit(form.headers["location"]).query).items()}
        redirects = _count(replicas, "GET /redirect 302")
        finished = browser.get(f"{service}/redirect?{urlencode(reply)}")
        second = _which(replicas, "GET /redirect 302", redirects)
    assert first != second, "nginx sent the login's two halves to the same replica"
    location = finished.headers["location"]
    assert location.startswith(FRONTEND), location
    token = parse_qs(urlsplit(location).fragment)["access_token"][0]
    bearer = {"Authorization": f"Bearer {token}"}

    for replica, _ in replicas:  # the session is open everywhere
        assert httpx.get(f"{replica}/me", headers=bearer, timeout=10).status_code == 200
    opened = httpx.get(f"{app_base}/notes/1", headers={**bearer, "X-Auth-Request-User": "forged"}, timeout=10)
    assert opened.status_code == 200
    seen = app.seen[-1]
    assert seen["x-auth-request-email"] == "alice@contoso.com" and seen["x-auth-request-user"] != "forged"
    assert "authorization" not in seen

    out = httpx.post(f"{service}/logout", headers=bearer, timeout=10)
    assert out.status_code == 200
    deadline = time.monotonic() + 1.0
    for replica, _ in replicas:
        while httpx.get(f"{replica}/me", headers=bearer, timeout=10).status_code != 401:
            assert time.monotonic() < deadline, f"{replica} still accepts the token 1 s after the logout"
            time.sleep(0.05)
    reached = len(app.seen)
    for _ in range(2):  # through both replicas' /auth/verify (round robin)
        assert httpx.get(f"{app_base}/notes/2", headers=bearer, timeout=10).status_code == 401
    assert len(app.seen) == reached
