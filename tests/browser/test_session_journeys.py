"""What a session looks like in the browser over time: reloads on every page, sign-out,
back and forward, a deep link, and an administrator closing the session meanwhile."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_reload_on_every_page_keeps_what_the_page_showed(person):
    person.open_home()
    person.page.reload()
    person.page.locator("#signin").wait_for()
    person.click_sign_in("aad")
    person.page.reload()  # the sandbox's account picker, as Microsoft's page would be
    person.page.get_by_role("heading", name="Sign in to your account").wait_for()
    person.pick_account("alice@contoso.com").landed()
    token = person.token()
    assert person.reload().signed_in_as()["user-email"] == "alice@contoso.com"
    assert person.token() == token  # the same session, not a new sign-in
    person.sign_out()
    assert person.reload().view() == "signed-out"
    assert "You signed out" in person.text("#signed-out-text")
    assert person.token() is None


def test_reload_on_an_error_page_shows_the_same_error(person):
    person.open_home().click_sign_in("b2c").press("Cancel").landed()
    before = (person.error_code(), person.text("#error-text"))
    assert person.reload().error_code() == "cancelled"
    assert (person.error_code(), person.text("#error-text")) == before
    assert person.page.url == f"{person.demo.frontend}/redirect-uri?error=cancelled"


def test_back_and_forward_after_sign_out_bring_no_token_back(person):
    person.sign_in("alice@contoso.com", "aad").signed_in_as()
    token = person.token()
    person.sign_out()
    page = person.page
    page.go_back()  # the sandbox's page, with the finished login's state
    page.get_by_role("heading", name="Sign in to your account").wait_for()
    page.go_forward()
    assert person.landed().view() == "signed-out" and person.token() is None
    page.go_back()
    page.get_by_role("heading", name="Sign in to your account").wait_for()
    # submitting the stale page: the login it belonged to is spent
    page.get_by_role("button", name="alice@contoso.com", exact=True).click()
    assert person.landed().error_code() == "login_expired"
    assert person.token() is None
    assert all(token not in url for url in person.history())
    assert token not in page.content()


def test_a_deep_link_to_a_workspace_she_is_not_in_says_so_and_shows_hers(person):
    demo = person.demo
    person.page.goto(f"{demo.service}/login/aad?frontendHost={demo.frontend}&provider=aad"
                     "&uri=/workspace/2/board")
    person.pick_account("alice@contoso.com").landed()
    seen = person.signed_in_as()
    assert seen["workspace"] == "Acme (#1)" and seen["role"] == "editor"
    assert person.text("#notice") == ("You are not a member of workspace #2 (the link "
                                      "/workspace/2/board); showing Acme instead.")
    assert "none yet" not in person.page.inner_text("main")


def test_user_disable_while_signed_in_shows_signed_out_on_the_next_call(people):
    person = people("dana", expect_statuses={401})
    demo = person.demo
    for workspace, role in (("1", "viewer"), ("2", "editor")):
        done = demo.cli("invite", "add", "dana@example.net", "--workspace", workspace, "--role", role,
                        "--accepted")
        assert done.returncode == 0, done.stderr
    person.open_home().click_sign_in("b2c").type_sign_in_name("dana@example.net").landed()
    assert person.signed_in_as()["role"] == "viewer"
    switcher = person.page.get_by_role("combobox", name="Workspace")
    assert switcher.locator("option").all_inner_texts() == ["Acme (viewer)", "Globex (editor)"]
    done = demo.cli("user", "disable", "dana@example.net")
    assert done.returncode == 0 and "1 open session(s) revoked" in done.stdout
    switcher.select_option(label="Globex (editor)")  # the next call to the service
    person.page.locator("#signed-out").wait_for()
    assert "closed your session" in person.text("#signed-out-text")
    assert person.token() is None
    assert person.reload().view() == "signed-out"
