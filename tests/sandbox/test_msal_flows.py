from __future__ import annotations

import hashlib

from adapters.azure_sandbox.testing import AAD_CLIENT_ID, B2C_CLIENT_ID, B2C_POLICY, B2C_TENANT, REDIRECT_URI

from .helpers import aad_app, b2c_app, discovery, verify_id_token

CONTOSO = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
B2C_TID = "b2c0ffee-4d3c-4b2a-8e1f-7a6b5c4d3e2f"


def test_msal_completes_azure_ad_code_flow_and_id_token_verifies(sandbox):
    app = aad_app(sandbox)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI)
    assert "code_challenge_method=S256" in flow["auth_uri"]
    reply = sandbox.sign_in(flow["auth_uri"], "alice@contoso.com")
    assert reply["state"] == flow["state"]
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert "error" not in result, result
    doc = discovery(sandbox, sandbox.aad_authority)
    claims = verify_id_token(sandbox, result["id_token"], doc["jwks_uri"], AAD_CLIENT_ID)
    assert claims["iss"] == doc["issuer"].replace("{tenantid}", claims["tid"])
    assert claims["iss"] == f"{sandbox.base_url}/{CONTOSO}/v2.0"
    assert claims["nonce"] == hashlib.sha256(flow["nonce"].encode()).hexdigest()
    assert claims["email"] == "alice@contoso.com" and claims["xms_edov"] is True
    assert claims["oid"] == "a11ce000-0000-4000-8000-00000000a11c"
    assert claims["ver"] == "2.0" and claims["preferred_username"] == "alice@contoso.com"
    assert result["access_token"] and result["refresh_token"]


def test_msal_completes_b2c_policy_flow_and_id_token_verifies(sandbox):
    app = b2c_app(sandbox)
    flow = app.initiate_auth_code_flow([], redirect_uri=REDIRECT_URI)
    reply = sandbox.sign_in(flow["auth_uri"], "bob@example.org")
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert "error" not in result, result
    doc = discovery(sandbox, sandbox.b2c_authority)
    assert doc["issuer"] == f"{sandbox.base_url}/{B2C_TID}/v2.0/"
    claims = verify_id_token(sandbox, result["id_token"], doc["jwks_uri"], B2C_CLIENT_ID)
    assert claims["iss"] == doc["issuer"]
    assert claims["tfp"] == B2C_POLICY and claims["emails"] == ["bob@example.org"]
    assert claims["sub"] == claims["oid"] == "b0b00000-0000-4000-8000-000000000b0b"
    assert "idp" not in claims


def test_msal_b2c_query_form_authority_works(sandbox):
    authority = f"{sandbox.base_url}/{B2C_TENANT}?p={B2C_POLICY}"
    app = b2c_app(sandbox, authority=authority)
    flow = app.initiate_auth_code_flow([], redirect_uri=REDIRECT_URI)
    assert "p=b2c_1a_signup_signin" in flow["auth_uri"]
    reply = sandbox.sign_in(flow["auth_uri"], "carol@gmail.com")
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert "error" not in result, result
    assert result["id_token_claims"]["idp"] == "google.com"
