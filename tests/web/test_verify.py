"""`GET|HEAD /auth/verify` (issue 12, item 1): every answer a reverse proxy relies on, on
SQLite with in-process stores and on PostgreSQL with Redis."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from dependency_injector import providers

from core.errors import ErrorCode, SignInError
from tests.web.verify_support import Forger, eventually, verify

CHALLENGE = 'Bearer error="invalid_token"'


def assert_refused(answer, *, body: bool = True) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["www-authenticate"] == CHALLENGE
    assert answer.headers["cache-control"] == "no-store"
    assert not any(h.lower().startswith("x-auth-request-") for h in answer.headers)
    if body:
        assert answer.json() == {"error": "invalid_token"}


async def test_a_valid_token_gets_200_with_the_identity_headers(service):
    browser, _ = service
    alice = await browser.login("alice@contoso.com", "aad")
    me = (await browser.me(alice.token)).json()
    answer = await verify(browser.client, alice.token)
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["x-auth-request-user"] == me["user"]["id"]
    assert answer.headers["x-auth-request-email"] == "alice@contoso.com"
    assert answer.headers["x-auth-request-session"] == me["session"]["id"]
    assert answer.headers["x-auth-request-workspaces"] == "1:editor"
    assert answer.headers["cache-control"] == "no-store"


async def test_head_answers_the_same_without_a_body(service):
    browser, _ = service
    bob = await browser.login("bob@example.org", "b2c")
    answer = await verify(browser.client, bob.token, method="HEAD")
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["x-auth-request-workspaces"] == "1:viewer"
    assert answer.headers["x-auth-request-email"] == "bob@example.org"
    refused = await verify(browser.client, None, method="HEAD")
    assert_refused(refused, body=False)
    assert refused.content == b""


async def test_workspaces_are_listed_by_id_and_a_user_without_any_gets_an_empty_list(service):
    browser, operator = service
    async with operator.container() as container:
        await container.administration().invite("alice@contoso.com", 2, "viewer", accepted=True)
    alice = await browser.login("alice@contoso.com", "aad")
    erin = await browser.login("erin@contoso.com", "aad")
    listed = (await verify(browser.client, alice.token)).headers["x-auth-request-workspaces"]
    assert listed == "1:editor,2:viewer"
    assert (await verify(browser.client, erin.token)).headers["x-auth-request-workspaces"] == ""


async def test_an_unverified_email_is_never_sent_as_the_users_email(service):
    browser, _ = service
    carol = await browser.login("carol@gmail.com", "b2c")  # Google behind B2C: not verified
    answer = await verify(browser.client, carol.token)
    assert answer.status_code == 200
    me = (await browser.me(carol.token)).json()
    assert me["user"]["emailVerified"] is False
    assert "x-auth-request-email" not in answer.headers


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer"}, {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Basic YWxpY2U6c2VjcmV0"}, {"Authorization": "Bearer " + "a" * 9000},
])
async def test_a_missing_or_malformed_token_gets_401(service, headers):
    browser, _ = service
    assert_refused(await browser.client.get("/auth/verify", headers=headers))


@pytest.mark.parametrize("forgery", [
    "alg_none", "hs256_with_public_key", "unknown_kid", "right_kid_wrong_key",
    "wrong_audience", "wrong_issuer", "audience_list", "expired", "not_yet_valid", "other_user",
])
async def test_a_forged_token_gets_401(service, forgery):
    browser, operator = service
    alice = await browser.login("alice@contoso.com", "aad")
    forger = Forger(operator.settings, alice.token)
    now = int(time.time())
    token = {
        "alg_none": forger.alg_none,
        "hs256_with_public_key": forger.hs256_with_public_key,
        "unknown_kid": forger.unknown_kid,
        "right_kid_wrong_key": forger.right_kid_wrong_key,
        "wrong_audience": lambda: forger.sign(aud="another-api"),
        "wrong_issuer": lambda: forger.sign(iss="https://evil.example"),
        "audience_list": lambda: forger.sign(aud=[forger.audience, "another-api"]),
        # beyond the verifier's leeway, and just past exp (the check is strict on exp)
        "expired": lambda: forger.sign(iat=now - 7200, nbf=now - 7200, exp=now - 2),
        "not_yet_valid": lambda: forger.sign(iat=now + 3600, nbf=now + 3600, exp=now + 7200),
        "other_user": lambda: forger.sign(sub="someone-else"),
    }[forgery]()
    # the genuine token works, so each refusal is the forgery's doing
    assert (await verify(browser.client, alice.token)).status_code == 200
    assert_refused(await verify(browser.client, token))


async def test_a_token_after_logout_gets_401_at_once(service):
    browser, _ = service
    alice = await browser.login("alice@contoso.com", "aad")
    assert (await verify(browser.client, alice.token)).status_code == 200
    out = await browser.client.post("/logout", headers={"Authorization": f"Bearer {alice.token}"})
    assert out.status_code == 200
    assert_refused(await verify(browser.client, alice.token))
    assert_refused(await verify(browser.client, alice.token, method="HEAD"), body=False)


async def test_a_token_after_user_disable_gets_401_within_a_second(service):
    browser, operator = service
    alice = await browser.login("alice@contoso.com", "aad")
    assert (await verify(browser.client, alice.token)).status_code == 200  # now remembered
    await operator.disable("alice@contoso.com")  # another container: as the CLI does

    async def refused() -> bool:
        return (await verify(browser.client, alice.token)).status_code == 401

    await eventually(refused, within=1.0)
    assert_refused(await verify(browser.client, alice.token))


async def test_a_token_after_an_idle_timeout_gets_401_within_a_second(service):
    browser, operator = service
    alice = await browser.login("alice@contoso.com", "aad")
    session_id = (await verify(browser.client, alice.token)).headers["x-auth-request-session"]
    # The idle deadline passes (moved into the past: the service's clock is the real one).
    async with operator.container() as container, container.uow()() as uow:
        now = container.clock().now()
        assert await uow.sessions.extend_idle(session_id, now - timedelta(seconds=1), now) is not None
        await uow.commit()

    async def refused() -> bool:
        return (await verify(browser.client, alice.token)).status_code == 401

    await eventually(refused, within=1.0)
    assert_refused(await verify(browser.client, alice.token))


@pytest.mark.parametrize(("user", "provider", "query", "status"), [
    ("alice@contoso.com", "aad", {"workspace": 1}, 200),
    ("alice@contoso.com", "aad", {"workspace": 1, "role": "viewer"}, 200),
    ("alice@contoso.com", "aad", {"workspace": 1, "role": "editor"}, 200),
    ("alice@contoso.com", "aad", {"workspace": 1, "role": "owner"}, 403),
    ("alice@contoso.com", "aad", {"workspace": 2}, 403),
    ("alice@contoso.com", "aad", {"workspace": 2, "role": "viewer"}, 403),
    ("alice@contoso.com", "aad", {"workspace": 1, "role": "admin"}, 403),  # no such role
    ("bob@example.org", "b2c", {"workspace": 1, "role": "viewer"}, 200),
    ("bob@example.org", "b2c", {"workspace": 1, "role": "editor"}, 403),
    ("alice@contoso.com", "aad", {"role": "viewer"}, 400),  # a role needs a workspace
    ("alice@contoso.com", "aad", {"workspace": "one"}, 400),
])
async def test_the_roles_order_decides_a_role_requirement(service, user, provider, query, status):
    browser, _ = service
    signed_in = await browser.login(user, provider)
    answer = await verify(browser.client, signed_in.token, **query)
    assert answer.status_code == status, answer.text
    assert answer.headers["cache-control"] == "no-store"
    if status == 403:
        assert answer.json() == {"error": "access_denied"}
        assert "x-auth-request-user" not in answer.headers


async def test_an_owner_passes_every_lower_role(service):
    browser, operator = service
    async with operator.container() as container:
        await container.administration().invite("erin@contoso.com", 2, "owner", accepted=True)
    erin = await browser.login("erin@contoso.com", "aad")
    for role in ("owner", "editor", "viewer"):
        assert (await verify(browser.client, erin.token, workspace=2, role=role)).status_code == 200


ORIGINAL_REQUEST = {
    "X-Forwarded-Method": "DELETE", "X-Forwarded-Uri": "/admin", "X-Forwarded-Host": "evil.example",
    "X-Forwarded-For": "10.0.0.1", "X-Forwarded-Proto": "https", "X-Original-URI": "/workspaces/2",
    "X-Original-Method": "POST", "X-Original-URL": "https://evil.example/",
    "X-Forwarded-User": "someone-else", "X-Auth-Request-User": "someone-else",
}


async def test_forwarded_and_original_headers_are_ignored(service):
    browser, _ = service
    alice = await browser.login("alice@contoso.com", "aad")
    plain = await verify(browser.client, alice.token, workspace=1)
    decorated = await verify(browser.client, alice.token, workspace=1, headers=ORIGINAL_REQUEST)
    assert decorated.status_code == plain.status_code == 200
    names = ("x-auth-request-user", "x-auth-request-session", "x-auth-request-workspaces")
    assert [decorated.headers[n] for n in names] == [plain.headers[n] for n in names]
    assert_refused(await verify(browser.client, None, headers=ORIGINAL_REQUEST))
    denied = await verify(browser.client, alice.token, workspace=2, headers=ORIGINAL_REQUEST)
    assert denied.status_code == 403


class _DownUnits:
    def __call__(self, *, read_only: bool = False):
        raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "database down")


async def test_503_temporarily_unavailable_when_the_check_cannot_be_made(make_service):
    async with make_service() as (browser, operator):
        alice = await browser.login("alice@contoso.com", "aad")  # never checked: nothing vouches
        operator.app.uow.override(providers.Object(_DownUnits()))
        try:
            answer = await verify(browser.client, alice.token, workspace=1)
            head = await verify(browser.client, alice.token, method="HEAD")
        finally:
            operator.app.uow.reset_override()
    assert answer.status_code == 503 and answer.json() == {"error": "temporarily_unavailable"}
    assert answer.headers["cache-control"] == "no-store" and "retry-after" in answer.headers
    assert "x-auth-request-user" not in answer.headers
    assert head.status_code == 503 and head.content == b""


async def test_the_openapi_document_shows_the_forward_auth_route(service):
    browser, _ = service
    paths = (await browser.client.get("/schema/openapi.json")).json()["paths"]
    assert {"get", "head"} <= set(paths["/auth/verify"])
    parameters = {p["name"] for p in paths["/auth/verify"]["get"]["parameters"]}
    assert {"workspace", "role"} <= parameters


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_envoy_style_checks_with_the_original_method_and_path_appended(service, method):
    browser, _ = service
    alice = await browser.login("alice@contoso.com", "aad")
    auth = {"Authorization": f"Bearer {alice.token}"}
    # the original request's own path and query are ignored, never taken as a requirement
    appended = await browser.client.request(method, "/auth/verify/workspaces/2/notes?workspace=2&role=owner",
                                            headers=auth)
    assert appended.status_code == 200, appended.text
    assert appended.headers["x-auth-request-workspaces"] == "1:editor"
    fixed = await browser.client.request(method, "/auth/verify?workspace=1&role=owner", headers=auth)
    assert fixed.status_code == 403
    missing = await browser.client.request(method, "/auth/verify/notes", headers={})
    assert_refused(missing)
    head = await browser.client.head("/auth/verify/anything", headers=auth)
    assert head.status_code == 200 and head.content == b""


async def test_key_rotation_is_seen_by_a_process_started_with_the_new_keys(make_service, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from adapters.jwt.keys import private_pem

    async with make_service() as (browser, operator):
        alice = await browser.login("alice@contoso.com", "aad")
        assert (await verify(browser.client, alice.token)).status_code == 200
        old_key = operator.settings.data_dir / "jwt-signing-key.pem"
    new_key = tmp_path / "new-key.pem"
    new_key.write_bytes(private_pem(Ed25519PrivateKey.generate()))
    rotated = {"SIGNIN_JWT_PRIVATE_KEY_FILE": str(new_key)}
    async with make_service(**rotated, SIGNIN_JWT_PREVIOUS_PUBLIC_KEY_FILES=str(old_key)) as (browser, _):
        assert (await verify(browser.client, alice.token)).status_code == 200  # step 2: still valid
    async with make_service(**rotated) as (browser, _):  # step 3: the old key is gone
        assert_refused(await verify(browser.client, alice.token))


async def test_the_hot_routes_resolve_their_dependency_without_a_task_group(service, monkeypatch):
    """Litestar resolves two or more dependencies of one handler in an anyio task group (a
    task each), which cost about as much as the check itself (docs/performance.md): the
    check and /me name one dependency. Logout, which names several, shows the probe works."""
    from litestar._kwargs import kwargs_model

    groups: list[object] = []
    real = kwargs_model.create_task_group

    def counting() -> object:
        group = real()
        groups.append(group)
        return group

    monkeypatch.setattr(kwargs_model, "create_task_group", counting)
    browser, _ = service
    alice = await browser.login("alice@contoso.com", "aad")
    groups.clear()
    assert (await verify(browser.client, alice.token)).status_code == 200
    assert (await verify(browser.client, alice.token, method="HEAD")).status_code == 200
    assert (await verify(browser.client, alice.token, method="POST")).status_code == 200
    assert (await browser.me(alice.token)).status_code == 200
    assert groups == []
    logout = await browser.client.post("/logout", headers={"Authorization": f"Bearer {alice.token}"})
    assert logout.status_code == 200 and groups
