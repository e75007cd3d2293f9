from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

from adapters.azure_sandbox.testing import (
    AAD_CLIENT_ID,
    AAD_CLIENT_SECRET,
    B2C_CLIENT_ID,
    B2C_PASSWORD_RESET_POLICY,
    B2C_TENANT,
    REDIRECT_URI,
)

from .helpers import aad_app, aad_sign_in, b2c_app

CONTOSO = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
FABRIKAM = "fab0c9d8-e7f6-4a5b-8c9d-0e1f2a3b4c5d"
CONSUMERS = "9188040d-6c67-4c5b-b112-36a304b66dad"


def authorize_url(sandbox, authority: str, client_id: str = AAD_CLIENT_ID, **params: str) -> str:
    query = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile offline_access",
        **params,
    }
    return f"{authority}/oauth2/v2.0/authorize?{urlencode(query)}"


def redeem(sandbox, authority: str, code: str, client_id=AAD_CLIENT_ID, secret=AAD_CLIENT_SECRET) -> dict:
    with sandbox.client() as client:
        response = client.post(
            f"{authority}/oauth2/v2.0/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "client_id": client_id,
                "client_secret": secret,
            },
        )
    assert response.status_code == 200, response.text
    return response.json()


def id_claims(body: dict) -> dict:
    return jwt.decode(body["id_token"], options={"verify_signature": False})


def sign_in_claims(sandbox, username: str, authority: str | None = None, **fields: str) -> dict:
    authority = authority or sandbox.aad_authority
    reply = sandbox.sign_in(authorize_url(sandbox, authority), username, **fields)
    return id_claims(redeem(sandbox, authority, reply["code"]))


def test_form_lists_the_realms_users_and_posts_to_the_same_url(sandbox):
    url = authorize_url(sandbox, f"{sandbox.base_url}/{CONTOSO}", state="s1")
    with sandbox.client() as client:
        page = client.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "alice@contoso.com" in page.text and "frank@fabrikam.com#contoso" in page.text
    assert "mallory@evil.example" not in page.text
    actions = set(re.findall(r'<form method="post" action="([^"]+)"', page.text))
    assert actions == {urlsplit(url).path + "?" + urlsplit(url).query.replace("&", "&amp;")}
    assert 'name="action" value="deny"' in page.text


def test_state_and_nonce_are_echoed_exactly(sandbox):
    state, nonce = "a b+c/d=é&x", "n-🙂-0123"
    url = authorize_url(sandbox, sandbox.aad_authority, state=state, nonce=nonce)
    reply = sandbox.sign_in(url, "alice@contoso.com")
    assert reply["state"] == state
    assert id_claims(redeem(sandbox, sandbox.aad_authority, reply["code"]))["nonce"] == nonce


def test_contoso_member_has_verified_email(sandbox):
    claims = sign_in_claims(sandbox, "erin@contoso.com")
    assert claims["tid"] == CONTOSO and claims["email"] == "erin@contoso.com" and claims["xms_edov"] is True
    assert claims["iss"] == f"{sandbox.base_url}/{CONTOSO}/v2.0"


def test_hostile_tenant_claims_alices_email_unverified(sandbox):
    claims = sign_in_claims(sandbox, "mallory@evil.example")
    assert claims["email"] == "alice@contoso.com" and claims["xms_edov"] is False
    assert claims["tid"] != CONTOSO and claims["preferred_username"] == "mallory@evil.example"


def test_frank_at_home_and_as_guest_in_contoso(sandbox):
    home = sign_in_claims(sandbox, "frank@fabrikam.com")
    guest = sign_in_claims(sandbox, "frank@fabrikam.com#contoso")
    assert home["tid"] == FABRIKAM and home["xms_edov"] is True and "idp" not in home
    assert guest["tid"] == CONTOSO and guest["oid"] != home["oid"]
    assert guest["idp"] == f"{sandbox.base_url}/{FABRIKAM}/v2.0" and "xms_edov" not in guest
    assert guest["preferred_username"] == "frank@fabrikam.com"


