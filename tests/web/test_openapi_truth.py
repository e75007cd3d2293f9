"""The OpenAPI document tells the truth (issue 13): every route of the app is documented;
real requests drive each route's main answers; every status they produce is documented,
with the documented body (the service's `{"error", "detail"?}` for errors); every
documented status is produced here or named below with the test that produces it."""
from __future__ import annotations

import base64
import socket
from importlib.metadata import version

import pytest
from dependency_injector import providers
from litestar.routes import HTTPRoute

from core.errors import ErrorCode, SignInError
from tests.web.support import FRONTEND

CREATORS = "test_workspaces_http::test_workspaces_are_created_by_whom_the_operator_allows"
# Produced by other tests (named) rather than driven again here.
ELSEWHERE = {
    ("post", "/workspaces", 403): CREATORS,
    **{(m, p, s): "test_workspaces_http::test_refusals_answer_their_code_and_write_nothing"
       for m, p, s in [
           ("patch", "/workspaces/{workspace_id}", 403), ("patch", "/workspaces/{workspace_id}", 404),
           ("post", "/workspaces/{workspace_id}/invites", 403),
           ("post", "/workspaces/{workspace_id}/invites", 404),
           ("post", "/workspaces/{workspace_id}/invites", 409),
           ("get", "/workspaces/{workspace_id}/invites", 404),
           ("delete", "/workspaces/{workspace_id}/invites/{invite_id}", 403),
           ("delete", "/workspaces/{workspace_id}/invites/{invite_id}", 404),
           ("delete", "/workspaces/{workspace_id}/invites/{invite_id}", 410),
           ("post", "/invites/accept", 400), ("post", "/invites/accept", 403),
           ("post", "/invites/accept", 409), ("post", "/invites/accept", 410),
           ("get", "/workspaces/{workspace_id}/members", 404),
           ("patch", "/workspaces/{workspace_id}/members/{user_id}", 403),
           ("patch", "/workspaces/{workspace_id}/members/{user_id}", 404),
           ("patch", "/workspaces/{workspace_id}/members/{user_id}", 409),
           ("delete", "/workspaces/{workspace_id}/members/{user_id}", 403),
           ("delete", "/workspaces/{workspace_id}/members/{user_id}", 404),
           ("delete", "/workspaces/{workspace_id}/members/{user_id}", 409),
           ("get", "/workspaces/{workspace_id}/audit", 404),
       ]},
    ("get", "/login/aad", 503): "test_rate_limit / test_operations::test_redis_down_fails_closed_quickly "
                                "(Redis down and no allow-listed frontendHost)",
    **{("get", p, 503): "tests/reliability/test_shedding (past twice SIGNIN_MAX_SIGNINS_IN_FLIGHT)"
       for p in ("/redirect", "/auth/redirect-uri")},
    ("post", "/auth/token", 503): "the hand-off store down: tests/adapters/redis (fails closed)",
    ("post", "/auth/token", 200): "test_login_safety::test_code_delivery_hands_the_token_over_once",
    ("post", "/invites/accept", 200):
        "test_workspaces_http::test_an_owner_invites_erin_who_accepts_once_and_lands_as_editor",
    ("post", "/workspaces", 201): CREATORS,
    ("patch", "/workspaces/{workspace_id}/members/{user_id}", 200):
        "test_workspaces_http::test_refusals_answer_their_code_and_write_nothing (member set)",
    ("delete", "/workspaces/{workspace_id}/members/{user_id}", 200):
        "test_workspaces_http::test_a_removed_members_forward_auth_changes_within_a_second",
    ("get", "/auth/verify", 503):
        "test_verify::test_503_temporarily_unavailable_when_the_check_cannot_be_made",
    ("get", "/me", 503): "neither the session cache nor the database can confirm the session; here the "
                         "session is in the in-process cache, so the database alone being down is not enough",
}
# The workspace routes without a parameter that can be malformed answer 400 only through the
# edge's refusal of a malformed body (tests/security/test_hostile_bodies.py).
ELSEWHERE.update({(m, p, 400): "the edge's malformed-body refusal (test_hostile_bodies)" for m, p in [
    ("get", "/workspaces"), ("get", "/workspaces/{workspace_id}/invites"),
    ("get", "/workspaces/{workspace_id}/members"), ("get", "/workspaces/{workspace_id}/audit"),
    ("delete", "/workspaces/{workspace_id}/invites/{invite_id}"),
    ("delete", "/workspaces/{workspace_id}/members/{user_id}"),
]})
ELSEWHERE.update({
    (m, "/auth/verify" + tail, s): "test_verify (every method answers as GET; HEAD has no body)"
    for m in ("put", "post", "delete", "patch", "head") for tail in ("", "/{original}")
    for s in (200, 400, 401, 403, 503)
})
ELSEWHERE.update({("get", "/auth/verify/{original}", s): "test_verify (as /auth/verify)"
                  for s in (400, 401, 403, 503)})


