"""Every ID-token fault the sandbox can inject ends in `invalid_token` before any Graph call."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.azure_sandbox.testing import REDIRECT_URI, SandboxHandle
from adapters.graph import GraphProfileReader
from adapters.memory.clock import SystemClock
from adapters.microsoft.config import discovery_url
from adapters.microsoft.discovery import DiscoveryCache
from adapters.microsoft.http import LazyAsyncClient
from adapters.msal import MsalGateway
from adapters.msal.id_token import IdTokenValidator
from adapters.msal.jwks import JwksCache
from core.errors import ErrorCode, SignInError
from tests.adapters.msal.fixtures import configs_for, flow_for, login, sign_in


def _now(sandbox: SandboxHandle) -> int:
    return int(sandbox.sandbox.now())


CLAIM_FAULTS = {
    "wrong_aud": lambda now: {"aud": "00000000-1111-2222-3333-444444444444"},
    "wrong_iss": lambda now: {
        "iss": "https://login.microsoftonline.com/c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c/v2.0"
    },
    "other_tid": lambda now: {"tid": "fab0c9d8-e7f6-4a5b-8c9d-0e1f2a3b4c5d"},
    "tid_not_a_guid": lambda now: {"tid": "contoso.onmicrosoft.com"},
    "no_tid": lambda now: {"tid": None},
    "wrong_nonce": lambda now: {"nonce": "0" * 64},
    "no_nonce": lambda now: {"nonce": None},
    "expired": lambda now: {"exp": now - 3600},
    "expired_beyond_leeway": lambda now: {"exp": now - 125},
    "issued_in_the_future": lambda now: {"iat": now + 3600},
    "not_yet_valid": lambda now: {"nbf": now + 600},
    "no_oid": lambda now: {"oid": None},
    "no_sub": lambda now: {"sub": None},
}


async def _login_then_profile(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle, authority: str, username: str
) -> None:
    """What the core does: redeem, then (only for a valid token) read the profile."""
    flow, reply = await sign_in(gateway, sandbox, authority, username)
    redeemed = await gateway.redeem(flow, reply)
    await profiles.read(redeemed)


@pytest.mark.parametrize("fault", sorted(CLAIM_FAULTS))
async def test_a_bad_claim_is_an_invalid_token_and_graph_is_never_called(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle, fault: str
) -> None:
    sandbox.add_fault("token", claims=CLAIM_FAULTS[fault](_now(sandbox)))
    with pytest.raises(SignInError) as caught:
        await _login_then_profile(gateway, profiles, sandbox, "aad", "alice@contoso.com")
    assert caught.value.code is ErrorCode.INVALID_TOKEN
    assert sandbox.requests("graph") == []


@pytest.mark.parametrize("tampering", ["bad_signature", "alg_none", "malformed"])
@pytest.mark.parametrize(
    ("authority", "username"), [("aad", "alice@contoso.com"), ("b2c", "bob@example.org")]
)
async def test_a_tampered_token_is_an_invalid_token_and_graph_is_never_called(
    gateway: MsalGateway,
    profiles: GraphProfileReader,
    sandbox: SandboxHandle,
    tampering: str,
    authority: str,
    username: str,
) -> None:
    sandbox.add_fault("token", id_token=tampering)
    with pytest.raises(SignInError) as caught:
        await _login_then_profile(gateway, profiles, sandbox, authority, username)
    assert caught.value.code is ErrorCode.INVALID_TOKEN
    assert sandbox.requests("graph") == []


async def test_b2c_wrong_audience_and_policy_issuer_are_refused(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    for claims in (
        {"aud": "someone-else"},
        {"iss": f"{sandbox.base_url}/b2c0ffee-4d3c-4b2a-8e1f-7a6b5c4d3e2f/v2.0"},
    ):
        sandbox.add_fault("token", claims=claims)
        with pytest.raises(SignInError) as caught:
            await _login_then_profile(gateway, profiles, sandbox, "b2c", "bob@example.org")
        assert caught.value.code is ErrorCode.INVALID_TOKEN
    assert sandbox.requests("graph") == []


async def test_a_token_expired_within_the_leeway_is_accepted(
    gateway: MsalGateway, sandbox: SandboxHandle
) -> None:
    sandbox.add_fault("token", claims={"exp": _now(sandbox) - 60})
    assert (await login(gateway, sandbox, "aad", "alice@contoso.com")).claims["oid"]


async def test_the_nonce_is_checked_by_the_service_not_only_by_msal(
    gateway: MsalGateway, sandbox: SandboxHandle
) -> None:
    redeemed = await login(gateway, sandbox, "aad", "alice@contoso.com")
    http = LazyAsyncClient(ca_bundle=str(sandbox.ca_path), timeout=__import__("httpx").Timeout(5.0))
    clock = SystemClock()
    validator = IdTokenValidator(DiscoveryCache(http, clock), JwksCache(http, clock), clock)
    config = configs_for(sandbox)[0]
    with pytest.raises(SignInError) as caught:
        await validator.validate(config, redeemed.id_token or "", "another-flows-nonce")
    assert caught.value.code is ErrorCode.INVALID_TOKEN
    await http.aclose()


async def test_personal_accounts_are_refused_unless_allowed(sandbox: SandboxHandle) -> None:
    for allowed in (False, True):
        common = f"{sandbox.base_url}/common"
        gateway = MsalGateway(
            configs_for(sandbox, common, allow_personal_accounts=allowed),
            ca_bundle=str(sandbox.ca_path),
            timeout=5,
            clock=SystemClock(),
        )
        try:
            flow, reply = await sign_in(gateway, sandbox, "aad", "dave@outlook.com")
            if allowed:
                assert (await gateway.redeem(flow, reply)).claims[
                    "tid"
                ] == "9188040d-6c67-4c5b-b112-36a304b66dad"
            else:
                with pytest.raises(SignInError) as caught:
                    await gateway.redeem(flow, reply)
                assert caught.value.code is ErrorCode.INVALID_TOKEN
        finally:
            await gateway.aclose()


async def test_the_tenant_allow_list_is_enforced(sandbox: SandboxHandle) -> None:
    gateway = MsalGateway(
        configs_for(sandbox, allowed_tenants=frozenset({"c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"})),
        ca_bundle=str(sandbox.ca_path),
        timeout=5,
        clock=SystemClock(),
    )
    try:
        assert (await login(gateway, sandbox, "aad", "alice@contoso.com")).claims["oid"]
        with pytest.raises(SignInError) as caught:
            await login(gateway, sandbox, "aad", "frank@fabrikam.com")
        assert caught.value.code is ErrorCode.INVALID_TOKEN
    finally:
        await gateway.aclose()


async def test_key_rotation_is_picked_up_without_a_restart(
    gateway: MsalGateway, sandbox: SandboxHandle
) -> None:
    await login(gateway, sandbox, "aad", "alice@contoso.com")
    assert len(sandbox.requests("keys")) == 1
    sandbox.rotate_keys("aad")
    await login(gateway, sandbox, "aad", "alice@contoso.com")
    assert len(sandbox.requests("keys")) == 2
    await login(gateway, sandbox, "aad", "erin@contoso.com")
    assert len(sandbox.requests("keys")) == 2  # the new key is cached


async def test_unknown_keys_refetch_at_most_once_per_interval(sandbox: SandboxHandle) -> None:
    gateway = MsalGateway(
        configs_for(sandbox),
        ca_bundle=str(sandbox.ca_path),
        timeout=5,
        clock=SystemClock(),
        jwks_refetch_interval=timedelta(minutes=5),
    )
    try:
        await login(gateway, sandbox, "aad", "alice@contoso.com")
        sandbox.rotate_keys("aad")
        await login(gateway, sandbox, "aad", "alice@contoso.com")  # forced refetch no. 1
        sandbox.rotate_keys("aad")
        with pytest.raises(SignInError) as caught:
            await login(gateway, sandbox, "aad", "alice@contoso.com")  # too soon for another
        assert caught.value.code is ErrorCode.INVALID_TOKEN
        assert len(sandbox.requests("keys")) == 2
    finally:
        await gateway.aclose()


async def test_an_unreachable_key_set_is_temporarily_unavailable(
    gateway: MsalGateway, sandbox: SandboxHandle
) -> None:
    sandbox.add_fault("keys", status=500)
    with pytest.raises(SignInError) as caught:
        await login(gateway, sandbox, "aad", "alice@contoso.com")
    assert caught.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE
    assert (await login(gateway, sandbox, "aad", "alice@contoso.com")).claims["oid"]  # not cached as broken
    assert discovery_url(sandbox.aad_authority).endswith(
        "/organizations/v2.0/.well-known/openid-configuration"
    )


@pytest.mark.parametrize(
    "claims",
    [
        {"tfp": "B2C_1A_PROFILEEDIT"},                            # another policy of the tenant
        {"tfp": "B2C_1A_PASSWORDRESET"},                          # the reset policy, on a sign-in
        {"tfp": None},                                            # no policy at all
        {"tfp": None, "acr": "B2C_1A_PROFILEEDIT"},               # acr-style policy claim
        {"acr": "B2C_1A_PROFILEEDIT"},                            # two claims naming two policies
        {"tfp": ["B2C_1A_SIGNUP_SIGNIN"]},                        # not a string
        {"tfp": "B2C_1A_SIGNUP_SIGNIN_X"},                        # a prefix is not the policy
    ],
)
async def test_b2c_token_naming_another_policy_or_none_never_completes_the_sign_in_flow(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle, claims: dict[str, object]
) -> None:
    sandbox.add_fault("token", claims=claims)
    with pytest.raises(SignInError) as caught:
        await _login_then_profile(gateway, profiles, sandbox, "b2c", "bob@example.org")
    assert caught.value.code is ErrorCode.INVALID_TOKEN
    assert sandbox.requests("graph") == []


@pytest.mark.parametrize(
    "claims",
    [{}, {"tfp": "b2c_1a_signup_signin"}, {"tfp": None, "acr": "b2c_1A_Signup_Signin"},
     {"acr": "B2C_1A_SIGNUP_SIGNIN"}],
)
async def test_b2c_policy_claim_of_the_flow_is_accepted_in_any_case(
    gateway: MsalGateway, sandbox: SandboxHandle, claims: dict[str, object]
) -> None:
    if claims:
        sandbox.add_fault("token", claims=claims)
    assert (await login(gateway, sandbox, "b2c", "bob@example.org")).claims["oid"]


async def test_b2c_reset_flow_accepts_only_a_token_of_the_reset_policy(
    gateway: MsalGateway, sandbox: SandboxHandle
) -> None:
    for tfp, accepted in (("B2C_1A_SIGNUP_SIGNIN", False), (None, False), ("b2c_1a_passwordreset", True)):
        sandbox.add_fault("token", claims={"tfp": tfp})
        request = await gateway.begin("b2c", REDIRECT_URI, password_reset=True)
        reply = sandbox.sign_in(request.auth_uri, "bob@example.org")
        flow = flow_for(request, "b2c", password_reset=True)
        if accepted:
            assert (await gateway.redeem(flow, reply)).claims["oid"]
        else:
            with pytest.raises(SignInError) as caught:
                await gateway.redeem(flow, reply)
            assert caught.value.code is ErrorCode.INVALID_TOKEN
