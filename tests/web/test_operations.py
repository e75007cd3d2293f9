"""What an operator relies on: security events, readiness, failing closed when a dependency
is down, OpenAPI and CORS."""
from __future__ import annotations

import json
import logging
import socket
import time

from tests.hung_relay import HangingRelay
from tests.web.support import FRONTEND


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "azure_signin.security"]


async def test_security_events_name_reasons_and_hash_users(service, caplog):
    caplog.set_level(logging.INFO, logger="azure_signin.security")
    browser, _ = service
    alice = await browser.login("alice@contoso.com", "aad")
    await browser.login("mallory@evil.example", "aad")
    await browser.client.post("/logout", headers={"Authorization": f"Bearer {alice.token}"})
    await browser.me(alice.token)
    events = _events(caplog)
    kinds = [e["event"] for e in events]
    assert kinds == ["login_succeeded", "nOAuth_refused", "logout", "token_refused"]
    assert events[1]["reason"] == "account_conflict"
    assert all(e["correlation_id"] for e in events)
    text = json.dumps(events)
    assert "contoso.com" not in text and "evil.example" not in text
    assert events[0]["user"] == events[2]["user"]  # the same user hashes alike


async def test_ready_when_database_and_authorities_answer(service):
    browser, operator = service
    answer = await browser.client.get("/health/ready")
    assert answer.status_code == 200
    expected = {"database": "ok"}
    if operator.settings.redis_url:
        expected["redis"] = "ok"
    assert answer.json() == {
        "status": "ok", "checks": expected, "microsoft": {"aad": "ok", "b2c": "ok"}, "degraded": False,
    }
    assert (await browser.client.get("/health/live")).json() == {"status": "ok"}


async def test_microsoft_down_is_reported_as_degraded_never_as_unready(make_service):
    nowhere = f"https://localhost:{_closed_port()}/organizations"
    async with make_service(SIGNIN_AAD_AUTHORITY=nowhere) as (browser, _):
        answer = await browser.client.get("/health/ready")
        metrics = (await browser.client.get("/metrics")).text
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["degraded"] is True
    assert body["checks"]["database"] == "ok" and "aad" not in body["checks"]
    assert body["microsoft"]["aad"].startswith("failed") and body["microsoft"]["b2c"] == "ok"
    # and the metric says the same, per authority
    assert 'azure_signin_microsoft_up{authority="aad"} 0.0' in metrics
    assert 'azure_signin_microsoft_up{authority="b2c"} 1.0' in metrics


async def test_a_hung_microsoft_discovery_leaves_the_service_ready_and_answering(make_service, sandbox):
    relay = HangingRelay(("127.0.0.1", sandbox.port))  # accepts connections, answers nothing
    relay.hang()
    authority = f"https://localhost:{relay.address.rsplit(':', 1)[1]}/organizations"
    try:
        async with make_service(SIGNIN_AAD_AUTHORITY=authority, SIGNIN_HTTP_TIMEOUT="1") as (browser, _):
            bob = await browser.login("bob@example.org", "b2c")  # the other authority still signs in
            started = time.monotonic()
            hung = await browser.client.get("/health/ready")
            took = time.monotonic() - started
            me = await browser.me(bob.token)
    finally:
        relay.close()
    assert hung.status_code == 200, hung.text
    body = hung.json()
    assert body["degraded"] is True and body["microsoft"]["aad"].startswith("failed")
    assert body["checks"]["database"] == "ok" and body["microsoft"]["b2c"] == "ok"
    assert took < 4  # bounded by the HTTP timeout (1 s) plus a second, never the hang
    assert me.status_code == 200


async def test_redis_down_fails_closed_quickly(make_service):
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    async with make_service(SIGNIN_REDIS_URL=down, SIGNIN_REDIS_TIMEOUT="0.5") as (browser, _):
        started = await browser.start("aad")
        ready = await browser.client.get("/health/ready")
    assert started.status_code == 302
    assert started.headers["location"] == FRONTEND + "/redirect-uri?error=temporarily_unavailable"
    assert ready.status_code == 503 and ready.json()["checks"]["redis"].startswith("failed")


async def test_microsoft_down_at_the_start_fails_closed(make_service):
    nowhere = f"https://localhost:{_closed_port()}/organizations"
    async with make_service(SIGNIN_AAD_AUTHORITY=nowhere) as (browser, _):
        started = await browser.start("aad")
    assert started.headers["location"] == FRONTEND + "/redirect-uri?error=temporarily_unavailable"


async def test_unknown_provider_goes_back_with_invalid_request(service):
    browser, _ = service
    answer = await browser.start("google")
    assert answer.headers["location"] == FRONTEND + "/redirect-uri?error=invalid_request"


async def test_api_errors_are_json_with_bearer_challenge(service):
    browser, _ = service
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        answer = await browser.client.get("/me", headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {"error": "invalid_token"}
        assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    refused = await browser.client.post("/auth/token", json={"code": "nope"})
    assert refused.status_code == 400 and refused.json() == {"error": "invalid_request"}


async def test_openapi_describes_the_routes(service):
    browser, _ = service
    paths = (await browser.client.get("/schema/openapi.json")).json()["paths"]
    for route in ("/login/aad", "/redirect", "/auth/redirect-uri", "/logout", "/me",
                  "/auth/token", "/auth/refresh", "/.well-known/jwks.json", "/health/ready"):
        assert route in paths


async def test_cors_answers_the_allowed_origin_only(service):
    browser, _ = service
    def preflight(origin):
        return browser.client.options("/me", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
    allowed = await preflight(FRONTEND)
    assert allowed.headers.get("access-control-allow-origin") == FRONTEND
    other = await preflight("http://evil.example")
    assert other.headers.get("access-control-allow-origin") in (None, "")


async def test_jwks_serves_public_keys_only(service):
    browser, _ = service
    keys = (await browser.client.get("/.well-known/jwks.json")).json()["keys"]
    assert keys and all(set(k) <= {"kty", "crv", "x", "kid", "use", "alg"} for k in keys)


async def test_the_root_is_an_index_of_the_public_urls(service):
    browser, operator = service
    from entrypoints.metadata import package_version

    answer = await browser.client.get("/")
    assert answer.status_code == 200
    body = answer.json()
    base = operator.settings.public_url
    assert body["version"] == package_version()
    assert body["documentation"] == base + "/schema"
    assert body["health"] == {"live": base + "/health/live", "ready": base + "/health/ready"}
    assert body["jwks"] == base + "/.well-known/jwks.json"
    for url in (body["documentation"], body["openapi"], body["jwks"], body["health"]["live"]):
        assert (await browser.client.get(url.removeprefix(base))).status_code == 200


async def test_favicon_is_an_empty_answer_not_an_error(service):
    browser, _ = service
    answer = await browser.client.get("/favicon.ico")
    assert answer.status_code == 204 and answer.content == b""
