"""Issue 18's acceptance against the sandbox, with the real MSAL adapter: a session follows
what happens to the account at Microsoft after the sign-in (disabled, tokens revoked,
Microsoft down, signed out at Microsoft)."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlsplit

import pytest

from tests.web.support import Browser

ALICE = "alice@contoso.com"
SHORT = {"SIGNIN_REVALIDATE_INTERVAL": "1", "SIGNIN_REVALIDATE_MAX_UNCONFIRMED": "60"}


@pytest.fixture(autouse=True)
def _fresh_sandbox(sandbox):
    """Directory changes made here must not leak into the next test."""
    sandbox.reset()
    yield
    sandbox.reset()


def security_events(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, object]]:
    found = []
    for record in caplog.records:
        if record.name == "azure_signin.security":
            data = json.loads(record.getMessage())
            if data["event"] == event:
                found.append(data)
    return found


async def refresh(browser: Browser, token: str):
    return await browser.client.post("/auth/refresh", headers={"Authorization": f"Bearer {token}"})


async def until(check, deadline: float = 20.0) -> bool:
    """Poll `check()` (async) until it is true, up to `deadline` seconds (no timing asserted)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if await check():
            return True
        await asyncio.sleep(0.2)
    return False


async def test_refresh_confirms_with_microsoft_and_keeps_working(service, sandbox):
    browser, _ = service
    landing = await browser.login(ALICE, "aad")
    sandbox.clear_requests()
    answer = await refresh(browser, landing.token)
    assert answer.status_code == 200
    assert [r["status"] for r in sandbox.requests("token")] == [200]  # the refresh token, redeemed
    assert (await browser.me(answer.json()["access_token"])).status_code == 200


@pytest.mark.parametrize("change", ["disable", "reset-password", "revoke-sessions"])
async def test_an_account_changed_at_microsoft_loses_its_session_at_the_next_refresh(
    service, sandbox, caplog, change
):
    caplog.set_level(logging.INFO, logger="azure_signin")
    browser, _ = service
    landing = await browser.login(ALICE, "aad")
    other = await browser.login("erin@contoso.com", "aad")
    time.sleep(0.01)  # the reset must come after the sign-in in the sandbox's clock
    sandbox.hook("POST", f"users/{ALICE}/{change}")
    answer = await refresh(browser, landing.token)
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_token"}
    assert (await browser.me(landing.token)).status_code == 401
    assert (await refresh(browser, other.token)).status_code == 200
    (closed,) = security_events(caplog, "session_closed")
    expected = {"disable": "account_disabled"}.get(change, "sessions_revoked")
    assert closed["reason"] == expected and closed["via"] == "refresh"
    assert closed["microsoft_code"] == ("AADSTS50057" if change == "disable" else "AADSTS50173")


async def test_a_b2c_account_disabled_at_microsoft_loses_its_session_at_the_next_refresh(service, sandbox):
    browser, _ = service
    landing = await browser.login("bob@example.org", "b2c")
    sandbox.hook("POST", "users/bob@example.org/disable")
    assert (await refresh(browser, landing.token)).status_code == 401
    assert (await browser.me(landing.token)).status_code == 401


async def test_a_disabled_account_loses_its_session_within_one_sweep_interval_without_refresh(
    make_service, sandbox, caplog
):
    caplog.set_level(logging.INFO, logger="azure_signin")
    async with make_service(**SHORT) as (browser, _):
        landing = await browser.login(ALICE, "aad")
        other = await browser.login("erin@contoso.com", "aad")
        sandbox.hook("POST", f"users/{ALICE}/disable")

        async def closed() -> bool:
            # the token is refused as soon as the sweep commits; its log line follows
            refused = (await browser.me(landing.token)).status_code == 401
            return refused and bool(security_events(caplog, "session_closed"))

        assert await until(closed), "the sweep never closed the disabled account's session"
        assert (await browser.me(other.token)).status_code == 200

        async def logged() -> bool:  # the sweep logs once its batch is done, after the close
            return bool(security_events(caplog, "session_closed"))

        assert await until(logged), "the sweep closed the session without saying so"
    events = security_events(caplog, "session_closed")
    assert [e["reason"] for e in events] == ["account_disabled"] and events[0]["via"] == "sweep"


