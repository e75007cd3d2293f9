from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.jwt import TOKEN_TYPE, JwtTokenService, KeySet, public_jwk, thumbprint
from adapters.jwt.keys import public_pem
from core.errors import ErrorCode, SignInError
from core.identity import SessionClaims
from tests.adapters.jwt.conftest import AUDIENCE, ISSUER, START, MovableClock

CLAIMS = SessionClaims(
    subject="user-1", session_id="sid-1", token_id="jti-1",
    issued_at=START, expires_at=START + timedelta(hours=1),
)


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def good_payload(**changes: object) -> dict:
    payload = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "sid": "sid-1", "jti": "jti-1",
        "iat": int(START.timestamp()), "nbf": int(START.timestamp()),
        "exp": int((START + timedelta(hours=1)).timestamp()),
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


def sign(key: Ed25519PrivateKey, payload: dict, **header: object) -> str:
    headers = {"kid": thumbprint(key.public_key()), "typ": TOKEN_TYPE, **header}
    return jwt.encode(payload, key, algorithm="EdDSA", headers=headers)


def refused(service: JwtTokenService, token: object, reason: str) -> None:
    with pytest.raises(SignInError) as error:
        service.verify(token)  # type: ignore[arg-type]
    assert error.value.code is ErrorCode.INVALID_TOKEN
    assert reason in str(error.value)
    if isinstance(token, str) and token:
        for part in token.split("."):
            assert len(part) < 8 or part not in str(error.value)


def test_a_token_round_trips(service: JwtTokenService) -> None:
    assert service.verify(service.issue(CLAIMS)) == CLAIMS


def test_the_header_and_claims_are_exactly_ours(service: JwtTokenService, keys: KeySet) -> None:
    token = service.issue(CLAIMS)
    assert jwt.get_unverified_header(token) == {
        "alg": "EdDSA", "kid": keys.current_kid, "typ": "signin-session+jwt"
    }
    claims = jwt.decode(token, options={"verify_signature": False})
    assert sorted(claims) == sorted(["iss", "aud", "sub", "sid", "jti", "iat", "nbf", "exp"])


def test_alg_none_is_refused(service: JwtTokenService, keys: KeySet) -> None:
    header = {"alg": "none", "typ": TOKEN_TYPE, "kid": keys.current_kid}
    refused(service, f"{b64(header)}.{b64(good_payload())}.", "algorithm not allowed")


def test_hs256_signed_with_the_public_key_is_refused(service: JwtTokenService, keys: KeySet) -> None:
    header = {"alg": "HS256", "typ": TOKEN_TYPE, "kid": keys.current_kid}
    signing_input = f"{b64(header)}.{b64(good_payload())}"
    for secret in (public_pem(keys.current.public_key()), base64.urlsafe_b64decode(
        public_jwk(keys.current.public_key())["x"] + "=")):
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        refused(service, f"{signing_input}.{b64(mac)}", "algorithm not allowed")


def test_a_foreign_kid_is_refused(service: JwtTokenService) -> None:
    refused(service, sign(Ed25519PrivateKey.generate(), good_payload()), "unknown key")


def test_a_missing_kid_is_refused(service: JwtTokenService, keys: KeySet) -> None:
    token = jwt.encode(good_payload(), keys.current, algorithm="EdDSA", headers={"typ": TOKEN_TYPE})
    refused(service, token, "unknown key")


@pytest.mark.parametrize("parameter", ["jku", "x5u"])
def test_a_jku_or_x5u_header_with_a_foreign_key_is_refused(
    service: JwtTokenService, keys: KeySet, parameter: str
) -> None:
    attacker = Ed25519PrivateKey.generate()
    pointing = {parameter: "https://attacker.example/jwks.json"}
    refused(service, sign(attacker, good_payload(), **pointing), "unknown key")
    # even naming our own kid, the signature is checked with our key only
    refused(service, sign(attacker, good_payload(), kid=keys.current_kid, **pointing), "bad signature")


def test_an_embedded_jwk_header_is_ignored(service: JwtTokenService, keys: KeySet) -> None:
    attacker = Ed25519PrivateKey.generate()
    embedded = {"jwk": public_jwk(attacker.public_key()), "kid": keys.current_kid}
    refused(service, sign(attacker, good_payload(), **embedded), "bad signature")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (good_payload(aud="https://other.example.com"), "wrong audience"),
        (good_payload(aud=[AUDIENCE, "https://other.example.com"]), "wrong audience"),
        (good_payload(iss="https://evil.example.com"), "wrong issuer"),
        (good_payload(sid=None), "missing claim sid"),
        (good_payload(jti=None), "missing claim jti"),
        (good_payload(nbf=None), "missing claim nbf"),
        (good_payload(sub=""), "claim sub"),
        (good_payload(exp="tomorrow"), "invalid claim exp"),
        (good_payload(exp=10**20), "invalid claim exp"),
        (good_payload(exp=float("nan")), "invalid claim exp"),
        (good_payload(iat=1.5), "invalid claim iat"),
        (good_payload(nbf=True), "invalid claim nbf"),
    ],
)
def test_wrong_claims_are_refused(
    service: JwtTokenService, keys: KeySet, payload: dict, reason: str
) -> None:
    refused(service, sign(keys.current, payload), reason)


