"""The Litestar guard (`adapters.litestar_guard`, issue 12 item 3) in front of a resource
server, asking the real service app (JWKS and /auth/verify) over an in-process transport:
SQLite with in-process stores, and PostgreSQL with Redis."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, get
from litestar.testing import AsyncTestClient

from adapters.litestar_guard import SignedInUser, SigninAuth
from tests.web.support import SERVICE
from tests.web.verify_support import Forger, bearer, eventually

CHALLENGE = 'Bearer error="invalid_token"'


class Switchable(httpx.AsyncBaseTransport):
    """The service app through its test client's own transport (it runs on the client's
    event loop, with its pools), which a test can take down (connection refused)."""

    def __init__(self, client: Any) -> None:
        self.inner = client._transport
        self.down = False
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        await asyncio.sleep(0.01)  # a network round trip lets other requests run meanwhile
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


def resource_server(auth: SigninAuth) -> Litestar:
    @get("/hello")
    async def hello(request: Request[SignedInUser, str, Any]) -> dict[str, Any]:
        user = request.user
        return {"email": user.email, "id": user.id, "workspaces": dict(user.workspaces)}

    @get("/workspaces/{workspace_id:int}/notes", guards=[auth.requires_role("editor")])
    async def notes(workspace_id: int) -> dict[str, Any]:
        return {"workspace": workspace_id}

    @get("/public", exclude_from_auth=True)
    async def public() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([hello, notes, public], middleware=[auth.middleware])


@pytest.fixture
async def guarded(service):
    """(browser, operator, transport, make): `make(**options)` builds a resource server
    with its own SigninAuth and gives its test client."""
    browser, operator = service
    transport = Switchable(browser.client)
    clients: list[AsyncTestClient] = []

    async def make(**options: Any) -> tuple[AsyncTestClient, SigninAuth]:
        auth = SigninAuth(SERVICE, transport=transport, **options)
        client = AsyncTestClient(resource_server(auth))
        await client.__aenter__()
        clients.append(client)
        return client, auth

    yield browser, operator, transport, make
    for client in clients:
        await client.__aexit__(None, None, None)


async def test_a_signed_in_user_is_on_request_user_with_the_services_identity(guarded):
    browser, _, _, make = guarded
    client, _ = await make()
    alice = await browser.login("alice@contoso.com", "aad")
    me = (await browser.me(alice.token)).json()
    answer = await client.get("/hello", headers=bearer(alice.token))
    assert answer.status_code == 200
    assert answer.json() == {"email": "alice@contoso.com", "id": me["user"]["id"],
                             "workspaces": {"1": "editor"}}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic eDp5"},
                                     {"Authorization": "Bearer not-a-token"}])
async def test_no_or_a_malformed_token_gets_401_with_the_bearer_challenge(guarded, headers):
    _, _, _, make = guarded
    client, _ = await make()
    answer = await client.get("/hello", headers=headers)
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == CHALLENGE
    assert (await client.get("/public")).status_code == 200  # excluded routes stay open


@pytest.mark.parametrize("forgery", [
    "alg_none", "hs256_with_public_key", "unknown_kid", "right_kid_wrong_key", "wrong_audience",
    "wrong_issuer", "audience_list", "expired", "wrong_type",
])
async def test_forged_tokens_are_refused_by_the_local_check_alone(guarded, forgery):
    browser, operator, transport, make = guarded
    client, auth = await make(confirm_session=False)  # only the JWKS check decides here
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
        "expired": lambda: forger.sign(iat=now - 7200, nbf=now - 7200, exp=now - 60),
        "wrong_type": lambda: forger.sign(headers={"typ": "JWT"}),
    }[forgery]()
    assert (await client.get("/hello", headers=bearer(alice.token))).status_code == 200
    answer = await client.get("/hello", headers=bearer(token))
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == CHALLENGE
    assert "/auth/verify" not in transport.paths


async def test_the_role_guard_follows_the_roles_order(guarded):
    browser, operator, _, make = guarded
    client, _ = await make()
    async with operator.container() as container:
        await container.administration().invite("erin@contoso.com", 1, "owner", accepted=True)
    alice = await browser.login("alice@contoso.com", "aad")  # editor of 1
    bob = await browser.login("bob@example.org", "b2c")  # viewer of 1
    erin = await browser.login("erin@contoso.com", "aad")  # owner of 1
    assert (await client.get("/workspaces/1/notes", headers=bearer(alice.token))).status_code == 200
    assert (await client.get("/workspaces/1/notes", headers=bearer(erin.token))).status_code == 200
    denied = await client.get("/workspaces/1/notes", headers=bearer(bob.token))
    assert denied.status_code == 403
    assert (await client.get("/workspaces/2/notes", headers=bearer(alice.token))).status_code == 403
    assert (await client.get("/workspaces/1/notes")).status_code == 401


async def test_a_logout_is_honoured_within_a_second(guarded):
    browser, _, _, make = guarded
    client, _ = await make()
    alice = await browser.login("alice@contoso.com", "aad")
    assert (await client.get("/workspaces/1/notes", headers=bearer(alice.token))).status_code == 200
    assert (await client.get("/hello", headers=bearer(alice.token))).status_code == 200
    assert (await browser.client.post("/logout", headers=bearer(alice.token))).status_code == 200

    async def refused() -> bool:
        hello = await client.get("/hello", headers=bearer(alice.token))
        notes = await client.get("/workspaces/1/notes", headers=bearer(alice.token))
        return hello.status_code == 401 and notes.status_code == 401

    await eventually(refused, within=1.0)


async def test_the_jwks_is_fetched_once_and_an_unknown_kid_refetches_it_at_most_once(guarded):
    browser, operator, transport, make = guarded
    client, auth = await make(confirm_session=False, jwks_refetch_interval=60)
    alice = await browser.login("alice@contoso.com", "aad")
    forger = Forger(operator.settings, alice.token)
    for _ in range(5):
        assert (await client.get("/hello", headers=bearer(alice.token))).status_code == 200
    assert auth.keys.fetches == 1
    for _ in range(5):
        assert (await client.get("/hello", headers=bearer(forger.unknown_kid()))).status_code == 401
    assert auth.keys.fetches == 1  # fetched less than refetch_interval ago: no refetch


async def test_a_new_key_is_found_by_refetching_on_its_unknown_kid(guarded):
    browser, operator, _, make = guarded
    client, auth = await make(confirm_session=False, jwks_refetch_interval=0)
    alice = await browser.login("alice@contoso.com", "aad")
    assert (await client.get("/hello", headers=bearer(alice.token))).status_code == 200
    # the service starts publishing a second key (rotation): tokens under it verify
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from adapters.jwt.keys import KeySet
    tokens = operator.app.tokens()
    rotated = tokens._keys.rotated(Ed25519PrivateKey.generate())
    assert isinstance(rotated, KeySet)
    tokens._keys = rotated
    fresh = Forger(operator.settings, alice.token)
    fresh.key, fresh.kid = rotated.current, rotated.current_kid
    assert (await client.get("/hello", headers=bearer(fresh.sign()))).status_code == 200
    assert auth.keys.fetches == 2


async def test_the_service_unreachable_fails_closed_with_503(guarded):
    browser, _, transport, make = guarded
    alice = await browser.login("alice@contoso.com", "aad")
    transport.down = True
    client, _ = await make(jwks_refetch_interval=0)  # retry the JWKS at once once it is back
    answer = await client.get("/hello", headers=bearer(alice.token))  # no keys yet
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    transport.down = False
    assert (await client.get("/hello", headers=bearer(alice.token))).status_code == 200
    transport.down = True  # keys are cached now; the session check cannot be made
    await_until = time.monotonic() + 1
    while time.monotonic() < await_until:  # past the verdict cache
        answer = await client.get("/workspaces/1/notes", headers=bearer(alice.token))
        if answer.status_code == 503:
            break
    assert answer.status_code == 503
    assert (await client.get("/hello", headers=bearer(alice.token))).status_code in (200, 503)


def test_the_cache_is_bounded_to_half_a_second():
    with pytest.raises(ValueError):
        SigninAuth(SERVICE, cache_seconds=0.6)
    with pytest.raises(ValueError):
        SigninAuth("signin.example.com")


async def test_concurrent_checks_of_one_token_share_one_request_to_the_service(guarded):
    browser, _, _, make = guarded
    _, auth = await make(cache_seconds=0)  # no cache: only sharing can spare requests
    alice = await browser.login("alice@contoso.com", "aad")
    verdicts = await asyncio.gather(*(auth.sessions.check(alice.token) for _ in range(20)))
    assert {v.status for v in verdicts} == {200} and auth.sessions.requests == 1
    assert (await auth.sessions.check(alice.token)).status == 200 and auth.sessions.requests == 2
    assert not auth.sessions._in_flight
