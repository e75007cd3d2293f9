"""The OpenAPI document names the bearer scheme and the error codes of every workspace
route, and of every other route that takes a bearer token."""
from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from entrypoints.container import build_container
from entrypoints.settings import load_settings
from entrypoints.web.app import create_app

BEARER_ROUTES = {
    ("post", "/workspaces"): {400, 401, 403, 503},
    ("get", "/workspaces"): {400, 401, 503},
    ("patch", "/workspaces/{workspace_id}"): {400, 401, 403, 404, 503},
    ("post", "/workspaces/{workspace_id}/invites"): {400, 401, 403, 404, 409, 503},
    ("get", "/workspaces/{workspace_id}/invites"): {400, 401, 403, 404, 503},
    ("delete", "/workspaces/{workspace_id}/invites/{invite_id}"): {400, 401, 403, 404, 410, 503},
    ("post", "/invites/accept"): {400, 401, 403, 409, 410, 503},
    ("get", "/workspaces/{workspace_id}/members"): {400, 401, 403, 404, 503},
    ("patch", "/workspaces/{workspace_id}/members/{user_id}"): {400, 401, 403, 404, 409, 503},
    ("delete", "/workspaces/{workspace_id}/members/{user_id}"): {400, 401, 403, 404, 409, 503},
    ("get", "/workspaces/{workspace_id}/audit"): {400, 401, 403, 404, 503},
}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder: Path = tmp_path_factory.mktemp("openapi")
    settings = load_settings({"SIGNIN_DATA_DIR": str(folder), "SIGNIN_DATABASE_URL": f"sqlite:///{folder}/s.db",
                              "SIGNIN_HTTP_TIMEOUT": "0.2"})
    with TestClient(create_app(build_container(settings))) as client:
        return client.get("/schema/openapi.json").json()


def test_the_bearer_scheme_is_declared(document):
    assert document["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "The service's own session token (from the sign-in redirect)",
    }


@pytest.mark.parametrize(("method", "path"), sorted(BEARER_ROUTES))
def test_each_workspace_route_names_its_scheme_and_error_statuses(document, method, path):
    operation = document["paths"][path][method]
    assert operation["security"] == [{"BearerToken": []}]
    errors = {int(status) for status in operation["responses"] if int(status) >= 400}
    assert errors == BEARER_ROUTES[(method, path)]
    assert "invalid_token" in operation["responses"]["401"]["description"]


def test_error_descriptions_name_the_codes(document):
    invites = document["paths"]["/workspaces/{workspace_id}/invites"]["post"]["responses"]
    assert invites["403"]["description"] == (
        '`{"error": code}` with code one of: `forbidden`, `role_too_high`')
    assert "`invite_pending`" in invites["409"]["description"]
    accept = document["paths"]["/invites/accept"]["post"]["responses"]
    assert "`invite_invalid`" in accept["400"]["description"]
    assert all(f"`{c}`" in accept["410"]["description"] for c in ("invite_revoked", "invite_expired"))
    assert all(f"`{c}`" in accept["403"]["description"]
               for c in ("email_unverified", "email_mismatch", "forbidden"))


@pytest.mark.parametrize(("method", "path"), [("get", "/me"), ("post", "/auth/refresh"),
                                              ("post", "/logout"), ("get", "/logout")])
def test_the_other_bearer_routes_name_the_scheme(document, method, path):
    assert document["paths"][path][method]["security"] == [{"BearerToken": []}]
