"""The demo frontend's Members view, clicked in Chromium: alice (made owner of Initech by the
demo seed) invites erin, erin signs in, opens the link and lands in Initech as the invited
role; alice then changes erin's role and removes her."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_alice_invites_erin_who_opens_the_link_and_lands_as_editor(people):
    alice = people("alice").sign_in("alice@contoso.com", "aad")
    assert alice.signed_in_as()["role"] == "editor"          # she lands in Acme, as before
    assert alice.page.locator("#members-view").is_hidden()    # an editor has no Members view
    alice.page.get_by_role("combobox", name="Workspace").select_option("3")
    alice.page.locator("#members-view").wait_for()
    assert alice.signed_in_as()["workspace"] == "Initech (#3)" and alice.signed_in_as()["role"] == "owner"
    members = alice.page.get_by_role("table", name="Members")
    assert "alice@contoso.com" in members.inner_text()

    alice.page.get_by_label("Invite by email").fill("erin@contoso.com")
    alice.page.get_by_role("combobox", name="Invited role").select_option("editor")
    alice.page.get_by_role("button", name="Invite", exact=True).click()
    alice.page.locator("#invite-result").wait_for()
    link = alice.page.get_by_label("Accept link").input_value()
    assert link.startswith(alice.demo.frontend + "/invite#token=")
    assert alice.text("#members-status") == "erin@contoso.com is invited as editor."

    erin = people("erin", expect_statuses={409}).sign_in("erin@contoso.com", "aad")
    assert erin.signed_in_as()["workspace"] == "none yet"
    erin.page.goto(link)
    erin.page.locator("#profile:visible").wait_for()
    erin.page.wait_for_url(erin.demo.frontend + "/redirect-uri?uri=%2Fworkspace%2F3%2Fhome")
    erin.check_address_and_history()
    seen = erin.signed_in_as()
    shown = (seen["user-email"], seen["workspace"], seen["role"])
    assert shown == ("erin@contoso.com", "Initech (#3)", "editor")
    assert erin.text("#notice") == "You accepted the invite: you are now editor here."
    assert erin.page.locator("#members-view").is_hidden()

    # the link works once: opened again, it says so
    erin.page.goto(link)
    erin.page.locator("#error:visible").wait_for()
    assert erin.error_code() == "invite_used"
    assert erin.text("#error-text") == "This invite link was used already: it works once."

    # alice sees erin, changes her role, then removes her
    alice.page.get_by_role("combobox", name="Workspace").select_option("3")
    alice.page.get_by_role("combobox", name="Role of erin@contoso.com").wait_for()
    remove_erin = alice.page.get_by_role("button", name="Remove erin@contoso.com").element_handle()
    with alice.page.expect_response(lambda r: r.request.method == "GET" and r.url.endswith("/members")):
        alice.page.get_by_role("combobox", name="Role of erin@contoso.com").select_option("viewer")
    alice.page.get_by_text("erin@contoso.com is now viewer.").wait_for()
    # the reload after the change kept the rows: a click begun on the old button (mouse down
    # before the reload, up after) would otherwise land on the table and be lost
    alice.page.wait_for_timeout(300)
    assert remove_erin.evaluate("button => button.isConnected")
    alice.page.get_by_role("button", name="Remove erin@contoso.com").click()
    alice.page.get_by_text("erin@contoso.com was removed.").wait_for()
    alice.page.get_by_role("button", name="Remove erin@contoso.com").wait_for(state="detached")
    assert "erin@contoso.com" not in alice.page.get_by_role("table", name="Members").inner_text()
    erin.page.goto(erin.demo.frontend + "/redirect-uri")
    erin.landed()
    assert erin.signed_in_as()["workspace"] == "none yet"
