"""Several stateless service processes sharing PostgreSQL and Redis (issue 7 acceptance):
a login started on one completes on another, a logout on one is felt on the other within
the one-second revocation bound (at once on the process that logged out), and no process
prints a code, state, cookie value or token."""
from __future__ import annotations

import json
import re
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.web.support import FRONTEND

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@dataclass
class Seen:
    """Every secret value the browser saw, to look for in the processes' output."""

    values: set[str] = field(default_factory=set)

    def add(self, *values: str | None) -> None:
        self.values.update(v for v in values if v and len(v) >= 8)


def login(start_at: str, finish_at: str, sandbox, username: str, provider: str, seen: Seen) -> str:
    base, ca, _ = sandbox
    verify = ssl.create_default_context(cafile=str(ca))
    with httpx.Client(follow_redirects=False, timeout=30) as browser, \
            httpx.Client(verify=verify, follow_redirects=False, timeout=30) as to_microsoft:
        answer = browser.get(f"{start_at}/login/aad", params={"frontendHost": FRONTEND, "provider": provider})
        assert answer.status_code == 302, answer.text
        seen.add(*(c.value for c in browser.cookies.jar))
        authorize = answer.headers["location"]
        seen.add(parse_qs(urlsplit(authorize).query)["state"][0])
        form = to_microsoft.post(authorize, data={"username": username, "action": "signin"})
        reply = dict(parse_qs(urlsplit(form.headers["location"]).query))
        reply = {k: v[0] for k, v in reply.items()}
        seen.add(reply.get("code"), reply.get("state"), reply.get("session_state"))
        final = browser.get(f"{finish_at}/redirect?{urlencode(reply)}")
    location = final.headers["location"]
    assert location.startswith(FRONTEND), location
    token = parse_qs(urlsplit(location).fragment)["access_token"][0]
    seen.add(token)
    return token


def me(service: str, token: str) -> httpx.Response:
    return httpx.get(f"{service}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_login_moves_between_processes_and_logout_is_felt_everywhere(start_service, sandbox_process):
    first, _ = start_service()
    second, _ = start_service()
    seen = Seen()
    token = login(first, second, sandbox_process, "alice@contoso.com", "aad", seen)
    assert me(first, token).status_code == 200
    body = me(second, token).json()
    assert {m["role"] for m in body["memberships"]} == {"editor"}
    out = httpx.post(f"{first}/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert out.status_code == 200
    assert me(first, token).status_code == 401  # the process that logged out knows at once
    deadline = time.monotonic() + 1.0
    while me(second, token).status_code != 401:
        assert time.monotonic() < deadline, "the other process still accepts the token after 1 s"
        time.sleep(0.05)


JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def test_no_process_prints_a_code_state_cookie_or_token(start_service, sandbox_process):
    # the redaction holds in both log formats: A writes text lines, B JSON objects
    first, service_a = start_service()
    second, service_b = start_service(SIGNIN_LOG_FORMAT="json")
    seen = Seen()
    alice = login(first, second, sandbox_process, "alice@contoso.com", "aad", seen)
    bob = login(second, first, sandbox_process, "bob@example.org", "b2c", seen)
    refreshed = httpx.post(f"{first}/auth/refresh", headers={"Authorization": f"Bearer {alice}"}, timeout=10)
    seen.add(refreshed.json()["access_token"])
    for service, token in ((first, alice), (second, bob)):
        httpx.post(f"{service}/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert len(seen.values) >= 10
    outputs = {
        "service A": service_a.output(),
        "service B": service_b.output(),
        "sandbox": sandbox_process[2].output(),
    }
    assert "/redirect" in outputs["service A"] + outputs["service B"]  # the logs were captured
    lines = [json.loads(line) for line in outputs["service B"].splitlines() if line.strip()]
    assert {"login_succeeded", "logout"} <= {line["message"] for line in lines}
    for name, text in outputs.items():
        leaked = [v[:6] + "..." for v in seen.values if v in text]
        assert not leaked, f"{name} printed secret values starting {leaked}"
        assert not JWT.search(text), f"{name} printed something shaped like a JWT"