async def test_microsoft_unreachable_during_a_sweep_keeps_the_session_and_logs_it(
    make_service, sandbox, caplog
):
    caplog.set_level(logging.INFO, logger="azure_signin")
    async with make_service(**SHORT) as (browser, _):
        landing = await browser.login(ALICE, "aad")
        sandbox.add_fault("token", status=503, count=1000)

        async def logged() -> bool:
            return bool(security_events(caplog, "session_unconfirmed"))

        assert await until(logged), "the sweep never tried while Microsoft was down"
        assert (await browser.me(landing.token)).status_code == 200
        sandbox.clear_faults()
    (first, *_) = security_events(caplog, "session_unconfirmed")
    assert first["reason"] == "microsoft_unreachable" and first["via"] == "sweep"
    assert security_events(caplog, "session_closed") == []


async def test_a_sign_out_at_microsoft_closes_exactly_the_sessions_of_that_sid(service, sandbox, caplog):
    caplog.set_level(logging.INFO)
    browser, _ = service
    first = await browser.login(ALICE, "aad")
    second = await browser.login(ALICE, "aad")
    erin = await browser.login("erin@contoso.com", "aad")
    urls = sandbox.hook("POST", f"users/{ALICE}/signout")["frontchannel"]
    assert len(urls) == 2
    paths = [urlsplit(u).path + "?" + urlsplit(u).query for u in urls]

    page = await browser.client.get(paths[0])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert policy == f"default-src 'none'; frame-ancestors {sandbox.base_url}"
    assert "x-frame-options" not in page.headers and page.headers["cache-control"] == "no-store"
    assert (await browser.me(first.token)).status_code == 401
    assert (await browser.me(second.token)).status_code == 200
    assert (await browser.me(erin.token)).status_code == 200

    again = await browser.client.get(paths[0])
    assert again.status_code == 200 and again.text == page.text  # safe to call twice
    await browser.client.get(paths[1])
    assert (await browser.me(second.token)).status_code == 401
    assert (await browser.me(erin.token)).status_code == 200
    sids = [urlsplit(u).query.split("sid=")[1] for u in urls]
    # Microsoft's session id never reaches a log line of the service at its log levels (the
    # test's own HTTP client logs the URLs it calls; the service is not that client)
    logged = "\n".join(
        r.getMessage() for r in caplog.records if not r.getMessage().startswith("HTTP Request: GET http://localhost:8000")
    )
    assert not any(sid in logged for sid in sids)


async def test_frontchannel_logout_without_sid_and_iss_is_a_bad_request(service):
    browser, _ = service
    for query in ("", "?sid=abc", "?iss=https://x/v2.0", "?sid=" + "s" * 300 + "&iss=https://x/v2.0"):
        answer = await browser.client.get("/logout/frontchannel" + query)
        assert answer.status_code == 400, query
        assert answer.headers["x-frame-options"] == "DENY"



@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)  # processes share PostgreSQL
async def test_several_processes_sweeping_at_once_ask_microsoft_once_per_session(make_service, sandbox):
    from datetime import UTC, datetime, timedelta

    from dependency_injector import providers

    from adapters.memory import ManualClock

    settings = {"SIGNIN_REVALIDATE_INTERVAL": "60", "SIGNIN_REVALIDATE_MAX_UNCONFIRMED": "600"}
    async with make_service(**settings) as (browser, operator):
        for username in (ALICE, ALICE, "erin@contoso.com", "bob@example.org"):
            provider = "b2c" if username.endswith("example.org") else "aad"
            assert (await browser.login(username, provider)).token
        later = ManualClock(datetime.now(UTC) + timedelta(seconds=61))
        sandbox.clear_requests()
        async with operator.container() as first, operator.container() as second:
            for container in (first, second):  # two processes, one minute later
                container.clock.override(providers.Object(later))
            results = await asyncio.gather(first.sweep_sessions()(), second.sweep_sessions()())
    swept = [r for rs in results for r in rs]
    assert len(swept) == 4 and len({r.session_id for r in swept}) == 4
    assert {r.verdict.value for r in swept} == {"confirmed"}
    assert [r["status"] for r in sandbox.requests("token")] == [200] * 4  # one renewal each
