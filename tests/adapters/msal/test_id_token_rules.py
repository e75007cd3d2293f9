"""ID-token rules with the service's own keys: no MSAL and no sandbox involved."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.memory.clock import ManualClock
from adapters.microsoft.discovery import DiscoveryCache
from adapters.microsoft.http import LazyAsyncClient
from adapters.msal import AuthorityConfig
from adapters.msal.id_token import IdTokenValidator, nonce_hash
from adapters.msal.jwks import JwksCache
from core.errors import ErrorCode, SignInError
from core.policy import CONSUMER_TENANT_ID

HOST = "https://login.test"
TID = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
CLIENT = "5f0c4d8e-3a1b-4c2d-9e8f-0a1b2c3d4e5f"
NONCE = "flow-nonce"
NOW = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig"}


class FakeMicrosoft:
    def __init__(self) -> None:
        self.keys = [jwk(KEY, "k1")]
        self.key_fetches = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("openid-configuration"):
            tenant = path.split("/")[1]
            issuer = f"{HOST}/{{tenantid}}/v2.0" if tenant == "organizations" else f"{HOST}/{tenant}/v2.0"
            return httpx.Response(
                200,
                json={
                    "issuer": issuer,
                    "jwks_uri": f"{HOST}/{tenant}/discovery/v2.0/keys",
                    "token_endpoint": f"{HOST}/{tenant}/oauth2/v2.0/token",
                },
            )
        self.key_fetches += 1
        return httpx.Response(200, json={"keys": self.keys})


@pytest.fixture
def microsoft() -> FakeMicrosoft:
    return FakeMicrosoft()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def validator(microsoft: FakeMicrosoft, clock: ManualClock) -> IdTokenValidator:
    http = LazyAsyncClient(
        ca_bundle=None, timeout=httpx.Timeout(1.0), transport=httpx.MockTransport(microsoft)
    )
    return IdTokenValidator(DiscoveryCache(http, clock), JwksCache(http, clock), clock)


def config(authority: str = "organizations", **options: object) -> AuthorityConfig:
    return AuthorityConfig("aad", "aad", f"{HOST}/{authority}", CLIENT, "secret", **options)  # type: ignore[arg-type]


def claims(**changes: object) -> dict:
    now = int(NOW.timestamp())
    base = {
        "iss": f"{HOST}/{TID}/v2.0",
        "tid": TID,
        "aud": CLIENT,
        "sub": "pairwise",
        "exp": now + 3600,
        "iat": now,
        "nbf": now,
        "nonce": nonce_hash(NONCE),
        "oid": "a11ce000-0000-4000-8000-00000000a11c",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def token(payload: dict, key: rsa.RSAPrivateKey = KEY, kid: str = "k1", alg: str = "RS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


async def refused(validator: IdTokenValidator, raw: str, cfg: AuthorityConfig | None = None) -> None:
    with pytest.raises(SignInError) as caught:
        await validator.validate(cfg or config(), raw, NONCE)
    assert caught.value.code is ErrorCode.INVALID_TOKEN


async def is_accepted(validator: IdTokenValidator, raw: str, cfg: AuthorityConfig | None = None) -> None:
    """The token is accepted, and the claims handed on are exactly the token's."""
    sent = jwt.decode(raw, options={"verify_signature": False})
    assert await validator.validate(cfg or config(), raw, NONCE) == sent


async def test_a_good_token_is_accepted(validator: IdTokenValidator) -> None:
    await is_accepted(validator, token(claims()))


async def test_the_nonce_must_be_the_hash_of_the_flows(validator: IdTokenValidator) -> None:
    await refused(validator, token(claims(nonce=NONCE)))  # the raw nonce is not what was sent
    await refused(validator, token(claims(nonce=nonce_hash("another"))))


async def test_a_renewals_id_token_has_no_nonce_and_every_other_check(validator: IdTokenValidator) -> None:
    without = claims()
    without.pop("nonce", None)
    assert (await validator.validate(config(), token(without), None))["tid"] == TID
    with pytest.raises(SignInError):
        await validator.validate(config(), token({**without, "aud": "someone-else"}), None)
    with pytest.raises(SignInError):
        await validator.validate(config(), token(without, key=OTHER_KEY), None)


def hs256_with_public_key(payload: dict) -> str:
    """The classic key-confusion forgery: HMAC with the RSA public key as the secret."""
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")  # noqa: E731
    signing_input = part({"alg": "HS256", "typ": "JWT", "kid": "k1"}) + b"." + part(payload)
    signature = base64.urlsafe_b64encode(hmac.new(pem, signing_input, hashlib.sha256).digest()).rstrip(b"=")
    return (signing_input + b"." + signature).decode()


