"""Entra External ID ID-token rules (issue 18 item 4) with the service's own keys: the issuer
is `https://{tid}.ciamlogin.com/{tid}/v2.0`, from the token's own tenant, exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.memory.clock import ManualClock
from adapters.microsoft.config import discovery_url, external_tenant
from adapters.microsoft.discovery import DiscoveryCache
from adapters.microsoft.http import LazyAsyncClient
from adapters.msal import AuthorityConfig
from adapters.msal.id_token import IdTokenValidator, external_issuer, nonce_hash
from adapters.msal.jwks import JwksCache
from core.errors import ErrorCode, SignInError
from tests.adapters.msal.test_id_token_rules import jwk

TID = "c1a40000-4e5f-4a6b-9c8d-7e6f5a4b3c2d"
OTHER = "fab0c9d8-e7f6-4a5b-8c9d-0e1f2a3b4c5d"
HOST = "https://posterlab.ciamlogin.com"
CLIENT = "ce1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b"
NONCE = "flow-nonce"
NOW = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeExternalId:
    """Discovery as an external tenant answers it (any tenant spelling), and its keys."""

    def __init__(self) -> None:
        self.issuer = f"https://{TID}.ciamlogin.com/{TID}/v2.0"
        self.discovered: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openid-configuration"):
            self.discovered.append(str(request.url))
            return httpx.Response(200, json={
                "issuer": self.issuer,
                "jwks_uri": f"{HOST}/{TID}/discovery/v2.0/keys",
                "token_endpoint": f"{HOST}/{TID}/oauth2/v2.0/token",
            })
        return httpx.Response(200, json={"keys": [jwk(KEY, "k1")]})


@pytest.fixture
def microsoft() -> FakeExternalId:
    return FakeExternalId()


@pytest.fixture
def validator(microsoft: FakeExternalId) -> IdTokenValidator:
    clock = ManualClock(NOW)
    http = LazyAsyncClient(
        ca_bundle=None, timeout=httpx.Timeout(1.0), transport=httpx.MockTransport(microsoft)
    )
    return IdTokenValidator(DiscoveryCache(http, clock), JwksCache(http, clock), clock)


def config(tenant: str = TID) -> AuthorityConfig:
    return AuthorityConfig("external", "external", f"{HOST}/{tenant}", CLIENT, "secret")


def claims(**changes: object) -> dict:
    now = int(NOW.timestamp())
    base = {
        "iss": f"https://{TID}.ciamlogin.com/{TID}/v2.0", "tid": TID, "aud": CLIENT, "sub": "pairwise",
        "exp": now + 3600, "iat": now, "nbf": now, "nonce": nonce_hash(NONCE),
        "oid": "1e5e0000-0000-4000-8000-0000001e5e00",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def token(payload: dict, key: rsa.RSAPrivateKey = KEY) -> str:
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


async def refused(validator: IdTokenValidator, raw: str, cfg: AuthorityConfig | None = None) -> None:
    with pytest.raises(SignInError) as caught:
        await validator.validate(cfg or config(), raw, NONCE)
    assert caught.value.code is ErrorCode.INVALID_TOKEN


@pytest.mark.parametrize("tenant", [TID, "posterlab.onmicrosoft.com"])
async def test_a_token_of_the_tenant_is_accepted_and_discovery_is_the_tenants(
    validator: IdTokenValidator, microsoft: FakeExternalId, tenant: str
) -> None:
    assert (await validator.validate(config(tenant), token(claims()), NONCE))["tid"] == TID
    assert microsoft.discovered == [f"{HOST}/{tenant}/v2.0/.well-known/openid-configuration"]


async def test_a_token_naming_another_tenant_in_its_issuer_is_refused(validator: IdTokenValidator) -> None:
    await refused(validator, token(claims(iss=external_issuer(OTHER), tid=OTHER)))
    await refused(validator, token(claims(iss=external_issuer(OTHER))))
    await refused(validator, token(claims(iss=f"https://{TID}.ciamlogin.com/{OTHER}/v2.0")))
    await refused(validator, token(claims(tid=OTHER)))
    await refused(validator, token(claims(tid=None)))


async def test_an_issuer_not_in_the_ciamlogin_form_is_refused_even_if_discovery_announces_it(
    validator: IdTokenValidator, microsoft: FakeExternalId
) -> None:
    workforce, trailing = f"https://login.microsoftonline.com/{TID}/v2.0", f"{external_issuer(TID)}/"
    for issuer in (workforce, trailing):
        microsoft.issuer = issuer
        fresh = IdTokenValidator(
            DiscoveryCache(LazyAsyncClient(ca_bundle=None, timeout=httpx.Timeout(1.0),
                                           transport=httpx.MockTransport(microsoft)), ManualClock(NOW)),
            JwksCache(LazyAsyncClient(ca_bundle=None, timeout=httpx.Timeout(1.0),
                                      transport=httpx.MockTransport(microsoft)), ManualClock(NOW)),
            ManualClock(NOW),
        )
        await refused(fresh, token(claims(iss=issuer)))


@pytest.mark.parametrize("changes", [
    {"aud": "someone-else"}, {"nonce": nonce_hash("another")}, {"nonce": None},
    {"exp": int(NOW.timestamp()) - 600}, {"iat": int(NOW.timestamp()) + 600}, {"oid": "not-a-guid"},
])
async def test_audience_nonce_times_and_object_id_are_checked(
    validator: IdTokenValidator, changes: dict
) -> None:
    await refused(validator, token(claims(**changes)))


async def test_a_foreign_signature_is_refused(validator: IdTokenValidator) -> None:
    await refused(validator, token(claims(), key=OTHER_KEY))


@pytest.mark.parametrize("authority", [
    "https://posterlab.ciamlogin.com", "https://posterlab.ciamlogin.com/a/b",
    "https://posterlab.ciamlogin.com/posterlab.onmicrosoft.com?p=x",
])
def test_an_external_id_authority_names_its_tenant_and_only_it(authority: str) -> None:
    assert external_tenant(authority) is None
    with pytest.raises(ValueError, match="External ID"):
        AuthorityConfig("external", "external", authority, CLIENT, "secret")


def test_tenant_rules_are_azure_ad_only() -> None:
    with pytest.raises(ValueError, match="tenant rules"):
        AuthorityConfig(
            "external", "external", f"{HOST}/{TID}", CLIENT, "secret", allow_personal_accounts=True
        )
    assert discovery_url(f"{HOST}/{TID}") == f"{HOST}/{TID}/v2.0/.well-known/openid-configuration"
