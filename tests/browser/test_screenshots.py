"""The three pictures the README shows, taken along alice's sign-in (`make screenshots`
copies them from var/test-artifacts/ to docs/images/)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

DOCS_SHOTS = ("docs-demo-home", "docs-sandbox-account-picker", "docs-alice-signed-in")


def test_the_readme_screenshots_along_alices_sign_in(person):
    shots = [person.open_home().screenshot(DOCS_SHOTS[0])]
    person.page.wait_for_selector("body[data-sandbox-trusted=yes]")
    shots.append(person.click_sign_in("aad").screenshot(DOCS_SHOTS[1]))
    person.pick_account("alice@contoso.com").landed()
    assert person.signed_in_as()["role"] == "editor"
    shots.append(person.screenshot(DOCS_SHOTS[2]))
    for shot in shots:
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
