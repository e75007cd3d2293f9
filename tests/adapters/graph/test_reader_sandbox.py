"""The Graph profile reader against the Azure sandbox."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from adapters.azure_sandbox.testing import SandboxHandle
from adapters.graph import GraphProfileReader
from adapters.memory.clock import SystemClock
from adapters.msal import MsalGateway
from core.errors import ErrorCode, SignInError
from core.identity import SignInKind
from tests.adapters.msal.fixtures import configs_for, login


async def code_of(call) -> ErrorCode:
    with pytest.raises(SignInError) as caught:
        await call
    return caught.value.code


async def test_an_azure_ad_member_with_a_verified_domain(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    identity = await profiles.read(await login(gateway, sandbox, "aad", "alice@contoso.com"))
    assert identity.kind is SignInKind.AZURE_AD
    assert identity.object_id == "a11ce000-0000-4000-8000-00000000a11c"
    assert identity.tenant_id == "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
    assert identity.issuer == f"{sandbox.base_url}/c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c/v2.0"
    assert (identity.email, identity.email_verified) == ("alice@contoso.com", True)
    assert identity.display_name == "Alice Contoso"
    assert sandbox.requests("graph")[0]["path"] == "/graph/v1.0/me"


async def test_a_hostile_tenant_claiming_someone_elses_email_is_unverified(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    identity = await profiles.read(await login(gateway, sandbox, "aad", "mallory@evil.example"))
    assert (identity.email, identity.email_verified) == ("alice@contoso.com", False)


async def test_a_guest_is_unverified(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    identity = await profiles.read(await login(gateway, sandbox, "aad", "frank@fabrikam.com#contoso"))
    assert identity.email == "frank@fabrikam.com" and not identity.email_verified


async def test_a_b2c_local_account_is_local_and_verified(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    identity = await profiles.read(await login(gateway, sandbox, "b2c", "bob@example.org"))
    assert identity.kind is SignInKind.LOCAL
    assert (identity.email, identity.email_verified) == ("bob@example.org", True)
    assert identity.tenant_id == "b2c0ffee-4d3c-4b2a-8e1f-7a6b5c4d3e2f"
    assert sandbox.requests("graph")[0]["path"] == "/graph/v1.0/users/b0b00000-0000-4000-8000-000000000b0b"


async def test_a_b2c_google_account_is_federated_and_unverified(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    identity = await profiles.read(await login(gateway, sandbox, "b2c", "carol@gmail.com"))
    assert identity.kind is SignInKind.FEDERATED and identity.idp == "google.com"
    assert (identity.email, identity.email_verified) == ("carol@gmail.com", False)
    assert identity.provider_key == "google.com"


async def test_the_b2c_app_token_is_cached(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    first = await login(gateway, sandbox, "b2c", "bob@example.org")
    second = await login(gateway, sandbox, "b2c", "carol@gmail.com")
    sandbox.clear_requests()
    await profiles.read(first)
    await profiles.read(second)
    token_calls = [
        r
        for r in sandbox.requests("token")
        if r["path"] == "/posterlabappdev.onmicrosoft.com/oauth2/v2.0/token"
    ]
    assert len(token_calls) == 1


@pytest.mark.parametrize(
    ("authority", "username"), [("aad", "alice@contoso.com"), ("b2c", "bob@example.org")]
)
async def test_a_profile_of_another_object_is_refused(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle, authority: str, username: str
) -> None:
    redeemed = await login(gateway, sandbox, authority, username)
    forged = replace(redeemed, claims={**redeemed.claims, "oid": "e1e1e000-0000-4000-8000-00000000e1e1"})
    assert await code_of(profiles.read(forged)) is ErrorCode.INVALID_TOKEN


async def test_a_429_with_a_short_retry_after_is_retried_once(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    redeemed = await login(gateway, sandbox, "aad", "alice@contoso.com")
    sandbox.add_fault("graph", status=429, retry_after=1)
    started = time.monotonic()
    identity = await profiles.read(redeemed)
    assert identity.object_id == redeemed.claims["oid"]
    assert time.monotonic() - started >= 1.0
    for _ in range(100):  # the sandbox logs a request once its answer is sent: wait for it
        if len(sandbox.requests("graph")) == 2:
            break
        await asyncio.sleep(0.01)
    assert [r["status"] for r in sandbox.requests("graph")] == [429, 200]


async def test_a_second_429_is_temporarily_unavailable(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    redeemed = await login(gateway, sandbox, "aad", "alice@contoso.com")
    sandbox.add_fault("graph", status=429, retry_after=1, count=2)
    assert await code_of(profiles.read(redeemed)) is ErrorCode.TEMPORARILY_UNAVAILABLE


async def test_a_429_with_a_long_retry_after_fails_fast(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    redeemed = await login(gateway, sandbox, "aad", "alice@contoso.com")
    sandbox.add_fault("graph", status=429, retry_after=300)
    started = time.monotonic()
    assert await code_of(profiles.read(redeemed)) is ErrorCode.TEMPORARILY_UNAVAILABLE
    assert time.monotonic() - started < 1.0
    assert len(sandbox.requests("graph")) == 1


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"malformed_body": True}])
async def test_a_failing_graph_is_temporarily_unavailable(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle, fault: dict
) -> None:
    redeemed = await login(gateway, sandbox, "aad", "alice@contoso.com")
    sandbox.add_fault("graph", **fault)
    assert await code_of(profiles.read(redeemed)) is ErrorCode.TEMPORARILY_UNAVAILABLE


@pytest.mark.parametrize(
    ("read_timeout", "time_budget"),
    [(0.5, 5.0), (10.0, 0.5)],
    ids=["bounded by the read timeout", "bounded by the time budget"],
)
async def test_a_hung_graph_returns_within_the_shorter_limit(
    gateway: MsalGateway, sandbox: SandboxHandle, read_timeout: float, time_budget: float
) -> None:
    reader = GraphProfileReader(
        configs_for(sandbox),
        base_url=sandbox.graph_url,
        ca_bundle=str(sandbox.ca_path),
        connect_timeout=1.0,
        read_timeout=read_timeout,
        clock=SystemClock(),
        time_budget=time_budget,
    )
    try:
        redeemed = await login(gateway, sandbox, "aad", "alice@contoso.com")
        sandbox.add_fault("graph", latency_ms=5000)
        started = time.monotonic()
        assert await code_of(reader.read(redeemed)) is ErrorCode.TEMPORARILY_UNAVAILABLE
        assert time.monotonic() - started < 1.0
    finally:
        await reader.aclose()


async def test_a_failing_app_token_request_is_temporarily_unavailable(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    redeemed = await login(gateway, sandbox, "b2c", "bob@example.org")
    sandbox.add_fault("token", status=503)
    assert await code_of(profiles.read(redeemed)) is ErrorCode.TEMPORARILY_UNAVAILABLE
    assert sandbox.requests("graph") == []
