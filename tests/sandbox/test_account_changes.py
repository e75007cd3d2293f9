"""Directory changes at "Microsoft" (test hooks) and what the token endpoint then says to
a refresh token; Microsoft's sign-out and the front-channel logout URLs it names."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.azure_sandbox.testing import AAD_CLIENT_ID, REDIRECT_URI

from .helpers import aad_sign_in, b2c_app, discovery, verify_id_token

CONTOSO = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
ALICE = "alice@contoso.com"


def signed_in(sandbox, username: str = ALICE):
    app, flow, reply = aad_sign_in(sandbox, username)
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert "error" not in result, result
    return app, result


def refreshed(app, result):
    return app.acquire_token_by_refresh_token(result["refresh_token"], ["User.Read"])


def hook(sandbox, method: str, path: str) -> httpx.Response:
    with sandbox.client() as client:
        return client.request(method, f"/_sandbox/{path}")


def test_a_refresh_token_renews_with_the_same_microsoft_session(sandbox):
    app, result = signed_in(sandbox)
    renewed = refreshed(app, result)
    assert "error" not in renewed, renewed
    jwks = discovery(sandbox, sandbox.aad_authority)["jwks_uri"]
    first = verify_id_token(sandbox, result["id_token"], jwks, AAD_CLIENT_ID)
    second = verify_id_token(sandbox, renewed["id_token"], jwks, AAD_CLIENT_ID)
    assert isinstance(first["sid"], str) and len(first["sid"]) == 36
    assert second["sid"] == first["sid"] and "nonce" not in second


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("POST", "users/alice@contoso.com/disable", 50057),
        ("POST", "users/alice@contoso.com/reset-password", 50173),
        ("POST", "users/alice@contoso.com/revoke-sessions", 50173),
        ("DELETE", "users/alice@contoso.com", 50034),
    ],
)
def test_a_changed_account_refuses_its_refresh_tokens(sandbox, method, path, code):
    app, result = signed_in(sandbox)
    assert hook(sandbox, method, path).status_code == 200
    refused = refreshed(app, result)
    assert refused["error"] == "invalid_grant"
    assert refused["error_codes"] == [code]
    assert refused["error_description"].startswith(f"AADSTS{code}: ")


def test_a_disabled_account_cannot_sign_in_and_can_once_enabled(sandbox):
    assert hook(sandbox, "POST", "users/alice@contoso.com/disable").status_code == 200
    with pytest.raises(AssertionError, match="AADSTS50057"):
        aad_sign_in(sandbox, ALICE)
    assert hook(sandbox, "POST", "users/alice@contoso.com/enable").json()["disabled"] is False
    app, result = signed_in(sandbox)
    assert "error" not in refreshed(app, result)


def test_a_sign_in_after_a_password_reset_gets_working_tokens(sandbox, clock):
    app, old = signed_in(sandbox)
    hook(sandbox, "POST", "users/alice@contoso.com/reset-password")
    clock.advance(1)
    app, new = signed_in(sandbox)
    assert "error" not in refreshed(app, new)
    assert refreshed(app, old)["error_codes"] == [50173]


def test_other_users_keep_their_refresh_tokens(sandbox):
    app, result = signed_in(sandbox)
    hook(sandbox, "POST", "users/erin@contoso.com/disable")
    assert "error" not in refreshed(app, result)


def test_b2c_refuses_a_disabled_accounts_refresh_token_with_its_own_code(sandbox):
    app = b2c_app(sandbox)
    flow = app.initiate_auth_code_flow([], redirect_uri=REDIRECT_URI)
    result = app.acquire_token_by_auth_code_flow(flow, sandbox.sign_in(flow["auth_uri"], "bob@example.org"))
    hook(sandbox, "POST", "users/bob@example.org/disable")
    refused = app.acquire_token_by_refresh_token(result["refresh_token"], [])
    assert refused["error"] == "invalid_grant"
    assert refused["error_description"].startswith("AADB2C90129: ")


def test_hooks_on_an_unknown_user_are_not_found(sandbox):
    for method, path in (("POST", "users/nobody@contoso.com/disable"), ("DELETE", "users/nobody@contoso.com"),
                         ("POST", "users/nobody@contoso.com/signout")):
        assert hook(sandbox, method, path).status_code == 404


def test_sign_out_names_each_microsoft_session_for_the_front_channel_url(sandbox):
    _, first = signed_in(sandbox)
    _, second = signed_in(sandbox)
    signed_in(sandbox, "erin@contoso.com")
    jwks = discovery(sandbox, sandbox.aad_authority)["jwks_uri"]
    sids = [verify_id_token(sandbox, r["id_token"], jwks, AAD_CLIENT_ID)["sid"] for r in (first, second)]
    urls = hook(sandbox, "POST", "users/alice@contoso.com/signout").json()["frontchannel"]
    assert len(urls) == 2
    for url, sid in zip(urls, sids, strict=True):
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://localhost:8000/logout/frontchannel"
        assert parse_qs(parts.query) == {"iss": [f"{sandbox.base_url}/{CONTOSO}/v2.0"], "sid": [sid]}
    assert hook(sandbox, "POST", "users/alice@contoso.com/signout").json() == {"frontchannel": []}
