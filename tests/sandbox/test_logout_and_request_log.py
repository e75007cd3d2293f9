from __future__ import annotations

from urllib.parse import quote

from adapters.azure_sandbox.testing import AAD_CLIENT_ID, B2C_POLICY, B2C_TENANT

from .helpers import aad_sign_in


def logout(sandbox, path: str, **params):
    with sandbox.client() as client:
        return client.get(path, params=params)


def test_logout_redirects_to_registered_uri_with_state(sandbox):
    response = logout(
        sandbox,
        "/organizations/oauth2/v2.0/logout",
        post_logout_redirect_uri="http://localhost:3001/",
        state="bye",
    )
    assert response.status_code == 302 and response.headers["location"] == "http://localhost:3001/?state=bye"


def test_logout_ignores_the_port_of_a_loopback_uri(sandbox):
    response = logout(
        sandbox,
        f"/{B2C_TENANT}/{B2C_POLICY}/oauth2/v2.0/logout",
        post_logout_redirect_uri="http://localhost:49152/",
    )
    assert response.status_code == 302 and response.headers["location"] == "http://localhost:49152/"


def test_logout_never_redirects_to_an_unregistered_uri(sandbox):
    for target in ("https://evil.example/", "http://localhost:3001/elsewhere"):
        response = logout(
            sandbox,
            "/organizations/oauth2/v2.0/logout",
            post_logout_redirect_uri=target,
            client_id=AAD_CLIENT_ID,
        )
        assert response.status_code == 200 and "location" not in response.headers
        assert "signed out" in response.text


def test_request_log_records_kinds_without_query_strings(sandbox):
    sandbox.clear_requests()
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    app.acquire_token_by_auth_code_flow(flow, reply)
    entries = sandbox.hook("GET", "requests")["requests"]
    kinds = [e["kind"] for e in entries]
    assert kinds == ["discovery", "authorize", "token"]
    assert all("?" not in e["path"] for e in entries)
    assert reply["code"] not in str(entries) and quote(reply["code"]) not in str(entries)
    assert sandbox.hook("GET", "requests?kind=graph")["requests"] == []
    sandbox.hook("DELETE", "requests")
    assert sandbox.requests() == []


def test_hook_calls_are_not_logged(sandbox):
    sandbox.clear_requests()
    sandbox.hook("GET", "users")
    sandbox.hook("GET", "faults")
    assert sandbox.requests() == []


def test_users_can_be_added_and_listed(sandbox):
    with sandbox.client() as client:
        created = client.post(
            "/_sandbox/users",
            json={
                "username": "grace@contoso.com",
                "tenant": "contoso",
                "display_name": "Grace",
                "mail": "grace@contoso.com",
            },
        )
        duplicate = client.post(
            "/_sandbox/users", json={"username": "grace@contoso.com", "tenant": "contoso"}
        )
        unknown = client.post("/_sandbox/users", json={"username": "x@y.z", "tenant": "nowhere"})
    assert created.status_code == 201 and created.json()["oid"]
    assert duplicate.status_code == 400 and unknown.status_code == 400
    app, flow, reply = aad_sign_in(sandbox, "grace@contoso.com")
    claims = app.acquire_token_by_auth_code_flow(flow, reply)["id_token_claims"]
    assert claims["oid"] == created.json()["oid"] and claims["xms_edov"] is True


def test_clock_hook_ages_codes(sandbox):
    app, flow, reply = aad_sign_in(sandbox, "alice@contoso.com")
    assert sandbox.hook("POST", "clock", {"advance": 601})["offset"] == 601
    assert app.acquire_token_by_auth_code_flow(flow, reply)["error_codes"] == [70008]
    sandbox.hook("DELETE", "clock")
    assert sandbox.hook("GET", "clock")["offset"] == 0
