from __future__ import annotations

import base64
import re

import pytest

from adapters.azure_sandbox.testing import (
    AAD_CLIENT_ID,
    AAD_CLIENT_SECRET,
    B2C_CLIENT_ID,
    REDIRECT_URI,
)

from .helpers import aad_app, aad_sign_in, b2c_app

AZURE_DESCRIPTION = re.compile(
    r"^AADSTS(?P<code>\d+): .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}"
    r"\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$",
    re.S,
)


def assert_azure_error(body: dict, error: str, code: int) -> None:
    assert body["error"] == error, body
    match = AZURE_DESCRIPTION.match(body["error_description"])
    assert match and int(match["code"]) == code, body["error_description"]
    assert body["error_codes"] == [code]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", body["timestamp"])
    assert body["trace_id"] in body["error_description"]
    assert body["correlation_id"] in body["error_description"]
    assert body["error_uri"].endswith(f"/error?code={code}")


def test_pkce_mismatch_is_invalid_grant_501481(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    flow["code_verifier"] = "x" * 43
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert_azure_error(result, "invalid_grant", 501481)


def test_reused_code_is_invalid_grant_54005(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    first = app.acquire_token_by_auth_code_flow(dict(flow), reply)
    assert "access_token" in first
    second = aad_app(sandbox).acquire_token_by_auth_code_flow(dict(flow), reply)
    assert_azure_error(second, "invalid_grant", 54005)


def test_code_expires_after_ten_minutes_70008(sandbox, clock):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    clock.advance(601)
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert_azure_error(result, "invalid_grant", 70008)


def test_code_is_still_good_just_before_ten_minutes(sandbox, clock):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    clock.advance(599)
    assert "access_token" in app.acquire_token_by_auth_code_flow(flow, reply)


def test_wrong_secret_is_invalid_client_7000215_with_401(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    bad = aad_app(sandbox, secret="not-the-secret")
    result = bad.acquire_token_by_auth_code_flow(flow, reply)
    assert_azure_error(result, "invalid_client", 7000215)
    with sandbox.client() as client:
        response = client.post(
            "/organizations/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": AAD_CLIENT_ID,
                "client_secret": "nope",
                "scope": "https://graph.microsoft.com/.default",
            },
        )
    assert response.status_code == 401
    assert_azure_error(response.json(), "invalid_client", 7000215)


def test_unregistered_redirect_uri_is_an_error_page_50011_not_a_redirect(sandbox):
    app = aad_app(sandbox)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri="https://attacker.example/cb")
    with sandbox.client() as client:
        response = client.get(flow["auth_uri"])
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "AADSTS50011" in response.text


def test_unregistered_redirect_uri_on_b2c_is_aadb2c90006(sandbox):
    flow = b2c_app(sandbox).initiate_auth_code_flow([], redirect_uri="http://localhost:8000/elsewhere")
    with sandbox.client() as client:
        response = client.get(flow["auth_uri"])
    assert response.status_code == 400 and "AADB2C90006" in response.text


def test_token_redirect_uri_differing_from_authorize_is_rejected(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    flow["redirect_uri"] = "http://localhost:8000/auth/redirect-uri"
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert_azure_error(result, "invalid_grant", 500112)


def test_b2c_errors_have_b2c_shape(sandbox, clock):
    app = b2c_app(sandbox)
    flow = app.initiate_auth_code_flow([], redirect_uri=REDIRECT_URI)
    reply = sandbox.sign_in(flow["auth_uri"], "bob@example.org")
    clock.advance(601)
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert result["error"] == "invalid_grant"
    assert re.match(
        r"^AADB2C90080: .+\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: .+Z\r\n$",
        result["error_description"],
        re.S,
    )
    assert "error_codes" not in result


def test_b2c_wrong_secret_is_invalid_client(sandbox):
    flow = b2c_app(sandbox).initiate_auth_code_flow([], redirect_uri=REDIRECT_URI)
    reply = sandbox.sign_in(flow["auth_uri"], "bob@example.org")
    result = b2c_app(sandbox, secret="wrong").acquire_token_by_auth_code_flow(flow, reply)
    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADB2C90081: ")


def test_client_secret_basic_is_accepted(sandbox):
    app = aad_app(sandbox)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI)
    reply = sandbox.sign_in(flow["auth_uri"], "erin@contoso.com")
    basic = base64.b64encode(f"{AAD_CLIENT_ID}:{AAD_CLIENT_SECRET}".encode()).decode()
    with sandbox.client() as client:
        response = client.post(
            "/organizations/oauth2/v2.0/token",
            headers={"Authorization": f"Basic {basic}"},
            data={
                "grant_type": "authorization_code",
                "code": reply["code"],
                "redirect_uri": REDIRECT_URI,
                "code_verifier": flow["code_verifier"],
                "scope": "User.Read openid offline_access",
            },
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["id_token"] and body["refresh_token"]
    assert response.headers["cache-control"] == "no-store"


def test_missing_verifier_when_challenge_was_sent_is_rejected(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    with sandbox.client() as client:
        response = client.post(
            "/organizations/oauth2/v2.0/token",
            data={
                "grant_type": "authorization_code",
                "code": reply["code"],
                "redirect_uri": REDIRECT_URI,
                "client_id": AAD_CLIENT_ID,
                "client_secret": AAD_CLIENT_SECRET,
            },
        )
    assert_azure_error(response.json(), "invalid_grant", 501481)


def test_refresh_token_grant_issues_new_tokens(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    first = app.acquire_token_by_auth_code_flow(flow, reply)
    refreshed = aad_app(sandbox).acquire_token_by_refresh_token(first["refresh_token"], ["User.Read"])
    assert "access_token" in refreshed, refreshed
    assert refreshed["id_token_claims"]["oid"] == first["id_token_claims"]["oid"]
    assert "nonce" not in refreshed["id_token_claims"]


def test_unknown_refresh_token_is_invalid_grant(sandbox):
    result = aad_app(sandbox).acquire_token_by_refresh_token("1.sbx-rt.forged", ["User.Read"])
    assert_azure_error(result, "invalid_grant", 9002313)


@pytest.mark.parametrize("scope", ["User.Read", "https://graph.microsoft.com/User.Read"])
def test_client_credentials_needs_a_default_scope(sandbox, scope):
    result = aad_app(
        sandbox, authority=f"{sandbox.base_url}/contoso.onmicrosoft.com"
    ).acquire_token_for_client([scope])
    assert_azure_error(result, "invalid_scope", 1002012)


def test_client_credentials_in_b2c_tenant_gives_graph_app_token(sandbox):
    app = b2c_app(sandbox, authority=sandbox.b2c_graph_authority)
    result = app.acquire_token_for_client(["https://graph.microsoft.com/.default"])
    assert result["token_type"] == "Bearer" and result["access_token"], result


def test_b2c_app_cannot_use_an_azure_ad_tenant(sandbox):
    with sandbox.client() as client:
        response = client.post(
            "/organizations/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": B2C_CLIENT_ID,
                "client_secret": "x",
                "scope": "https://graph.microsoft.com/.default",
            },
        )
    assert_azure_error(response.json(), "unauthorized_client", 700016)