def test_guest_is_also_reached_through_contosos_own_authority_or_the_tenant_field(sandbox):
    contoso = f"{sandbox.base_url}/{CONTOSO}"
    assert sign_in_claims(sandbox, "frank@fabrikam.com", authority=contoso)["idp"].endswith(
        f"{FABRIKAM}/v2.0"
    )
    assert sign_in_claims(sandbox, "frank@fabrikam.com", tenant="contoso")["tid"] == CONTOSO


def test_personal_account_on_common_but_not_on_organizations(sandbox):
    claims = sign_in_claims(sandbox, "dave@outlook.com", authority=f"{sandbox.base_url}/common")
    assert claims["tid"] == CONSUMERS
    url = authorize_url(sandbox, sandbox.aad_authority)
    with sandbox.client() as client:
        page = client.post(url, data={"username": "dave@outlook.com", "action": "signin"})
    assert page.status_code == 400 and "AADSTS50034" in page.text


def test_azure_ad_deny_and_cancel_are_access_denied_65004(sandbox):
    for action in ("deny", "cancel"):
        reply = sandbox.sign_in(authorize_url(sandbox, sandbox.aad_authority, state="st"), "", action=action)
        assert reply["error"] == "access_denied" and reply["state"] == "st"
        assert reply["error_description"].startswith("AADSTS65004: ")
        assert "code" not in reply


def test_b2c_cancel_forgot_password_and_deny(sandbox):
    app = b2c_app(sandbox)
    expected = {"cancel": "AADB2C90091: ", "forgot_password": "AADB2C90118: ", "deny": "AADB2C90273: "}
    for action, prefix in expected.items():
        flow = app.initiate_auth_code_flow([], redirect_uri=REDIRECT_URI)
        reply = sandbox.sign_in(flow["auth_uri"], "bob@example.org", action=action)
        assert reply["error"] == "access_denied" and reply["state"] == flow["state"]
        assert reply["error_description"].startswith(prefix)
        assert "Correlation ID: " in reply["error_description"]
        result = app.acquire_token_by_auth_code_flow(flow, reply)
        assert result["error"] == "access_denied"


def test_unknown_b2c_email_signs_up_a_verified_local_account(sandbox):
    app = b2c_app(sandbox)
    flow = app.initiate_auth_code_flow([], redirect_uri=REDIRECT_URI)
    reply = sandbox.sign_in(flow["auth_uri"], "New.Person@Example.net")
    claims = app.acquire_token_by_auth_code_flow(flow, reply)["id_token_claims"]
    assert claims["emails"] == ["new.person@example.net"] and "idp" not in claims
    users = sandbox.hook("GET", "users?tenant=posterlabappdev")["users"]
    created = next(u for u in users if u["username"] == "new.person@example.net")
    assert created["oid"] == claims["oid"]


def test_password_reset_policy_does_not_sign_up(sandbox):
    authority = f"{sandbox.base_url}/{B2C_TENANT}/{B2C_PASSWORD_RESET_POLICY}"
    flow = b2c_app(sandbox, authority=authority).initiate_auth_code_flow([], redirect_uri=REDIRECT_URI)
    with sandbox.client() as client:
        page = client.post(flow["auth_uri"], data={"username": "nobody@example.net", "action": "signin"})
    assert page.status_code == 400 and "AADB2C99002" in page.text
    reply = sandbox.sign_in(flow["auth_uri"], "bob@example.org")
    assert "code" in reply


def test_loopback_redirect_uri_matches_on_any_port(sandbox):
    url = authorize_url(sandbox, sandbox.aad_authority, redirect_uri="http://localhost:51234/redirect")
    with sandbox.client() as client:
        response = client.post(url, data={"username": "alice@contoso.com", "action": "signin"})
        other_path = client.get(
            authorize_url(sandbox, sandbox.aad_authority, redirect_uri="http://localhost:51234/other")
        )
    assert response.status_code == 302
    assert response.headers["location"].startswith("http://localhost:51234/redirect?code=")
    assert other_path.status_code == 400 and "AADSTS50011" in other_path.text


