"""No log record of the service, before any redaction, carries a code, state, cookie value or
token: the redaction of `serve` is defence in depth, not what keeps the logs clean."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit


def _driver_line(record: logging.LogRecord) -> bool:
    """Lines of the test's own HTTP client: httpx's request lines to the service and to the
    sandbox's authorize form (the service makes neither kind of request), and httpcore's
    connection framing, which echoes the headers the driver receives. The service's own
    output, httpcore included, is checked whole by tests/reliability/test_processes.py."""
    message = record.getMessage()
    if record.name.startswith("httpcore"):
        return True
    return record.name.startswith("httpx") and (
        "http://localhost:8000" in message or "/authorize" in message
    )


async def test_full_journeys_log_no_secret(service, caplog):
    caplog.set_level(logging.DEBUG)
    browser, _ = service
    seen: set[str] = set()
    for username, provider in (("alice@contoso.com", "aad"), ("bob@example.org", "b2c")):
        landing = await browser.login(username, provider)
        seen.update(c.value for c in browser.client.cookies.jar)
        callback = parse_qs(urlsplit(landing.callback).query)
        seen.update(callback["code"] + callback["state"])
        seen.add(landing.token)
        await browser.client.post("/auth/refresh", headers={"Authorization": f"Bearer {landing.token}"})
        await browser.client.post("/logout", headers={"Authorization": f"Bearer {landing.token}"})
    replay = await browser.client.get(landing.callback, follow_redirects=False)
    assert "login_expired" in replay.headers["location"]
    seen = {v for v in seen if v and len(v) >= 8}
    records = [r for r in caplog.records if not _driver_line(r)]
    assert any(r.name == "azure_signin.access" for r in records)
    for record in records:
        text = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
        leaked = [v[:6] for v in seen if v in text]
        assert not leaked, f"{record.name} logged a secret: {leaked}"
        assert "eyJ" not in text, f"{record.name} logged something shaped like a JWT"
