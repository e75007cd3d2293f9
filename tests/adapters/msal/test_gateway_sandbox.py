"""The MSAL gateway against the Azure sandbox, with the real MSAL."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from adapters.azure_sandbox.testing import AAD_CLIENT_ID, REDIRECT_URI, SandboxHandle
from adapters.memory.clock import SystemClock
from adapters.msal import MsalGateway
from core.errors import ErrorCode, SignInError
from tests.adapters.msal.fixtures import configs_for, flow_for, login, sign_in


async def code_of(call) -> ErrorCode:
    with pytest.raises(SignInError) as caught:
        await call
    return caught.value.code


async def test_azure_ad_code_is_redeemed_and_validated(gateway: MsalGateway, sandbox: SandboxHandle) -> None:
    redeemed = await login(gateway, sandbox, "aad", "alice@contoso.com")
    claims = redeemed.claims
    assert redeemed.authority == "aad"
    assert claims["oid"] == "a11ce000-0000-4000-8000-00000000a11c"
    assert claims["tid"] == "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
    assert claims["iss"] == f"{sandbox.base_url}/{claims['tid']}/v2.0"
    assert claims["aud"] == AAD_CLIENT_ID
    assert redeemed.access_token and redeemed.id_token and redeemed.refresh_token


async def test_b2c_code_is_redeemed_without_tid(gateway: MsalGateway, sandbox: SandboxHandle) -> None:
    redeemed = await login(gateway, sandbox, "b2c", "bob@example.org")
    assert redeemed.claims["oid"] == "b0b00000-0000-4000-8000-000000000b0b"
    assert redeemed.claims["iss"].endswith("/v2.0/") and "tid" not in redeemed.claims


async def test_the_flow_is_plain_json_and_survives_a_round_trip(
    gateway: MsalGateway, sandbox: SandboxHandle
) -> None:
    request = await gateway.begin("aad", REDIRECT_URI)
    protocol = json.loads(json.dumps(request.protocol))
    assert protocol == dict(request.protocol) and "code_verifier" in protocol
    reply = sandbox.sign_in(request.auth_uri, "erin@contoso.com")
    flow = flow_for(request, "aad")
    redeemed = await gateway.redeem(flow.__class__(**{**flow.__dict__, "protocol": protocol}), reply)
    assert redeemed.claims["oid"].startswith("e1e1e000")


async def test_the_authorize_request_carries_the_hashed_nonce_and_pkce(gateway: MsalGateway) -> None:
    request = await gateway.begin("aad", REDIRECT_URI)
    assert "code_challenge_method=S256" in request.auth_uri
    assert request.protocol["nonce"] not in request.auth_uri


async def test_a_state_mismatch_is_an_invalid_request(gateway: MsalGateway, sandbox: SandboxHandle) -> None:
    flow, reply = await sign_in(gateway, sandbox, "aad", "alice@contoso.com")
    assert await code_of(gateway.redeem(flow, {**reply, "state": "forged"})) is ErrorCode.INVALID_REQUEST
    assert sandbox.requests("token") == []


async def test_a_reply_with_neither_code_nor_error_is_an_invalid_request(gateway: MsalGateway) -> None:
    request = await gateway.begin("aad", REDIRECT_URI)
    assert await code_of(gateway.redeem(flow_for(request, "aad"), {"state": request.state})) is (
        ErrorCode.INVALID_REQUEST
    )


@pytest.mark.parametrize(
    ("authority", "action", "expected"),
    [
        ("aad", "deny", ErrorCode.ACCESS_DENIED),
        ("aad", "cancel", ErrorCode.ACCESS_DENIED),
        ("b2c", "cancel", ErrorCode.CANCELLED),
        ("b2c", "deny", ErrorCode.CANCELLED),
        ("b2c", "forgot_password", ErrorCode.PASSWORD_RESET),
    ],
)
async def test_error_replies_map_to_their_codes(
    gateway: MsalGateway, sandbox: SandboxHandle, authority: str, action: str, expected: ErrorCode
) -> None:
    flow, reply = await sign_in(gateway, sandbox, authority, "bob@example.org", action)
    assert "error" in reply
    assert await code_of(gateway.redeem(flow, reply)) is expected


async def test_a_code_is_redeemed_once(gateway: MsalGateway, sandbox: SandboxHandle) -> None:
    flow, reply = await sign_in(gateway, sandbox, "aad", "alice@contoso.com")
    await gateway.redeem(flow, reply)
    assert await code_of(gateway.redeem(flow, reply)) is ErrorCode.LOGIN_EXPIRED


@pytest.mark.parametrize("authority", ["aad", "b2c"])
async def test_an_expired_code_is_login_expired(
    gateway: MsalGateway, sandbox: SandboxHandle, authority: str
) -> None:
    flow, reply = await sign_in(
        gateway, sandbox, authority, "bob@example.org" if authority == "b2c" else "alice@contoso.com"
    )
    sandbox.advance_clock(11 * 60)
    assert await code_of(gateway.redeem(flow, reply)) is ErrorCode.LOGIN_EXPIRED


async def test_password_reset_begins_the_reset_policy_and_redeems_with_it(
    gateway: MsalGateway, sandbox: SandboxHandle
) -> None:
    assert gateway.can_reset_password("b2c") and not gateway.can_reset_password("aad")
    request = await gateway.begin("b2c", REDIRECT_URI, password_reset=True)
    assert "b2c_1a_passwordreset" in request.auth_uri.lower()
    reply = sandbox.sign_in(request.auth_uri, "bob@example.org")
    redeemed = await gateway.redeem(flow_for(request, "b2c", password_reset=True), reply)
    assert redeemed.claims["tfp"].upper() == "B2C_1A_PASSWORDRESET"
    assert await code_of(gateway.begin("aad", REDIRECT_URI, password_reset=True)) is ErrorCode.INVALID_REQUEST


async def test_unknown_authority_is_an_invalid_request(gateway: MsalGateway) -> None:
    assert await code_of(gateway.begin("nope", REDIRECT_URI)) is ErrorCode.INVALID_REQUEST


async def test_end_session_url_comes_from_discovery(gateway: MsalGateway, sandbox: SandboxHandle) -> None:
    await gateway.begin("aad", REDIRECT_URI)
    url = gateway.end_session_url("aad", "http://localhost:3001/")
    assert url == (
        f"{sandbox.base_url}/organizations/oauth2/v2.0/logout"
        "?post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A3001%2F"
    )
    assert gateway.end_session_url("nope", None) is None


@pytest.mark.parametrize(
    "fault", [{"status": 500}, {"malformed_body": True}, {"status": 429, "retry_after": 1}]
)
async def test_a_failing_token_endpoint_is_temporarily_unavailable(
    gateway: MsalGateway, sandbox: SandboxHandle, fault: dict
) -> None:
    flow, reply = await sign_in(gateway, sandbox, "aad", "alice@contoso.com")
    sandbox.add_fault("token", **fault)
    assert await code_of(gateway.redeem(flow, reply)) is ErrorCode.TEMPORARILY_UNAVAILABLE


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(
    ("authority", "username"), [("aad", "alice@contoso.com"), ("b2c", "bob@example.org")]
)
async def test_one_throttled_redemption_fails_that_sign_in_only_and_the_next_calls_microsoft(
    gateway: MsalGateway, sandbox: SandboxHandle, status: int, authority: str, username: str
) -> None:
    sandbox.add_fault("token", status=status, retry_after=3600)
    assert await code_of(login(gateway, sandbox, authority, username)) is ErrorCode.TEMPORARILY_UNAVAILABLE
    # MSAL's own throttle would replay the 429/503 for an hour without calling Microsoft
    for _ in range(2):
        assert (await login(gateway, sandbox, authority, username)).claims["oid"]
    # the sandbox logs a request once its answer is sent: give the last entry a moment
    for _ in range(50):
        if len(sandbox.requests("token")) >= 3:
            break
        await asyncio.sleep(0.02)
    assert [r["status"] for r in sandbox.requests("token")] == [status, 200, 200]


async def test_unreachable_discovery_is_temporarily_unavailable(sandbox: SandboxHandle) -> None:
    gateway = MsalGateway(
        configs_for(sandbox), ca_bundle=str(sandbox.ca_path), timeout=2, clock=SystemClock()
    )
    sandbox.add_fault("discovery", status=503, count=3)
    try:
        assert await code_of(gateway.begin("aad", REDIRECT_URI)) is ErrorCode.TEMPORARILY_UNAVAILABLE
        sandbox.clear_faults()
        assert (await gateway.begin("aad", REDIRECT_URI)).state  # not cached as broken
    finally:
        await gateway.aclose()


async def test_a_hung_token_endpoint_ends_within_the_time_budget(sandbox: SandboxHandle) -> None:
    gateway = MsalGateway(
        configs_for(sandbox),
        ca_bundle=str(sandbox.ca_path),
        timeout=0.5,
        time_budget=1.0,
        clock=SystemClock(),
    )
    try:
        flow, reply = await sign_in(gateway, sandbox, "aad", "alice@contoso.com")
        sandbox.add_fault("token", latency_ms=5000)
        started = time.monotonic()
        assert await code_of(gateway.redeem(flow, reply)) is ErrorCode.TEMPORARILY_UNAVAILABLE
        assert time.monotonic() - started < 1.5
    finally:
        await gateway.aclose()


async def test_the_event_loop_stays_free_while_redemptions_wait(
    gateway: MsalGateway, sandbox: SandboxHandle
) -> None:
    started = [await sign_in(gateway, sandbox, "aad", "alice@contoso.com") for _ in range(10)]
    sandbox.add_fault("token", latency_ms=3000, count=10)
    redemptions = [asyncio.create_task(gateway.redeem(flow, reply)) for flow, reply in started]
    await asyncio.sleep(0.3)  # the redemptions are now waiting on the token endpoint
    before = time.monotonic()
    await asyncio.sleep(0.05)
    assert time.monotonic() - before < 0.15
    logins = await asyncio.gather(*redemptions)
    assert all(login.claims["oid"].startswith("a11ce000") for login in logins)


async def test_closing_the_gateway_closes_msals_connections_to_microsoft(sandbox: SandboxHandle) -> None:
    gateway = MsalGateway(
        configs_for(sandbox), ca_bundle=str(sandbox.ca_path), timeout=2, clock=SystemClock()
    )
    try:
        await gateway.warm_up()  # every app built: MSAL read its discovery over keep-alive
        sessions = gateway._apps.sessions()
        assert len(sessions) == len(configs_for(sandbox))
        assert all(_open_pools(s) for s in sessions)
    finally:
        await gateway.aclose()
    assert not any(_open_pools(s) for s in sessions)


def _open_pools(session: object) -> int:
    return sum(len(adapter.poolmanager.pools) for adapter in session.adapters.values())  # type: ignore[attr-defined]