def test_form_post_response_mode_posts_code_and_state(sandbox):
    url = authorize_url(sandbox, sandbox.aad_authority, response_mode="form_post", state="xyz")
    with sandbox.client() as client:
        page = client.post(url, data={"username": "alice@contoso.com", "action": "signin"})
    assert page.status_code == 200
    assert f'action="{REDIRECT_URI}"' in page.text
    assert 'name="state" value="xyz"' in page.text and 'name="code"' in page.text


def test_prompt_none_without_session_is_login_required(sandbox):
    with sandbox.client() as client:
        response = client.get(authorize_url(sandbox, sandbox.aad_authority, prompt="none", state="q"))
    params = parse_qs(urlsplit(response.headers["location"]).query)
    assert params["error"] == ["login_required"] and params["error_description"][0].startswith("AADSTS50058")


def test_unknown_client_id_is_an_error_page(sandbox):
    with sandbox.client() as client:
        page = client.get(authorize_url(sandbox, sandbox.aad_authority, client_id=B2C_CLIENT_ID))
    assert page.status_code == 400 and "AADSTS700016" in page.text


def test_unsupported_response_type_redirects_with_error(sandbox):
    with sandbox.client() as client:
        response = client.get(authorize_url(sandbox, sandbox.aad_authority, response_type="token"))
    params = parse_qs(urlsplit(response.headers["location"]).query)
    assert params["error"] == ["unsupported_response_type"]


def test_msal_sign_in_of_guest_by_username(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "frank@fabrikam.com#contoso")
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert result["id_token_claims"]["tid"] == CONTOSO


def test_aad_app_reaches_a_tenant_authority(sandbox):
    app = aad_app(sandbox, authority=f"{sandbox.base_url}/{CONTOSO}")
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI)
    result = app.acquire_token_by_auth_code_flow(flow, sandbox.sign_in(flow["auth_uri"], "alice@contoso.com"))
    assert result["id_token_claims"]["tid"] == CONTOSO


class _Buttons(HTMLParser):
    """The visible text of each account button (those POSTing a hidden `username`)."""

    def __init__(self) -> None:
        super().__init__()
        self.accounts: list[str] = []
        self._in_button = False
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "button" and dict(attrs).get("aria-describedby", "").startswith("account-"):
            self._in_button, self._text = True, ""

    def handle_data(self, data):
        if self._in_button:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "button" and self._in_button:
            self.accounts.append(self._text)
            self._in_button = False


def test_each_account_button_reads_exactly_its_sign_in_name(sandbox):
    with sandbox.client() as client:
        page = client.get(authorize_url(sandbox, sandbox.aad_authority, state="s")).text
    buttons = _Buttons()
    buttons.feed(page)
    assert "alice@contoso.com" in buttons.accounts
    assert "frank@fabrikam.com#contoso" in buttons.accounts
    for name in buttons.accounts:
        assert f'name="username" value="{name}"' in page


def test_the_password_reset_policy_has_a_page_of_its_own(sandbox):
    reset = f"{sandbox.base_url}/{B2C_TENANT}/{B2C_PASSWORD_RESET_POLICY}"
    signin = sandbox.b2c_authority
    with sandbox.client() as client:
        reset_page = client.get(authorize_url(sandbox, reset, client_id=B2C_CLIENT_ID, state="s")).text
        signin_page = client.get(authorize_url(sandbox, signin, client_id=B2C_CLIENT_ID, state="s")).text
    assert "<h1>Reset your password</h1>" in reset_page and "Reset your password" not in signin_page
    assert "Forgot your password?" in signin_page and "Forgot your password?" not in reset_page
    assert 'value="signin">Continue</button>' in reset_page  # scripts still POST action=signin
