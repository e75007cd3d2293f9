from __future__ import annotations

import base64
import hashlib

import jwt
from cryptography import x509

from adapters.azure_sandbox.testing import AAD_CLIENT_ID, B2C_POLICY, B2C_TENANT

from .helpers import aad_sign_in, discovery, jwks_for, verify_id_token

CONTOSO = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
B2C_TID = "b2c0ffee-4d3c-4b2a-8e1f-7a6b5c4d3e2f"


def fresh_id_token(sandbox) -> str:
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    return app.acquire_token_by_auth_code_flow(flow, reply)["id_token"]


def test_rotation_keeps_previous_key_published(sandbox):
    keys_uri = f"{sandbox.aad_authority}/discovery/v2.0/keys"
    before = fresh_id_token(sandbox)
    old_kid = jwt.get_unverified_header(before)["kid"]
    rotated = sandbox.rotate_keys("aad")
    after = fresh_id_token(sandbox)
    assert jwt.get_unverified_header(after)["kid"] == rotated["aad"] != old_kid
    with sandbox.client() as client:
        kids = [k["kid"] for k in client.get(keys_uri).json()["keys"]]
    assert kids == [rotated["aad"], old_kid]
    assert verify_id_token(sandbox, before, keys_uri, AAD_CLIENT_ID)["oid"]
    assert verify_id_token(sandbox, after, keys_uri, AAD_CLIENT_ID)["oid"]


def test_second_rotation_drops_the_oldest_key(sandbox):
    keys_uri = f"{sandbox.aad_authority}/discovery/v2.0/keys"
    before = fresh_id_token(sandbox)
    sandbox.rotate_keys()
    sandbox.rotate_keys()
    kid = jwt.get_unverified_header(before)["kid"]
    assert kid not in [k.key_id for k in jwks_for(sandbox, keys_uri).keys]


def test_aad_keys_have_x5t_equal_kid_and_a_matching_certificate(sandbox):
    with sandbox.client() as client:
        keys = client.get(f"/{CONTOSO}/discovery/v2.0/keys").json()["keys"]
    for key in keys:
        assert key["kty"] == "RSA" and key["use"] == "sig" and key["e"] == "AQAB"
        assert key["x5t"] == key["kid"]
        der = base64.b64decode(key["x5c"][0])
        thumb = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
        assert thumb == key["kid"]
        assert x509.load_der_x509_certificate(der).public_key().public_numbers().e == 65537
        assert key["issuer"] == f"{sandbox.base_url}/{{tenantid}}/v2.0"


def test_b2c_keys_are_a_separate_set(sandbox):
    with sandbox.client() as client:
        aad = client.get("/organizations/discovery/v2.0/keys").json()["keys"]
        b2c = client.get(f"/{B2C_TENANT}/{B2C_POLICY}/discovery/v2.0/keys").json()["keys"]
        b2c_query = client.get(f"/{B2C_TENANT}/discovery/v2.0/keys?p={B2C_POLICY}").json()["keys"]
    assert {k["kid"] for k in aad}.isdisjoint({k["kid"] for k in b2c})
    assert b2c == b2c_query and "x5c" not in b2c[0]


def test_organizations_discovery_has_template_issuer_and_azure_fields(sandbox):
    doc = discovery(sandbox, sandbox.aad_authority)
    assert doc["issuer"] == f"{sandbox.base_url}/{{tenantid}}/v2.0"
    assert doc["authorization_endpoint"] == f"{sandbox.base_url}/organizations/oauth2/v2.0/authorize"
    assert doc["token_endpoint"] == f"{sandbox.base_url}/organizations/oauth2/v2.0/token"
    assert doc["end_session_endpoint"] == f"{sandbox.base_url}/organizations/oauth2/v2.0/logout"
    assert doc["jwks_uri"] == f"{sandbox.base_url}/organizations/discovery/v2.0/keys"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["response_modes_supported"] == ["query", "fragment", "form_post"]
    assert doc["subject_types_supported"] == ["pairwise"]
    assert set(doc["token_endpoint_auth_methods_supported"]) >= {"client_secret_post", "client_secret_basic"}
    assert "email" in doc["claims_supported"] and doc["http_logout_supported"] is True
    assert discovery(sandbox, f"{sandbox.base_url}/common")["issuer"] == doc["issuer"]


def test_tenant_discovery_has_concrete_issuer_by_id_or_domain(sandbox):
    by_id = discovery(sandbox, f"{sandbox.base_url}/{CONTOSO}")
    by_name = discovery(sandbox, f"{sandbox.base_url}/contoso.onmicrosoft.com")
    assert by_id["issuer"] == by_name["issuer"] == f"{sandbox.base_url}/{CONTOSO}/v2.0"
    consumers = discovery(sandbox, f"{sandbox.base_url}/consumers")
    assert consumers["issuer"] == f"{sandbox.base_url}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"


def test_b2c_discovery_in_both_forms(sandbox):
    path_form = discovery(sandbox, f"{sandbox.base_url}/{B2C_TENANT}/{B2C_POLICY}")
    query_form = discovery(sandbox, f"{sandbox.base_url}/{B2C_TENANT}", f"?p={B2C_POLICY}")
    issuer = f"{sandbox.base_url}/{B2C_TID}/v2.0/"
    assert path_form["issuer"] == query_form["issuer"] == issuer
    assert path_form["authorization_endpoint"].endswith("/b2c_1a_signup_signin/oauth2/v2.0/authorize")
    assert query_form["token_endpoint"].endswith(f"/{B2C_TENANT}/oauth2/v2.0/token?p=b2c_1a_signup_signin")
    assert path_form["scopes_supported"] == ["openid"]


def test_unknown_tenant_or_policy_is_400(sandbox):
    with sandbox.client() as client:
        tenant = client.get("/nowhere.example/v2.0/.well-known/openid-configuration")
        policy = client.get(f"/{B2C_TENANT}/B2C_1A_NOPE/v2.0/.well-known/openid-configuration")
        other = client.get("/just/some/path")
    assert tenant.status_code == 400 and tenant.json()["error_codes"] == [90002]
    assert policy.status_code == 400 and "B2C_1A_NOPE" in policy.json()["error_description"]
    assert other.status_code == 404
