"""The newcomer's first click: a browser that does not trust the sandbox's CA is told what
to do on the demo page; `azure-signin sandbox trust` fixes it and `untrust` undoes it.

Each step starts Chromium afresh on a throwaway HOME (its NSS database is read at start),
never the real user's."""
from __future__ import annotations

import pytest

from .harness import ARTIFACTS, launch, trust_sandbox, untrust_sandbox

pytestmark = pytest.mark.slow


def _visit(playwright_driver, home, demo, shot: str):
    """Open the demo's home page in a new browser; the sandbox-trust verdict and where the
    'Sign in with Azure AD' button leads."""
    browser = launch(playwright_driver, home)
    try:
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        page.goto(demo.frontend + "/")
        page.wait_for_selector("body[data-sandbox-trusted]")
        verdict = page.get_attribute("body", "data-sandbox-trusted")
        warning = page.locator("#trust-warning").inner_text() if verdict == "no" else ""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"test_trust--{shot}.png"), full_page=True)
        page.get_by_role("link", name="Sign in with Azure AD", exact=True).click()
        page.wait_for_load_state()
        picker = page.url.startswith(demo.sandbox + "/") and page.get_by_role(
            "heading", name="Sign in to your account").count() == 1
        return verdict, warning, page.url, picker
    finally:
        browser.close()


def test_trust_and_untrust_decide_whether_the_first_click_meets_a_certificate_warning(
        playwright_driver, demo, sandbox_dir, tmp_path):
    home = tmp_path / "newcomer"
    home.mkdir()
    verdict, warning, url, picker = _visit(playwright_driver, home, demo, "untrusted")
    assert verdict == "no" and not picker
    assert url.startswith("chrome-error://")  # Chromium's NET::ERR_CERT_AUTHORITY_INVALID page
    assert "does not trust the Azure sandbox" in warning and "azure-signin sandbox trust" in warning
    assert "azure-signin sandbox untrust" in warning

    said = trust_sandbox(home, sandbox_dir)
    assert "trusted in" in said and "untrust" in said
    verdict, warning, url, picker = _visit(playwright_driver, home, demo, "trusted")
    assert verdict == "yes" and warning == "" and picker

    said = untrust_sandbox(home, sandbox_dir)
    assert "removed azure-signin sandbox CA" in said
    verdict, _, url, picker = _visit(playwright_driver, home, demo, "untrusted-again")
    assert verdict == "no" and not picker