@pytest.fixture
def backend(tmp_path):
    """One backend is enough: the document is the same whatever the storage."""
    return {"SIGNIN_DATABASE_URL": f"sqlite:///{tmp_path / 'signin.db'}"}


class _DownUnits:
    def __call__(self, *, read_only: bool = False):
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "database down")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    def __init__(self, client):
        self.client = client
        self.seen: list[tuple[str, str, int, object]] = []

    async def __call__(self, method: str, template: str, path: str | None = None, **kwargs):
        answer = await self.client.request(method.upper(), path or template, follow_redirects=False,
                                           **kwargs)
        self.seen.append((method, template, answer.status_code, answer))
        return answer


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _drive(browser, operator, record: Recorder) -> None:
    await operator.invite("alice@contoso.com", 2, "owner")  # she administers Globex (2)
    alice = await browser.login("alice@contoso.com", "aad")
    assert alice.token
    start = {"frontendHost": FRONTEND}
    await record("get", "/login/aad", params=start)
    await record("get", "/login/aad", params={"frontendHost": "https://evil.example"})
    await record("get", "/login/aad", params={"uri": "/" + "a" * 2100})
    await record("get", "/redirect", params={"state": "nope", "code": "c"})
    await record("get", "/auth/redirect-uri", params={"error": "access_denied", "state": "nope"})
    await record("get", "/me", headers=bearer(alice.token))
    await record("get", "/me", headers=bearer("not-a-token"))
    await record("post", "/auth/refresh", headers=bearer(alice.token))
    await record("post", "/auth/refresh")
    await record("post", "/auth/token", json={"code": "unknown-code-000000"})
    await record("get", "/logout", headers=bearer("nope"))
    await record("get", "/logout", headers=bearer(alice.token), params={"frontendHost": "x" * 3000})
    await record("post", "/logout", headers=bearer("nope"))
    await record("post", "/logout", headers=bearer((await browser.login("bob@example.org", "b2c")).token))
    await record("get", "/logout/frontchannel", params={"iss": "https://x.example", "sid": "s"})
    await record("get", "/logout/frontchannel", params={"sid": "s" * 3000})
    fresh = await browser.login("alice@contoso.com", "aad")
    await record("get", "/auth/verify", headers=bearer(fresh.token), params={"workspace": "1"})
    await record("get", "/auth/verify", headers=bearer(fresh.token), params={"workspace": "99"})
    await record("get", "/auth/verify", headers=bearer(fresh.token), params={"workspace": "x"})
    await record("get", "/auth/verify")
    await record("get", "/auth/verify/{original}", "/auth/verify/app/page", headers=bearer(fresh.token))
    async with operator.container() as container:
        created = await container.resource_clients().add("openapi-probe")
    pair = base64.b64encode(f"openapi-probe:{created.secret}".encode()).decode()
    basic = {"Authorization": "Basic " + pair}
    await record("post", "/oauth2/introspect", headers=basic, data={"token": fresh.token})
    await record("post", "/oauth2/introspect", headers=basic, data={})
    await record("post", "/oauth2/introspect", data={"token": fresh.token})
    await record("get", "/health/live")
    await record("get", "/health/ready")
    await record("get", "/.well-known/jwks.json")
    await record("get", "/")
    await record("get", "/metrics")
    # the workspace API's main answers
    await record("post", "/me/workspace", headers=bearer(fresh.token), json={"workspaceId": 1})
    await record("post", "/me/workspace", headers=bearer(fresh.token), json={"workspaceId": 99})
    await record("post", "/me/workspace", headers=bearer(fresh.token), json={"workspaceId": "x"})
    await record("post", "/me/workspace", json={"workspaceId": 1})
    await record("get", "/workspaces", headers=bearer(fresh.token))
    await record("get", "/workspaces", headers=bearer(fresh.token), params={"limit": "x"})
    await record("get", "/workspaces")
    await record("post", "/workspaces", headers=bearer(fresh.token), json={"name": ""})
    await record("post", "/workspaces", json={"name": "N", "frontendHost": FRONTEND})
    bob = await browser.login("bob@example.org", "b2c")
    await record("patch", "/workspaces/{workspace_id}", "/workspaces/1", headers=bearer(fresh.token),
                 json={"name": "Acme"})
    await record("patch", "/workspaces/{workspace_id}", "/workspaces/1", headers=bearer(fresh.token),
                 json={"nope": 1})
    await record("patch", "/workspaces/{workspace_id}", "/workspaces/1", json={"name": "N"})
    await record("patch", "/workspaces/{workspace_id}", "/workspaces/2", headers=bearer(fresh.token),
                 json={"name": "Globex"})
    invited = await record("post", "/workspaces/{workspace_id}/invites", "/workspaces/2/invites",
                           headers=bearer(fresh.token), json={"email": "zed@example.org", "role": "viewer"})
    await record("post", "/workspaces/{workspace_id}/invites", "/workspaces/2/invites",
                 headers=bearer(fresh.token), json={"email": "zed"})
    await record("post", "/workspaces/{workspace_id}/invites", "/workspaces/2/invites",
                 json={"email": "y@example.org", "role": "viewer"})
    for template, path in (("/workspaces/{workspace_id}/invites", "/workspaces/2/invites"),
                           ("/workspaces/{workspace_id}/members", "/workspaces/2/members"),
                           ("/workspaces/{workspace_id}/audit", "/workspaces/2/audit")):
        await record("get", template, path, headers=bearer(fresh.token))
        await record("get", template, path.replace("/2/", "/x/"), headers=bearer(fresh.token))
        await record("get", template, path)
        await record("get", template, path.replace("/2/", "/1/"), headers=bearer(bob.token))
    invite_id = invited.json()["id"]
    deletion = ("delete", "/workspaces/{workspace_id}/invites/{invite_id}")
    await record(*deletion, f"/workspaces/2/invites/{invite_id}", headers=bearer(fresh.token))
    await record(*deletion, "/workspaces/x/invites/y", headers=bearer(fresh.token))
    await record(*deletion, f"/workspaces/2/invites/{invite_id}")
    await record("post", "/invites/accept", headers=bearer(fresh.token), json={"token": 5})
    await record("post", "/invites/accept", json={"token": "a.b.c"})
    me = (await browser.me(bob.token)).json()["user"]["id"]
    member = "/workspaces/{workspace_id}/members/{user_id}"
    await record("patch", member, f"/workspaces/1/members/{me}", headers=bearer(fresh.token),
                 json={"role": "viewer"})
    await record("patch", member, f"/workspaces/1/members/{me}", headers=bearer(fresh.token), json={})
    await record("patch", member, f"/workspaces/1/members/{me}", json={"role": "viewer"})
    await record("delete", member, f"/workspaces/1/members/{me}", headers=bearer(fresh.token))
    await record("delete", member, "/workspaces/x/members/y", headers=bearer(fresh.token))
    await record("delete", member, f"/workspaces/1/members/{me}")
    # Dependencies down: every bearer route fails closed with a documented 503
    late = await browser.login("alice@contoso.com", "aad")
    operator.app.uow.override(providers.Object(_DownUnits()))
    try:
        for method, template, path in (
            ("get", "/me", None), ("post", "/auth/refresh", None), ("get", "/logout", None),
            ("post", "/logout", None), ("get", "/auth/verify", None),
            ("get", "/workspaces", None), ("post", "/workspaces", None),
            ("patch", "/workspaces/{workspace_id}", "/workspaces/1"),
            ("get", "/workspaces/{workspace_id}/invites", "/workspaces/1/invites"),
            ("get", "/workspaces/{workspace_id}/members", "/workspaces/1/members"),
            ("get", "/workspaces/{workspace_id}/audit", "/workspaces/1/audit"),
            ("post", "/workspaces/{workspace_id}/invites", "/workspaces/1/invites"),
            ("delete", "/workspaces/{workspace_id}/invites/{invite_id}", "/workspaces/1/invites/x"),
            ("patch", member, "/workspaces/1/members/u"), ("delete", member, "/workspaces/1/members/u"),
            ("post", "/invites/accept", None), ("post", "/me/workspace", None),
        ):
            body = {"json": {"name": "N", "frontendHost": FRONTEND, "email": "a@b.example",
                             "role": "viewer", "token": "a.b.c"}} if method in ("post", "patch") else {}
            if template == "/workspaces":
                body = {"json": {"name": "N", "frontendHost": FRONTEND}}
            if template.endswith("/invites") and method == "post":
                body = {"json": {"email": "a@b.example", "role": "viewer"}}
            if template == member and method == "patch":
                body = {"json": {"role": "viewer"}}
            if template == "/workspaces/{workspace_id}":
                body = {"json": {"name": "N"}}
            if template == "/invites/accept":
                body = {"json": {"token": "a.b.c"}}
            if template == "/me/workspace":
                body = {"json": {"workspaceId": 1}}
            await record(method, template, path, headers=bearer(late.token), **body)
        await record("post", "/oauth2/introspect", headers=basic, data={"token": late.token})
    finally:
        operator.app.uow.reset_override()