async def test_alg_none_and_hs256_with_the_public_key_are_refused(validator: IdTokenValidator) -> None:
    await refused(validator, jwt.encode(claims(), None, algorithm="none", headers={"kid": "k1"}))
    await refused(validator, hs256_with_public_key(claims()))


async def test_a_foreign_signature_is_refused(validator: IdTokenValidator) -> None:
    await refused(validator, token(claims(), key=OTHER_KEY))


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "someone-else"},
        {"aud": ["someone-else", CLIENT]},
        {"aud": [CLIENT, "x"], "azp": "x"},
        {"aud": None},
        {"iss": f"{HOST}/{TID}/v2.0/"},
        {"tid": "fab0c9d8-e7f6-4a5b-8c9d-0e1f2a3b4c5d"},
        {"tid": "contoso"},
        {"tid": None},
        {"sub": None},
        {"oid": None},
        {"oid": "not-a-guid"},
        {"exp": None},
        {"iat": None},
        {"exp": "tomorrow"},
        {"exp": True},
    ],
)
async def test_bad_claims_are_refused(validator: IdTokenValidator, changes: dict) -> None:
    await refused(validator, token(claims(**changes)))


async def test_a_list_audience_with_the_right_authorized_party_is_accepted(
    validator: IdTokenValidator,
) -> None:
    await is_accepted(validator, token(claims(aud=[CLIENT, "x"], azp=CLIENT)))


@pytest.mark.parametrize(
    ("changes", "accepted"),
    [
        ({"exp": -119}, True),
        ({"exp": -121}, False),
        ({"iat": 119}, True),
        ({"iat": 121}, False),
        ({"nbf": 119}, True),
        ({"nbf": 121}, False),
    ],
)
async def test_times_have_at_most_120_seconds_leeway(
    validator: IdTokenValidator, changes: dict, accepted: bool
) -> None:
    now = int(NOW.timestamp())
    raw = token(claims(**{k: now + v for k, v in changes.items()}))
    if accepted:
        await is_accepted(validator, raw)
    else:
        await refused(validator, raw)


async def test_a_single_tenant_authority_wants_its_own_issuer(validator: IdTokenValidator) -> None:
    await is_accepted(validator, token(claims()), config(TID))
    other = "fab0c9d8-e7f6-4a5b-8c9d-0e1f2a3b4c5d"
    await refused(validator, token(claims(iss=f"{HOST}/{other}/v2.0", tid=other)), config(TID))


async def test_consumer_accounts_and_tenants_off_the_allow_list_are_refused(
    validator: IdTokenValidator,
) -> None:
    consumer = claims(iss=f"{HOST}/{CONSUMER_TENANT_ID}/v2.0", tid=CONSUMER_TENANT_ID)
    await refused(validator, token(consumer))
    await is_accepted(validator, token(consumer), config(allow_personal_accounts=True))
    await refused(validator, token(claims()), config(allowed_tenants=frozenset({CONSUMER_TENANT_ID})))


async def test_an_unknown_kid_refetches_once_per_interval(
    validator: IdTokenValidator, microsoft: FakeMicrosoft, clock: ManualClock
) -> None:
    await is_accepted(validator, token(claims()))
    microsoft.keys.append(jwk(OTHER_KEY, "k2"))
    await is_accepted(validator, token(claims(), key=OTHER_KEY, kid="k2"))
    assert microsoft.key_fetches == 2
    await refused(validator, token(claims(), kid="k3"))
    await refused(validator, token(claims(), kid="k4"))
    assert microsoft.key_fetches == 2  # within a minute of the last forced refetch
    clock.advance(61)
    await refused(validator, token(claims(), kid="k5"))
    assert microsoft.key_fetches == 3


@pytest.mark.parametrize(
    ("authority", "policy"),
    [
        ("https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN", "B2C_1A_SIGNUP_SIGNIN"),
        ("https://contoso.b2clogin.com/contoso.onmicrosoft.com/?p=B2C_1_susi", "B2C_1_susi"),
        ("https://contoso.b2clogin.com/contoso.onmicrosoft.com", None),
    ],
)
def test_a_b2c_authority_must_name_the_policy_its_tokens_are_checked_against(
    authority: str, policy: str | None
) -> None:
    from adapters.microsoft.config import b2c_policy

    assert b2c_policy(authority) == policy
    if policy is None:
        with pytest.raises(ValueError, match="policy"):
            AuthorityConfig("b2c", "b2c", authority, CLIENT, "secret")
    else:
        assert AuthorityConfig("b2c", "b2c", authority, CLIENT, "secret").authority == authority.rstrip("/")
