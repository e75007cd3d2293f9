"""The redirect allow-list and CORS are one list (issue 11 point 8): the CORS config is built
from exactly the origins the one parser accepted, so an origin passes CORS only when it is
one the service would send a browser to, and a wildcard-looking origin never does."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import SignInError
from core.navigation import match_origin, parse_origin
from entrypoints.settings import SettingsError, load_settings
from entrypoints.web.app import cors_config
from tests.web.support import FRONTEND

ALLOWED = "http://localhost:3001, HTTPS://App.Example.com:443/,https://admin.example.com:8443"
SETTINGS = load_settings({"SIGNIN_ALLOWED_ORIGINS": ALLOWED})
CORS = cors_config(SETTINGS.allowed_origins)


def _redirect_allows(candidate: str) -> str | None:
    try:
        return match_origin(candidate, SETTINGS.allowed_origins)
    except SignInError:
        return None


_mutations = st.sampled_from([
    "", "/", ":443", ":8443", ".", "x", "*", ".evil.com", "@evil.com", "%2e", "/path", "?q", "#f", "\n",
])
_candidates = st.one_of(
    st.tuples(st.sampled_from([*SETTINGS.allowed_origins, "https://app.example.com", "https://*.example.com",
                               "https://evil.example.com", "https://app.example.com.evil.com",
                               "https://appxexample.com", "null"]), _mutations).map("".join),
    st.sampled_from(SETTINGS.allowed_origins).map(str.upper),
    st.text(max_size=40),
)


@given(_candidates)
def test_cors_and_the_redirect_allow_list_agree_on_every_origin(candidate):
    redirect = _redirect_allows(candidate)
    if CORS.is_origin_allowed(candidate):
        assert redirect == candidate  # CORS grants only exact, canonical allow-listed origins
    if redirect is not None and str(parse_origin(candidate)) == candidate:
        assert CORS.is_origin_allowed(candidate)  # and every canonical one (as browsers send)


def test_the_cors_list_is_the_parsed_allow_list_itself():
    assert CORS.allow_origins == list(SETTINGS.allowed_origins)
    assert SETTINGS.allowed_origins == (
        "http://localhost:3001", "https://app.example.com", "https://admin.example.com:8443")
    assert not CORS.is_allow_all_origins


@pytest.mark.parametrize("entry", ["https://*.example.com", "*", "https://App.example.com/", "https://a.com:443"])
def test_a_cors_list_of_anything_but_canonical_origins_is_refused(entry):
    with pytest.raises(ValueError):
        cors_config((entry,))


def test_a_wildcard_allow_list_never_starts(tmp_path):
    with pytest.raises(SettingsError, match="SIGNIN_ALLOWED_ORIGINS"):
        load_settings({"SIGNIN_ALLOWED_ORIGINS": "https://*.example.com"})


async def test_the_running_app_builds_cors_from_the_same_origins(service):
    browser, operator = service
    app = browser.client.app
    assert app.cors_config.allow_origins == list(operator.settings.allowed_origins) == [FRONTEND]
    granted = await browser.client.options("/me", headers={
        "Origin": FRONTEND, "Access-Control-Request-Method": "GET"})
    assert granted.headers["access-control-allow-origin"] == FRONTEND
    for origin in ("http://localhost:3001.evil.com", "http://localhost", "HTTP://LOCALHOST:3001"):
        refused = await browser.client.options("/me", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET"})
        assert refused.headers.get("access-control-allow-origin") in (None, "")
