from __future__ import annotations

import time

import httpx
import jwt
import msal
import pytest

from adapters.azure_sandbox.testing import AAD_CLIENT_ID, AAD_CLIENT_SECRET, REDIRECT_URI

from .helpers import aad_app, aad_sign_in, discovery, jwks_for

TOKEN_PATH = "/organizations/oauth2/v2.0/token"


def code_for(sandbox, nonce: str = "n0nce") -> str:
    url = (
        f"{sandbox.aad_authority}/oauth2/v2.0/authorize?client_id={AAD_CLIENT_ID}&response_type=code"
        f"&redirect_uri={REDIRECT_URI}&scope=openid+offline_access&nonce={nonce}"
    )
    return sandbox.sign_in(url, "alice@contoso.com")["code"]


def redeem(sandbox, code: str) -> httpx.Response:
    with sandbox.client() as client:
        return client.post(
            TOKEN_PATH,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "client_id": AAD_CLIENT_ID,
                "client_secret": AAD_CLIENT_SECRET,
            },
        )


def verified(sandbox, token: str, **options) -> dict:
    keys = jwks_for(sandbox, f"{sandbox.aad_authority}/discovery/v2.0/keys")
    key = keys[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key.key, algorithms=["RS256"], options={"verify_aud": False, **options})


def test_latency_delays_the_next_call_only(sandbox):
    sandbox.add_fault("discovery", latency_ms=300)
    with sandbox.client() as client:
        started = time.monotonic()
        assert client.get("/organizations/v2.0/.well-known/openid-configuration").status_code == 200
        slow = time.monotonic() - started
        started = time.monotonic()
        client.get("/organizations/v2.0/.well-known/openid-configuration")
        fast = time.monotonic() - started
    assert slow >= 0.3 and fast < 0.25


def test_status_with_retry_after_on_token_for_n_calls(sandbox):
    code = code_for(sandbox)
    sandbox.add_fault("token", status=503, retry_after=7, count=2)
    for _ in range(2):
        response = redeem(sandbox, code)
        assert response.status_code == 503 and response.headers["retry-after"] == "7"
        assert response.json()["error"] == "temporarily_unavailable"
    assert redeem(sandbox, code).status_code == 200


def test_msal_raises_on_a_token_endpoint_5xx(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    sandbox.add_fault("token", status=500)
    with pytest.raises(msal.exceptions.MsalServiceError):
        app.acquire_token_by_auth_code_flow(flow, reply)


def test_graph_throttling_is_graph_shaped(sandbox):
    sandbox.add_fault("graph", status=429, retry_after=2)
    with sandbox.client() as client:
        response = client.get("/graph/v1.0/me")
    assert response.status_code == 429 and response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "TooManyRequests"


def test_keys_and_authorize_status_faults(sandbox):
    sandbox.add_fault("keys", status=500)
    sandbox.add_fault("authorize", status=503)
    with sandbox.client() as client:
        assert client.get("/organizations/discovery/v2.0/keys").status_code == 500
        assert client.get("/organizations/oauth2/v2.0/authorize").status_code == 503


def test_malformed_discovery_body_breaks_msal_authority(sandbox):
    sandbox.add_fault("discovery", malformed_body=True)
    with pytest.raises(ValueError):
        aad_app(sandbox)


def test_malformed_token_body(sandbox):
    code = code_for(sandbox)
    sandbox.add_fault("token", malformed_body=True)
    response = redeem(sandbox, code)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_malformed_authorize_reply_has_neither_code_nor_error(sandbox):
    app = aad_app(sandbox)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI)
    sandbox.add_fault("authorize", malformed_body=True)
    reply = sandbox.sign_in(flow["auth_uri"], "alice@contoso.com")
    assert reply == {"state": flow["state"]}
    with pytest.raises(ValueError):
        app.acquire_token_by_auth_code_flow(flow, reply)


