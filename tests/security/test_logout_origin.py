"""Logout closes the session whatever the origin says (issue 11 point 9): the origin only
decides where the browser goes afterwards, for POST and GET alike."""
from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.support import FRONTEND

VARIANTS = [
    pytest.param("http://evil.example", id="not-allowed"),
    pytest.param("https://localhost:3001", id="other-scheme"),
    pytest.param("http://localhost:3001.evil.example", id="suffix"),
    pytest.param("javascript:alert(1)", id="not-an-origin"),
    pytest.param("http://localhost:3001/path?x=1", id="with-path"),
    pytest.param("http://*.localhost:3001", id="wildcard"),
    pytest.param("http://localhost:3001\u0000", id="nul"),
    pytest.param("h" * 3000, id="long"),
    pytest.param("", id="empty"),
    pytest.param(None, id="missing"),
]


def _post_logout_target(url: str | None) -> list[str]:
    return parse_qs(urlsplit(url or "").query).get("post_logout_redirect_uri", [])


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("frontend_host", VARIANTS)
async def test_logout_revokes_first_whatever_the_origin(service, caplog, method, frontend_host):
    caplog.set_level(logging.INFO, logger="azure_signin.security")
    browser, _ = service
    token = (await browser.login("alice@contoso.com", "aad")).token
    params = {} if frontend_host is None else {"frontendHost": frontend_host}
    answer = await browser.client.request(
        method, "/logout", params=params, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "logged_out"
    assert _post_logout_target(answer.json()["end_session_url"]) == []  # not sent anywhere foreign
    assert (await browser.me(token)).status_code == 401  # the session is closed
    events = [json.loads(r.getMessage())["event"] for r in caplog.records
              if r.name == "azure_signin.security"]
    assert "logout" in events
    assert ("origin_refused" in events) is bool(frontend_host)


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_an_allowed_origin_becomes_the_post_logout_redirect(service, method):
    browser, _ = service
    token = (await browser.login("alice@contoso.com", "aad")).token
    answer = await browser.client.request(
        method, "/logout", params={"frontendHost": "HTTP://LOCALHOST:3001/"},
        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert _post_logout_target(answer.json()["end_session_url"]) == [FRONTEND + "/"]
    assert (await browser.me(token)).status_code == 401


async def test_repeated_frontend_host_still_logs_out(service):
    browser, _ = service
    token = (await browser.login("alice@contoso.com", "aad")).token
    answer = await browser.client.post(
        f"/logout?frontendHost={FRONTEND}&frontendHost=http://evil.example",
        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert "evil.example" not in (answer.json()["end_session_url"] or "")
    assert (await browser.me(token)).status_code == 401

