"""The demo's sign-in journeys, clicked in Chromium as a person would, from the frontend.

One demo serves the whole module: each journey signs in a different person, or does not
depend on who signed in before (mallory after alice is meant to come after alice).
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_alice_signs_in_with_azure_ad_and_lands_in_acme_as_editor(person):
    seen = person.sign_in("alice@contoso.com", "aad").signed_in_as()
    assert seen["user-email"] == "alice@contoso.com"
    assert seen["workspace"] == "Acme (#1)" and seen["role"] == "editor"
    assert seen["header-name"] == "Alice Contoso"
    assert person.page.url == f"{person.demo.frontend}/redirect-uri?uri=%2Fworkspace%2F1%2Fhome"
    assert person.page.get_by_role("combobox", name="Workspace").input_value() == "1"


def test_bob_signs_in_with_b2c_and_lands_in_acme_as_viewer(person):
    seen = person.sign_in("bob@example.org", "b2c").signed_in_as()
    assert seen["user-email"] == "bob@example.org"
    assert seen["workspace"] == "Acme (#1)" and seen["role"] == "viewer"


def test_a_new_b2c_address_signs_up_and_has_no_workspace_yet(person):
    person.open_home().click_sign_in("b2c").type_sign_in_name("newcomer@example.net").landed()
    seen = person.signed_in_as()
    assert seen["user-email"] == "newcomer@example.net"
    assert seen["workspace"] == "none yet" and seen["role"] == "-"
    assert "no workspace has given you a role yet" in person.text("#notice")


def test_frank_s_pending_invite_is_not_applied(person):
    seen = person.sign_in("frank@fabrikam.com", "aad").signed_in_as()
    assert seen["user-email"] == "frank@fabrikam.com"
    assert seen["workspace"] == "none yet"
    assert person.page.locator("#memberships tr").count() == 0


def test_mallory_after_alice_is_refused_with_account_conflict(people):
    people("alice").sign_in("alice@contoso.com", "aad").signed_in_as()
    mallory = people("mallory").sign_in("mallory@evil.example", "aad")
    assert mallory.error_code() == "account_conflict"
    assert "already exists" in mallory.text("#error-text")
    assert mallory.token() is None


def test_b2c_cancel_says_the_person_cancelled(person):
    person.open_home().click_sign_in("b2c").press("Cancel").landed()
    assert person.error_code() == "cancelled"
    assert person.text("#error-text") == "You cancelled the sign-in on Microsoft's page."


def test_forgot_password_runs_the_reset_policy_then_signs_in(person):
    person.open_home().click_sign_in("b2c").press("Forgot your password?")
    page = person.page
    page.get_by_role("heading", name="Reset your password").wait_for()
    assert "B2C_1A_PASSWORDRESET" in page.inner_text("main")
    assert page.get_by_role("button", name="Forgot your password?").count() == 0
    person.screenshot("sandbox-password-reset")
    person.pick_account("bob@example.org").landed()
    seen = person.signed_in_as()
    assert seen["user-email"] == "bob@example.org" and seen["role"] == "viewer"


def test_two_tabs_sign_in_at_once_and_each_keeps_its_own_session(people):
    first = people("first-tab")
    second = people("second-tab", context=first.context)
    first.open_home().click_sign_in("aad")
    second.open_home().click_sign_in("aad")
    first.pick_account("erin@contoso.com").landed()
    second.pick_account("alice@contoso.com").landed()
    assert first.signed_in_as()["user-email"] == "erin@contoso.com"
    assert second.signed_in_as()["user-email"] == "alice@contoso.com"
    assert first.token() != second.token()
    first.reload()
    assert first.signed_in_as()["user-email"] == "erin@contoso.com"