async def _with_many_origins_and_redis_down(make_service, record_into: list) -> None:
    """Answers only a service without one fallback origin, or with its Redis down, gives."""
    two = f"{FRONTEND},https://app.example.com"
    async with make_service(SIGNIN_ALLOWED_ORIGINS=two) as (browser, _):
        record = Recorder(browser.client)
        await record("get", "/redirect", params={"state": "nope", "code": "c"})
        await record("get", "/auth/redirect-uri", params={"state": "nope", "code": "c"})
        record_into += record.seen
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    async with make_service(SIGNIN_REDIS_URL=down, SIGNIN_REDIS_TIMEOUT="0.3",
                            SIGNIN_LOGIN_RATE_LIMIT="1") as (browser, _):
        record = Recorder(browser.client)
        await record("get", "/health/ready")
        await record("get", "/login/aad", params={"frontendHost": "https://evil.example"})
        record_into += record.seen
    async with make_service(SIGNIN_LOGIN_RATE_LIMIT="1") as (browser, _):
        record = Recorder(browser.client)
        for _ in range(2):
            await record("get", "/login/aad", params={"frontendHost": FRONTEND})
        record_into += record.seen


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _fits(document: dict, schema: dict, body: object) -> bool:
    schema = _resolve(document, schema)
    if schema.get("type") == "array":
        return isinstance(body, list) and all(_fits(document, schema.get("items", {}), b) for b in body)
    if "properties" in schema and schema.get("additionalProperties") is not True:
        return (isinstance(body, dict) and set(schema.get("required", [])) <= set(body)
                and set(body) <= set(schema["properties"]))
    if schema.get("type") == "object":
        return isinstance(body, dict)
    return True


