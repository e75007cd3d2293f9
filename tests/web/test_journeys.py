"""Full journeys over HTTP with the real MSAL and Graph adapters against the Azure sandbox,
on SQLite with in-process stores and on PostgreSQL with Redis (issue 7's acceptance)."""
from __future__ import annotations

from tests.web.support import roles_of


async def test_azure_ad_user_lands_in_her_invited_workspace_as_editor(service):
    browser, _ = service
    landing = await browser.login("alice@contoso.com", "aad")
    assert landing.final and landing.final.startswith("http://localhost:3001/redirect-uri?")
    assert landing.uri == "/workspace/1/home"
    me = (await browser.me(landing.token)).json()
    assert me["user"]["email"] == "alice@contoso.com"
    assert roles_of(me) == {1: "editor"}


async def test_same_person_twice_is_one_user(service):
    browser, _ = service
    first = await browser.login("alice@contoso.com", "aad")
    second = await browser.login("alice@contoso.com", "aad")
    one, two = (await browser.me(first.token)).json(), (await browser.me(second.token)).json()
    assert one["user"]["id"] == two["user"]["id"]
    assert one["session"]["id"] != two["session"]["id"]


async def test_b2c_local_account_lands_as_viewer(service):
    browser, _ = service
    landing = await browser.login("bob@example.org", "b2c")
    assert landing.uri == "/workspace/1/home"
    assert roles_of((await browser.me(landing.token)).json()) == {1: "viewer"}


async def test_new_b2c_sign_up_lands_on_no_workspace(service):
    browser, _ = service
    landing = await browser.login("newcomer@example.net", "b2c")
    assert landing.token, landing.hops
    assert landing.uri == "/no-workspace"
    me = (await browser.me(landing.token)).json()
    assert me["memberships"] == [] and me["user"]["emailVerified"] is True


async def test_pending_invite_is_not_applied(service):
    browser, _ = service
    landing = await browser.login("frank@fabrikam.com", "aad")
    assert landing.token and landing.uri == "/no-workspace"
    assert roles_of((await browser.me(landing.token)).json()) == {}


async def test_hostile_tenant_claiming_alices_email_gets_account_conflict_and_writes_nothing(service):
    browser, operator = service
    alice = await browser.login("alice@contoso.com", "aad")
    alice_id = (await browser.me(alice.token)).json()["user"]["id"]
    before = await operator.row_counts()
    landing = await browser.login("mallory@evil.example", "aad")
    assert landing.error == "account_conflict" and landing.token is None
    assert await operator.row_counts() == before
    assert (await browser.me(alice.token)).json()["user"]["id"] == alice_id


async def test_a_tenant_nobody_registered_is_refused_by_the_service_not_microsoft(service):
    browser, operator = service
    before = await operator.row_counts()
    landing = await browser.login("mallory@evil.example", "aad")  # before alice: no conflict yet
    assert landing.error == "provider_not_registered" and landing.token is None
    assert await operator.row_counts() == before


async def test_cancel_at_b2c_answers_cancelled(service):
    browser, _ = service
    landing = await browser.login("bob@example.org", "b2c", action="cancel")
    assert landing.error == "cancelled" and landing.token is None


async def test_access_denied_at_azure_ad_answers_access_denied(service):
    browser, _ = service
    landing = await browser.login("alice@contoso.com", "aad", action="deny")
    assert landing.error == "access_denied" and landing.token is None


async def test_forgot_password_starts_the_reset_policy_then_signs_in(service, sandbox):
    browser, _ = service
    landing = await browser.login("bob@example.org", "b2c", action="forgot_password")
    reset_hops = [h for h in landing.hops if "b2c_1a_passwordreset" in h.lower()]
    assert reset_hops, landing.hops
    assert landing.token and landing.uri == "/workspace/1/home"


async def test_me_refresh_logout_then_token_fails(service):
    browser, _ = service
    landing = await browser.login("alice@contoso.com", "aad")
    auth = {"Authorization": f"Bearer {landing.token}"}
    refreshed = await browser.client.post("/auth/refresh", headers=auth)
    assert refreshed.status_code == 200
    new_token = refreshed.json()["access_token"]
    assert (await browser.me(new_token)).status_code == 200
    out = await browser.client.post("/logout", headers=auth)
    assert out.status_code == 200 and out.json()["status"] == "logged_out"
    assert (await browser.me(landing.token)).status_code == 401
    assert (await browser.me(new_token)).status_code == 401  # same session


async def test_logout_closes_that_session_only(service):
    browser, _ = service
    one = await browser.login("alice@contoso.com", "aad")
    two = await browser.login("alice@contoso.com", "aad")
    await browser.client.get("/logout", headers={"Authorization": f"Bearer {one.token}"})
    assert (await browser.me(one.token)).status_code == 401
    assert (await browser.me(two.token)).status_code == 200


async def test_disabling_a_user_closes_every_session_at_once(service):
    browser, operator = service
    one = await browser.login("alice@contoso.com", "aad")
    two = await browser.login("alice@contoso.com", "aad")
    await operator.disable("alice@contoso.com")
    assert (await browser.me(one.token)).status_code == 401
    assert (await browser.me(two.token)).status_code == 401
    again = await browser.login("alice@contoso.com", "aad")
    assert again.error == "account_disabled"
