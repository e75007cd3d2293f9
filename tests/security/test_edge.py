"""Every answer goes through the same edge, whatever its route or none (issue 11 point 4):
security headers, a correlation id, the size limits and one access-log line, for 404s,
405s and CORS preflights too."""
from __future__ import annotations

import logging
import re

import pytest

from tests.web.support import FRONTEND

PREFLIGHT = {"Origin": FRONTEND, "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "authorization"}
CASES = [
    pytest.param("GET", "/no-such-path", {}, b"", 404, id="unknown-path"),
    pytest.param("DELETE", "/me", {}, b"", 405, id="method-not-allowed"),
    pytest.param("POST", "/.well-known/jwks.json", {}, b"", 405, id="post-to-a-get-route"),
    pytest.param("OPTIONS", "/me", PREFLIGHT, b"", 204, id="cors-preflight"),
    pytest.param("OPTIONS", "/no-such-path", PREFLIGHT, b"", None, id="preflight-unknown-path"),
    pytest.param("GET", "/no-such-path?q=" + "a" * 5000, {}, b"", 414, id="long-query-unknown-path"),
    pytest.param("GET", "/no-such-path", {"X-Big": "b" * 20000}, b"", 431, id="big-header-unknown-path"),
    pytest.param("POST", "/no-such-path", {"Content-Type": "application/json"}, b"[" * 70000, 413,
                 id="big-body-unknown-path"),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), CASES)
async def test_every_answer_goes_through_the_edge(service, caplog, method, path, headers, body, status):
    caplog.set_level(logging.INFO, logger="azure_signin.access")
    browser, _ = service
    answer = await browser.client.request(method, path, headers=headers, content=body)
    if status is not None:
        assert answer.status_code == status
    assert answer.status_code < 500
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in answer.headers["cache-control"]
    correlation = answer.headers["x-correlation-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", correlation)
    lines = [r.getMessage() for r in caplog.records if r.name == "azure_signin.access"]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{method} {path.split('?')[0]} {answer.status_code} ")
    assert lines[0].endswith(f"[{correlation}]") and "?" not in lines[0]


async def test_a_preflight_from_an_origin_not_allowed_gets_no_cors_grant_but_the_edge(service):
    browser, _ = service
    answer = await browser.client.options("/me", headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert answer.headers.get("access-control-allow-origin") in (None, "")
    assert answer.headers["x-correlation-id"] and answer.headers["x-frame-options"] == "DENY"


async def test_correlation_ids_differ_per_request(service):
    browser, _ = service
    seen = {(await browser.client.get("/no-such-path")).headers["x-correlation-id"] for _ in range(3)}
    assert len(seen) == 3


async def test_a_refused_query_is_not_echoed_in_the_answer(service):
    browser, _ = service
    answer = await browser.client.get("/login/aad", params={"uri": "/x" + "s3cr3t" * 400})
    assert answer.status_code == 400
    assert "s3cr3t" not in answer.text and answer.json()["error"] == "invalid_request"


async def _edge_receives(headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, list[str]]:
    """Run the edge alone around a recording app: how many times the edge itself called
    `receive` before the app ran, and what the app was handed."""
    from entrypoints.web.middleware import edge

    calls = {"edge": 0}
    seen: list[str] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        calls["edge"] += 1
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def app(scope, app_receive, send):
        before = calls["edge"]
        message = await app_receive()
        seen.append(f"{before}:{message.get('body', b'')!r}")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def send(message):
        if message["type"] == "http.response.start":
            seen.append(str(message["status"]))

    scope = {"type": "http", "method": "GET", "path": "/x", "query_string": b"", "headers": headers}
    await edge(app)(scope, receive, send)
    return calls["edge"], seen


async def test_the_edge_skips_reading_a_body_the_request_declares_none_of():
    """A GET without Content-Length or Transfer-Encoding has no body (RFC 9112 6.3): the
    edge hands the server's own `receive` to the app instead of reading it first."""
    _, seen = await _edge_receives([(b"host", b"x")], b"")
    assert seen == ["0:b''", "200"]
    _, seen = await _edge_receives([(b"content-length", b"0")], b"")
    assert seen == ["0:b''", "200"]


async def test_the_edge_still_reads_and_checks_a_declared_body():
    _, seen = await _edge_receives([(b"content-length", b"2"), (b"content-type", b"application/json")],
                                   b"{}")
    assert seen == ["1:b'{}'", "200"]
    _, seen = await _edge_receives([(b"transfer-encoding", b"chunked"),
                                    (b"content-type", b"application/json")], b"[" * 70000)
    assert seen == ["413"]