async def test_the_document_and_the_service_agree(make_service):
    seen: list = []
    async with make_service() as (browser, operator):
        document = (await browser.client.get("/schema/openapi.json")).json()
        app = browser.client.app
        record = Recorder(browser.client)
        await _drive(browser, operator, record)
        seen += record.seen
    await _with_many_origins_and_redis_down(make_service, seen)

    assert document["info"]["version"] == version("azure-signin")
    operations = {(m, p): op for p, item in document["paths"].items() for m, op in item.items()
                  if m in ("get", "put", "post", "patch", "delete", "head")}
    # every route of the app is documented (the docs' own pages and the favicon excepted)
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/schema"):
            continue
        for handler in route.route_handlers:
            if set(handler.http_methods) == {"OPTIONS"}:
                continue  # Litestar's own CORS preflight handler
            if not handler.include_in_schema:
                assert route.path in ("/favicon.ico",), route.path
                continue
            for method in handler.http_methods:
                if method != "OPTIONS":
                    assert (method.lower(), route.path_format) in operations, (method, route.path)

    produced: set[tuple[str, str, int]] = set()
    for method, template, status, answer in seen:
        produced.add((method, template, status))
        operation = operations[(method, template)]
        documented = operation["responses"]
        assert str(status) in documented, (method, template, status, answer.text[:200])
        content = documented[str(status)].get("content") or {}
        if not content:
            assert method == "head" or status in (204, 302) or answer.content == b"", (template, status)
            continue
        kind = answer.headers.get("content-type", "").split(";")[0]
        # a documented media type may carry parameters (Prometheus' `version=0.0.4`)
        content = {key.split(";")[0].strip(): value for key, value in content.items()}
        assert kind in content, (method, template, status, kind, list(content))
        if kind == "application/json":
            assert _fits(document, content[kind]["schema"], answer.json()), (method, template, status,
                                                                              answer.json())

    documented = {(method, template, int(status)) for (method, template), op in operations.items()
                  for status in op["responses"]}
    assert sorted(set(ELSEWHERE) - documented) == []  # no justification outlives its status
    missing = sorted(documented - produced - set(ELSEWHERE))
    assert missing == [], "\n".join(map(str, missing))


def test_the_browser_routes_are_redirects_and_me_names_its_401():
    """Point by point what the issue found wrong (a document read without a running app)."""
    import tempfile

    from litestar.testing import TestClient

    from entrypoints.container import build_container
    from entrypoints.settings import load_settings
    from entrypoints.web.app import create_app

    folder = tempfile.mkdtemp()
    settings = load_settings({"SIGNIN_DATA_DIR": folder, "SIGNIN_DATABASE_URL": f"sqlite:///{folder}/s.db",
                              "SIGNIN_HTTP_TIMEOUT": "0.2"})
    with TestClient(create_app(build_container(settings))) as client:
        document = client.get("/schema/openapi.json").json()
    paths = document["paths"]
    for path in ("/login/aad", "/redirect", "/auth/redirect-uri"):
        assert "302" in paths[path]["get"]["responses"] and "200" not in paths[path]["get"]["responses"]
    assert "401" in paths["/me"]["get"]["responses"]
    assert paths["/me"]["get"]["security"] == [{"BearerToken": []}]
    error = document["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"] and {"error", "detail"} <= set(error["properties"])
    text = str(document)
    assert "status_code" not in text and "'extra'" not in text  # Litestar's own error shape
