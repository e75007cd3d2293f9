"""docs/examples/protected_api.py, started as its docstring says
(`uvicorn docs.examples.protected_api:app`), in front of a real `serve` process on
PostgreSQL and Redis with the demo data: alice (editor of workspace 1) reads the notes, bob
(viewer) is refused, no token is 401, and alice's logout is honoured within a second."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.reliability.processes import Process, base_env, free_port
from tests.reliability.test_processes import Seen, login

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def test_the_example_resource_server_against_the_service(start_service, sandbox_process, tmp_path):
    service, _ = start_service()
    port = free_port()
    env = base_env(SIGNIN_URL=service, SIGNIN_ISSUER="http://localhost:8000")  # the public URL
    example = Process([sys.executable, "-m", "uvicorn", "docs.examples.protected_api:app",
                       "--port", str(port)], env, tmp_path / "example.log", ROOT).start()
    api = f"http://127.0.0.1:{port}"
    try:
        example.wait_for(f"{api}/hello")
        alice = login(service, service, sandbox_process, "alice@contoso.com", "aad", Seen())
        bob = login(service, service, sandbox_process, "bob@example.org", "b2c", Seen())
        with httpx.Client(base_url=api, timeout=10) as client:
            def get(path: str, token: str | None) -> httpx.Response:
                return client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})

            assert get("/hello", alice).json() == {"email": "alice@contoso.com"}
            notes = get("/workspaces/1/notes", alice)
            assert notes.status_code == 200 and notes.json()["workspace"] == 1
            assert get("/workspaces/1/notes", bob).status_code == 403
            assert get("/workspaces/2/notes", alice).status_code == 403
            none = get("/workspaces/1/notes", None)
            assert none.status_code == 401
            assert none.headers["www-authenticate"] == 'Bearer error="invalid_token"'

            out = httpx.post(f"{service}/logout", headers={"Authorization": f"Bearer {alice}"})
            assert out.status_code == 200
            logged_out = time.monotonic()
            # each route's verdict is its own (a workspace role, or none): every one must turn
            # within the one-second bound, not necessarily at the same moment
            for path in ("/workspaces/1/notes", "/hello"):
                while get(path, alice).status_code == 200:
                    assert time.monotonic() - logged_out < 1.0, f"{path}: logout not honoured in 1 s"
                    time.sleep(0.02)
                assert time.monotonic() - logged_out < 1.0
                assert get(path, alice).status_code == 401
    finally:
        example.stop()
    assert alice not in example.output()
