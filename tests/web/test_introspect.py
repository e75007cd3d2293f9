"""`POST /oauth2/introspect` (RFC 7662; issue 12, item 2): client authentication, the
answer's shape, and nothing said about inactive tokens."""
from __future__ import annotations

import base64
import time

import pytest
from dependency_injector import providers

from core.errors import ErrorCode, SignInError
from tests.web.verify_support import Forger


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@pytest.fixture
async def credentials(service) -> dict[str, str]:
    _, operator = service
    async with operator.container() as container:
        created = await container.resource_clients().add("notes-api")
    return basic("notes-api", created.secret)


async def introspect(client, token: str | None, headers: dict[str, str]):
    data = {} if token is None else {"token": token, "token_type_hint": "access_token"}
    return await client.post("/oauth2/introspect", data=data, headers=headers)


async def test_an_active_token_is_described_in_rfc_7662_terms(service, credentials):
    browser, operator = service
    alice = await browser.login("alice@contoso.com", "aad")
    me = (await browser.me(alice.token)).json()
    answer = await introspect(browser.client, alice.token, credentials)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["active"] is True and body["token_type"] == "Bearer"
    assert body["sub"] == me["user"]["id"] and body["sid"] == me["session"]["id"]
    assert body["iss"] == operator.settings.jwt_issuer and body["aud"] == operator.settings.jwt_audience
    assert isinstance(body["exp"], int) and isinstance(body["iat"], int) and body["exp"] > time.time()
    assert body["email"] == "alice@contoso.com"
    assert body["workspaces"] == [{"id": 1, "role": "editor"}]


async def test_inactive_tokens_get_active_false_and_nothing_else(service, credentials):
    browser, operator = service
    alice = await browser.login("alice@contoso.com", "aad")
    forger = Forger(operator.settings, alice.token)
    now = int(time.time())
    forged = [forger.alg_none(), forger.hs256_with_public_key(), forger.unknown_kid(),
              forger.sign(aud="another-api"), forger.sign(exp=now - 2, iat=now - 60, nbf=now - 60),
              "garbage", "a" * 5000]
    for token in forged:
        answer = await introspect(browser.client, token, credentials)
        assert answer.status_code == 200 and answer.json() == {"active": False}, token[:20]
    await browser.client.post("/logout", headers={"Authorization": f"Bearer {alice.token}"})
    after = await introspect(browser.client, alice.token, credentials)
    assert after.json() == {"active": False}


async def test_unauthenticated_callers_get_401_and_learn_nothing(service, credentials):
    browser, _ = service
    alice = await browser.login("alice@contoso.com", "aad")
    for headers in ({}, basic("notes-api", "wrong"), basic("nobody", "x"),
                    {"Authorization": f"Bearer {alice.token}"}, {"Authorization": "Basic !!!"},
                    {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}):
        answer = await introspect(browser.client, alice.token, headers)
        assert answer.status_code == 401, headers
        assert answer.json() == {"error": "invalid_client"}
        assert answer.headers["www-authenticate"].startswith("Basic")
        assert answer.headers["cache-control"] == "no-store"
    missing = await introspect(browser.client, None, {})
    assert missing.status_code == 401  # even a malformed request says nothing unauthenticated


async def test_a_request_without_a_token_is_invalid(service, credentials):
    browser, _ = service
    answer = await introspect(browser.client, None, credentials)
    assert answer.status_code == 400 and answer.json() == {"error": "invalid_request"}


async def test_a_removed_client_is_refused(service, credentials):
    browser, operator = service
    alice = await browser.login("alice@contoso.com", "aad")
    async with operator.container() as container:
        await container.resource_clients().remove("notes-api")
    assert (await introspect(browser.client, alice.token, credentials)).status_code == 401


async def test_503_when_the_check_cannot_be_made(make_service):
    async with make_service() as (browser, operator):
        async with operator.container() as container:
            created = await container.resource_clients().add("notes-api")
        alice = await browser.login("alice@contoso.com", "aad")

        class Down:
            def __call__(self, *, read_only: bool = False):
                raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "database down")

        operator.app.uow.override(providers.Object(Down()))
        try:
            answer = await introspect(browser.client, alice.token, basic("notes-api", created.secret))
        finally:
            operator.app.uow.reset_override()
    assert answer.status_code == 503 and answer.json() == {"error": "temporarily_unavailable"}


async def test_the_openapi_document_shows_introspection(service):
    browser, _ = service
    paths = (await browser.client.get("/schema/openapi.json")).json()["paths"]
    assert "post" in paths["/oauth2/introspect"]
