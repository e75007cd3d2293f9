from __future__ import annotations

import re

from adapters.azure_sandbox.testing import GRAPH_SCOPE, running_sandbox

from .helpers import aad_sign_in, b2c_app

BOB = "b0b00000-0000-4000-8000-000000000b0b"
CAROL = "ca401000-0000-4000-8000-00000000ca40"


def user_token(sandbox, username="alice@contoso.com") -> str:
    app, flow, reply = aad_sign_in(sandbox, username)
    return app.acquire_token_by_auth_code_flow(flow, reply)["access_token"]


def app_token(sandbox) -> str:
    result = b2c_app(sandbox, authority=sandbox.b2c_graph_authority).acquire_token_for_client([GRAPH_SCOPE])
    return result["access_token"]


def graph(sandbox, path: str, token: str | None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with sandbox.client() as client:
        return client.get(f"/graph/v1.0/{path}", headers=headers, params=params)


def assert_graph_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", error["innerError"]["date"])


def test_me_returns_the_default_user_fields(sandbox):
    response = graph(sandbox, "me", user_token(sandbox))
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"].endswith("/graph/v1.0/$metadata#users/$entity")
    assert set(body) - {"@odata.context"} == {
        "businessPhones",
        "displayName",
        "givenName",
        "id",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
    }
    assert body["id"] == "a11ce000-0000-4000-8000-00000000a11c" and body["mail"] == "alice@contoso.com"


def test_me_honours_select_with_identities(sandbox):
    response = graph(
        sandbox,
        "me",
        user_token(sandbox, "mallory@evil.example"),
        **{"$select": "id,mail,otherMails,identities"},
    )
    body = response.json()
    assert set(body) == {"@odata.context", "id", "mail", "otherMails", "identities"}
    assert body["mail"] == "alice@contoso.com"
    assert body["identities"] == [
        {
            "signInType": "userPrincipalName",
            "issuer": "evilcorp.onmicrosoft.com",
            "issuerAssignedId": "mallory@evil.example",
        }
    ]


def test_users_by_id_with_app_token_shows_b2c_identities(sandbox):
    token = app_token(sandbox)
    select = {"$select": "id,displayName,mail,otherMails,userPrincipalName,identities"}
    bob = graph(sandbox, f"users/{BOB}", token, **select).json()
    assert bob["otherMails"] == ["bob@example.org"] and bob["mail"] is None
    assert bob["identities"][0] == {
        "signInType": "emailAddress",
        "issuer": "posterlabappdev.onmicrosoft.com",
        "issuerAssignedId": "bob@example.org",
    }
    carol = graph(sandbox, f"users/{CAROL}", token, **select).json()
    assert carol["identities"][0]["signInType"] == "federated"
    assert carol["identities"][0]["issuer"] == "google.com"


def test_missing_token_is_401(sandbox):
    assert_graph_error(graph(sandbox, "me", None), 401, "InvalidAuthenticationToken")
    assert_graph_error(graph(sandbox, f"users/{BOB}", None), 401, "InvalidAuthenticationToken")


def test_expired_token_is_401(sandbox, clock):
    token = user_token(sandbox)
    clock.advance(3600)
    response = graph(sandbox, "me", token)
    assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert "expired" in response.json()["error"]["message"]


def test_foreign_token_is_401(sandbox, sandbox_state_dir):
    with running_sandbox(sandbox_state_dir) as other:
        foreign = user_token(other)
    assert_graph_error(graph(sandbox, "me", foreign), 401, "InvalidAuthenticationToken")


def test_id_token_is_not_a_graph_token(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    id_token = app.acquire_token_by_auth_code_flow(flow, reply)["id_token"]
    assert_graph_error(graph(sandbox, "me", id_token), 401, "InvalidAuthenticationToken")


def test_app_token_cannot_call_me_and_user_token_cannot_list_users(sandbox):
    assert_graph_error(graph(sandbox, "me", app_token(sandbox)), 400, "BadRequest")
    assert_graph_error(
        graph(sandbox, f"users/{BOB}", user_token(sandbox)), 403, "Authorization_RequestDenied"
    )


def test_unknown_or_other_tenant_user_is_404(sandbox):
    token = app_token(sandbox)
    assert_graph_error(
        graph(sandbox, "users/a11ce000-0000-4000-8000-00000000a11c", token), 404, "Request_ResourceNotFound"
    )


def test_unknown_select_property_is_400(sandbox):
    assert_graph_error(
        graph(sandbox, "me", user_token(sandbox), **{"$select": "shoeSize"}), 400, "BadRequest"
    )
