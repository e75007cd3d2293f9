"""Entra External ID through the real MSAL and Graph adapters against the sandbox's external
tenant (issue 18 item 4): the ciamlogin issuer of the token's own tenant, the local
account's verified email, and every bad token refused before Graph."""

from __future__ import annotations

import pytest

from adapters.azure_sandbox.testing import EXTERNAL_TENANT_ID, SandboxHandle
from adapters.graph import GraphProfileReader
from adapters.msal import MsalGateway
from core.errors import ErrorCode, SignInError
from core.identity import SignInKind
from tests.adapters.msal.fixtures import login, sign_in

ISSUER = f"https://{EXTERNAL_TENANT_ID}.ciamlogin.com/{EXTERNAL_TENANT_ID}/v2.0"
OTHER = "fab0c9d8-e7f6-4a5b-8c9d-0e1f2a3b4c5d"


async def test_a_local_account_signs_in_with_the_tenants_issuer_and_a_verified_email(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    redeemed = await login(gateway, sandbox, "external", "ines@example.net")
    assert redeemed.claims["iss"] == ISSUER and redeemed.claims["tid"] == EXTERNAL_TENANT_ID
    assert "xms_edov" not in redeemed.claims
    identity = await profiles.read(redeemed)
    assert identity.kind is SignInKind.LOCAL and identity.issuer == ISSUER
    assert (identity.email, identity.email_verified) == ("ines@example.net", True)
    assert sandbox.requests("graph")[0]["path"] == "/graph/v1.0/me"
    discovery = [r["path"] for r in sandbox.requests("discovery")]
    assert f"/{EXTERNAL_TENANT_ID}/v2.0/.well-known/openid-configuration" in discovery


async def test_a_social_account_of_the_tenant_is_federated_and_unverified(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle
) -> None:
    identity = await profiles.read(await login(gateway, sandbox, "external", "ines.impostor@gmail.com"))
    assert identity.kind is SignInKind.FEDERATED and identity.idp == "google.com"
    assert (identity.email, identity.email_verified) == ("ines@example.net", False)


@pytest.mark.parametrize("claims", [
    {"iss": f"https://{OTHER}.ciamlogin.com/{OTHER}/v2.0", "tid": OTHER},  # another external tenant
    {"iss": f"https://{OTHER}.ciamlogin.com/{OTHER}/v2.0"},
    {"tid": OTHER},
    {"tid": None},
    {"iss": f"https://login.microsoftonline.com/{EXTERNAL_TENANT_ID}/v2.0"},  # the workforce form
    {"aud": "00000000-1111-2222-3333-444444444444"},
    {"nonce": "0" * 64},
])
async def test_a_token_with_the_wrong_tenant_or_party_is_refused_before_graph(
    gateway: MsalGateway, profiles: GraphProfileReader, sandbox: SandboxHandle, claims: dict
) -> None:
    sandbox.add_fault("token", claims=claims)
    flow, reply = await sign_in(gateway, sandbox, "external", "ines@example.net")
    with pytest.raises(SignInError) as caught:
        await profiles.read(await gateway.redeem(flow, reply))
    assert caught.value.code is ErrorCode.INVALID_TOKEN
    assert sandbox.requests("graph") == []


async def test_a_tampered_signature_is_refused(gateway: MsalGateway, sandbox: SandboxHandle) -> None:
    sandbox.add_fault("token", id_token="bad_signature")
    flow, reply = await sign_in(gateway, sandbox, "external", "ines@example.net")
    with pytest.raises(SignInError) as caught:
        await gateway.redeem(flow, reply)
    assert caught.value.code is ErrorCode.INVALID_TOKEN
