"""Entra External ID journeys (issue 18 item 4): `GET /login/aad?provider=external` with the
real MSAL and Graph adapters against the sandbox's external tenant, on SQLite with
in-process stores and on PostgreSQL with Redis."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.web.support import roles_of

EXTERNAL = {"SIGNIN_PROVIDERS": "aad,b2c,external"}


async def refresh(browser, token: str):
    return await browser.client.post("/auth/refresh", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(autouse=True)
def _fresh_sandbox(sandbox):
    """Directory changes made here must not leak into the next test."""
    sandbox.reset()
    yield
    sandbox.reset()


@pytest.fixture
async def external(make_service):
    async with make_service(**EXTERNAL) as (browser, operator):
        yield browser, operator


async def test_a_local_account_lands_in_its_invited_workspace_with_its_role(external):
    browser, operator = external
    await operator.invite("ines@example.net", await operator.workspace_id("Globex"), "editor")
    landing = await browser.login("ines@example.net", "external")
    assert landing.final and landing.final.startswith("http://localhost:3001/redirect-uri?")
    assert landing.uri == "/workspace/2/home"
    me = (await browser.me(landing.token)).json()
    assert me["user"]["email"] == "ines@example.net" and me["user"]["emailVerified"] is True
    assert roles_of(me) == {2: "editor"}


async def test_the_same_external_id_person_twice_is_one_user(external):
    browser, _ = external
    first = await browser.login("ines@example.net", "external")
    second = await browser.login("ines@example.net", "external")
    one, two = (await browser.me(first.token)).json(), (await browser.me(second.token)).json()
    assert first.uri == "/no-workspace"
    assert one["user"]["id"] == two["user"]["id"]
    assert one["session"]["id"] != two["session"]["id"]


async def test_an_unverified_external_id_email_never_joins_the_user_who_owns_it(external):
    browser, operator = external
    ines = await browser.login("ines@example.net", "external")
    ines_id = (await browser.me(ines.token)).json()["user"]["id"]
    before = await operator.row_counts()
    landing = await browser.login("ines.impostor@gmail.com", "external")  # Google, same address
    assert landing.error == "account_conflict" and landing.token is None
    assert await operator.row_counts() == before
    assert (await browser.me(ines.token)).json()["user"]["id"] == ines_id


async def test_external_id_is_not_offered_unless_configured(service):
    browser, _ = service
    answer = await browser.start("external")
    assert answer.status_code == 302
    assert answer.headers["location"] == "http://localhost:3001/redirect-uri?error=invalid_request"


async def test_an_external_id_account_disabled_at_microsoft_loses_its_session_at_the_next_refresh(
    external, sandbox
):
    browser, _ = external
    landing = await browser.login("ines@example.net", "external")
    refreshed = await refresh(browser, landing.token)
    assert refreshed.status_code == 200
    sandbox.hook("POST", "users/ines@example.net/disable")
    token = refreshed.json()["access_token"]
    answer = await refresh(browser, token)
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_token"}
    assert (await browser.me(token)).status_code == 401


async def test_a_sign_out_at_external_id_closes_that_session(external, sandbox):
    browser, _ = external
    ines = await browser.login("ines@example.net", "external")
    alice = await browser.login("alice@contoso.com", "aad")
    (url,) = sandbox.hook("POST", "users/ines@example.net/signout")["frontchannel"]
    assert "ciamlogin.com" in url  # the External ID issuer, as Microsoft sends it
    page = await browser.client.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 200
    assert (await browser.me(ines.token)).status_code == 401
    assert (await browser.me(alice.token)).status_code == 200