@pytest.mark.parametrize("typ", ["JWT", "at+jwt", None])
def test_a_wrong_typ_is_refused(service: JwtTokenService, keys: KeySet, typ: str | None) -> None:
    refused(service, sign(keys.current, good_payload(), typ=typ), "wrong type")


def test_crit_header_is_refused(service: JwtTokenService, keys: KeySet) -> None:
    refused(service, sign(keys.current, good_payload(), crit=["exp"]), "header")


def test_expiry_follows_the_injected_clock_with_leeway(
    service: JwtTokenService, clock: MovableClock
) -> None:
    token = service.issue(CLAIMS)
    clock.advance(3600 + 29)
    assert service.verify(token) == CLAIMS
    clock.advance(1)
    refused(service, token, "expired")


def test_not_yet_valid_beyond_the_leeway_is_refused(
    service: JwtTokenService, keys: KeySet
) -> None:
    start = int(START.timestamp())
    assert service.verify(sign(keys.current, good_payload(nbf=start + 30, iat=start)))
    refused(service, sign(keys.current, good_payload(nbf=start + 31)), "not yet valid")
    refused(service, sign(keys.current, good_payload(iat=start + 600)), "issued in the future")


def test_a_tampered_payload_is_refused(service: JwtTokenService) -> None:
    header, _, signature = service.issue(CLAIMS).split(".")
    forged = b64(good_payload(sub="admin"))
    refused(service, f"{header}.{forged}.{signature}", "bad signature")


def test_a_tampered_signature_is_refused(service: JwtTokenService) -> None:
    token = service.issue(CLAIMS)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    refused(service, flipped, "")


@pytest.mark.parametrize(
    "garbage", ["", "abc", "a.b.c", "a.b", "....", "é.é.é", "x" * 5000, None, 42, b"bytes"]
)
def test_garbage_is_refused(service: JwtTokenService, garbage: object) -> None:
    refused(service, garbage, "malformed")


def test_a_token_of_the_previous_key_verifies_until_the_key_is_removed(
    keys: KeySet, clock: MovableClock
) -> None:
    old = JwtTokenService(keys, issuer=ISSUER, audience=AUDIENCE, clock=clock)
    token = old.issue(CLAIMS)
    rotated_keys = keys.rotated(Ed25519PrivateKey.generate())
    rotated = JwtTokenService(rotated_keys, issuer=ISSUER, audience=AUDIENCE, clock=clock)
    assert rotated.verify(token) == CLAIMS
    assert jwt.get_unverified_header(rotated.issue(CLAIMS))["kid"] == rotated_keys.current_kid
    assert rotated_keys.current_kid != keys.current_kid
    pruned = JwtTokenService(
        rotated_keys.without(keys.current_kid), issuer=ISSUER, audience=AUDIENCE, clock=clock
    )
    refused(pruned, token, "unknown key")


def test_the_jwks_holds_only_public_material_and_verifies_our_tokens(keys: KeySet) -> None:
    rotated = keys.rotated(Ed25519PrivateKey.generate())
    jwks = rotated.public_jwks()
    assert [k["kid"] for k in jwks["keys"]] == [rotated.current_kid, keys.current_kid]
    for entry in jwks["keys"]:
        assert set(entry) == {"kty", "crv", "x", "kid", "use", "alg"}
        assert (entry["kty"], entry["crv"], entry["use"], entry["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
    token = sign(rotated.current, good_payload())
    verifying = jwt.PyJWK.from_dict(jwks["keys"][0])
    no_times = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}
    assert jwt.decode(token, verifying, algorithms=["EdDSA"], audience=AUDIENCE, options=no_times)


def test_the_kid_is_the_rfc7638_thumbprint() -> None:
    # RFC 8037 appendix A.3: the thumbprint of the example Ed25519 key
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    key = jwt.PyJWK.from_dict({"kty": "OKP", "crv": "Ed25519", "x": x}).key
    assert thumbprint(key) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.mark.parametrize("leeway", [timedelta(seconds=61), timedelta(seconds=-1)])
def test_a_leeway_beyond_sixty_seconds_is_refused(
    keys: KeySet, clock: MovableClock, leeway: timedelta
) -> None:
    with pytest.raises(ValueError):
        JwtTokenService(keys, issuer=ISSUER, audience=AUDIENCE, clock=clock, leeway=leeway)