def test_malformed_id_token_breaks_msal(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    sandbox.add_fault("token", id_token="malformed")
    with pytest.raises(IndexError):
        app.acquire_token_by_auth_code_flow(flow, reply)


def test_nonce_override_makes_msal_raise(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    sandbox.add_fault("token", claims={"nonce": "someone-elses"})
    with pytest.raises(RuntimeError):
        app.acquire_token_by_auth_code_flow(flow, reply)


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("aud", "00000000-0000-0000-0000-00000000f00d"),
        ("iss", "https://evil.example/x/v2.0"),
        ("tid", "00000000-0000-0000-0000-0000000000aa"),
        ("nonce", "replayed"),
        ("exp", 1_000_000_000),
        ("iat", 4_000_000_000),
    ],
)
def test_claim_override_is_signed_in_the_id_token(sandbox, claim, value):
    code = code_for(sandbox)
    sandbox.add_fault("token", claims={claim: value})
    claims = verified(sandbox, redeem(sandbox, code).json()["id_token"], verify_exp=False, verify_iat=False)
    assert claims[claim] == value
    assert claims["oid"] == "a11ce000-0000-4000-8000-00000000a11c"


def test_claim_override_with_null_removes_the_claim(sandbox):
    code = code_for(sandbox)
    sandbox.add_fault("token", claims={"nonce": None})
    assert "nonce" not in verified(sandbox, redeem(sandbox, code).json()["id_token"])


def test_expired_override_fails_pyjwt_validation(sandbox):
    code = code_for(sandbox)
    sandbox.add_fault("token", claims={"exp": int(time.time()) - 86400})
    with pytest.raises(jwt.ExpiredSignatureError):
        verified(sandbox, redeem(sandbox, code).json()["id_token"])


def test_bad_signature_fails_verification(sandbox):
    code = code_for(sandbox)
    sandbox.add_fault("token", id_token="bad_signature")
    token = redeem(sandbox, code).json()["id_token"]
    assert jwt.decode(token, options={"verify_signature": False})["oid"]
    with pytest.raises(jwt.InvalidSignatureError):
        verified(sandbox, token)


def test_alg_none_token_is_unsigned_and_rejected(sandbox):
    code = code_for(sandbox)
    sandbox.add_fault("token", id_token="alg_none")
    token = redeem(sandbox, code).json()["id_token"]
    assert jwt.get_unverified_header(token)["alg"] == "none" and token.endswith(".")
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(token, "irrelevant", algorithms=["RS256"])


def test_faults_are_listed_validated_and_cleared(sandbox):
    with sandbox.client() as client:
        assert client.post("/_sandbox/faults", json={"endpoint": "nowhere"}).status_code == 400
        assert (
            client.post("/_sandbox/faults", json={"endpoint": "graph", "claims": {"aud": "x"}}).status_code
            == 400
        )
        assert (
            client.post("/_sandbox/faults", json={"endpoint": "token", "id_token": "weird"}).status_code
            == 400
        )
        assert client.post("/_sandbox/faults", json={"endpoint": "token", "status": 500}).status_code == 201
        assert len(client.get("/_sandbox/faults").json()["faults"]) == 1
        assert client.delete("/_sandbox/faults").status_code == 204
        assert client.get("/_sandbox/faults").json() == {"faults": []}
    assert redeem(sandbox, code_for(sandbox)).status_code == 200


def test_discovery_is_not_faulted_by_a_token_fault(sandbox):
    sandbox.add_fault("token", status=500)
    assert discovery(sandbox, sandbox.aad_authority)["issuer"]


def test_msal_accepts_overridden_aud_and_iss_which_is_why_the_service_validates(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    sandbox.add_fault("token", claims={"aud": "someone-else", "iss": "https://evil.example/v2.0"})
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert result["id_token_claims"]["aud"] == "someone-else"
    assert isinstance(app, msal.ConfidentialClientApplication)
