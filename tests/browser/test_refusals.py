"""Refusals as a person reads them: an address the service does not know, and a tenant
nobody registered, on a database where no one has signed in yet (this module's own demo)."""
from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow


def test_mallory_on_a_fresh_database_reads_that_the_service_refused_not_microsoft(people):
    mallory = people("mallory").sign_in("mallory@evil.example", "aad")
    assert mallory.error_code() == "provider_not_registered"
    sentence = mallory.text("#error-text")
    assert sentence.startswith("The sign-in service refused this sign-in, not Microsoft")
    assert "not registered with this service" in sentence
    assert "Microsoft or your organisation refused" not in sentence
    assert mallory.token() is None


def test_a_refused_origin_is_told_it_is_not_registered(people):
    person = people("visitor", expect_statuses={400})
    demo = person.demo
    page = person.page
    page.goto(f"{demo.service}/login/aad?frontendHost={quote('http://evil.example')}&provider=aad")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign-in failed"
    assert ("The address http://evil.example is not registered with the sign-in service"
            in page.inner_text("body"))
    assert "SIGNIN_ALLOWED_ORIGINS" in page.inner_text("body")
    log = demo.output()
    assert "frontend origin 'http://evil.example' is not in SIGNIN_ALLOWED_ORIGINS" in log


def test_a_refused_origin_with_markup_shows_it_as_text(people):
    person = people("visitor", expect_statuses={400})
    page = person.page
    hostile = 'http://evil.example/"><b id="injected">bold</b>'
    page.goto(f"{person.demo.service}/login/aad?frontendHost={quote(hostile)}&provider=aad")
    assert page.locator("#injected").count() == 0
    assert hostile in page.inner_text("body")
