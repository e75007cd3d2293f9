"""The login's safety (issue 7 point 4): where the browser may go, which browser may finish
a login, and what the answers let leak."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.support import FRONTEND

BAD_ORIGINS = [
    "http://localhost:3002",            # another port
    "https://localhost:3001",           # another scheme
    "http://localhost:3001.evil.com",   # a suffix
    "http://evil.com",
    "http://user@localhost:3001",       # userinfo
    "http://localhost:3001/path",       # a path
    "http://localhost:3001?x=1",
    "javascript:alert(1)",
    "//localhost:3001",
    "",
]


@pytest.mark.parametrize("origin", BAD_ORIGINS)
async def test_origin_not_on_the_allow_list_gets_a_plain_400_and_no_flow(service, origin):
    """(An empty `frontendHost=` is malformed too; leaving it out is allowed.)"""
    browser, operator = service
    flows = operator.app.flows()
    before = len(flows)
    answer = await browser.start("aad", frontendHost=origin)
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "invalid_request" in answer.text and "Traceback" not in answer.text
    assert len(flows) == before


async def test_a_refused_origin_is_named_on_the_page_and_in_the_log(service, caplog):
    caplog.set_level(logging.WARNING, logger="azure_signin.web")
    browser, _ = service
    answer = await browser.start("aad", frontendHost="http://evil.example")
    assert answer.status_code == 400
    assert ("The address <code>http://evil.example</code> is not registered with the sign-in "
            "service") in answer.text
    lines = [r.getMessage() for r in caplog.records if r.name == "azure_signin.web"]
    assert any("'http://evil.example'" in line and "SIGNIN_ALLOWED_ORIGINS" in line for line in lines)


async def test_a_refused_origin_never_echoes_markup_nor_forges_log_lines(service, caplog):
    caplog.set_level(logging.WARNING, logger="azure_signin.web")
    browser, _ = service
    hostile = 'http://evil.example/"><script>alert(1)</script>\nINFO forged line ' + "x" * 500
    answer = await browser.start("aad", frontendHost=hostile)
    assert answer.status_code == 400
    assert "<script>" not in answer.text and "&lt;script&gt;" in answer.text
    assert "x" * 201 not in answer.text  # cut short
    lines = [r.getMessage() for r in caplog.records if "SIGNIN_ALLOWED_ORIGINS" in r.getMessage()]
    assert len(lines) == 1 and "\n" not in lines[0] and "forged line" in lines[0]
    assert len(lines[0]) < 300


async def test_the_flow_keeps_the_allow_lists_spelling_of_the_origin(service):
    browser, _ = service
    landing = await browser.login("alice@contoso.com", "aad", frontendHost="HTTP://LOCALHOST:3001/")
    assert landing.final and landing.final.startswith(FRONTEND + "/redirect-uri?")


@pytest.mark.parametrize("deep_link", [
    "//evil.com/x", "/\\evil.com", "https://evil.com", "/%2F%2Fevil.com", "/%252F%252Fevil.com",
    "javascript:alert(1)", "/a\u0000b", "/a b", "workspace/1",
])
async def test_unsafe_deep_links_fall_back_to_the_landing_workspace(service, deep_link):
    browser, _ = service
    landing = await browser.login("alice@contoso.com", "aad", uri=deep_link)
    assert landing.uri == "/workspace/1/home"


async def test_a_same_site_deep_link_is_kept(service):
    browser, _ = service
    landing = await browser.login("alice@contoso.com", "aad", uri="/workspace/1/settings?tab=2")
    assert landing.uri == "/workspace/1/settings?tab=2"


async def test_redirect_uri_sent_to_microsoft_comes_from_settings_not_headers(service):
    browser, _ = service
    answer = await browser.client.get(
        "/login/aad", params={"frontendHost": FRONTEND},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example",
                 "X-Forwarded-Proto": "https"},
        follow_redirects=False,
    )
    sent = parse_qs(urlsplit(answer.headers["location"]).query)["redirect_uri"]
    assert sent == ["http://localhost:8000/redirect"]


async def test_binding_cookie_is_httponly_lax_and_lives_as_long_as_the_flow(service):
    browser, _ = service
    answer = await browser.start("aad")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("signin-flow-")
    lowered = cookie.lower()
    for attribute in ("httponly", "samesite=lax", "max-age=600", "path=/"):
        assert attribute in lowered


async def test_on_https_the_binding_cookie_is_host_prefixed_and_secure(make_service):
    async with make_service(SIGNIN_PUBLIC_URL="https://signin.example.com") as (browser, _):
        answer = await browser.start("aad")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-signin-flow-")
    assert "secure" in cookie.lower() and "path=/" in cookie.lower()


async def test_callback_without_the_binding_cookie_is_refused_and_writes_nothing(service):
    browser, operator = service
    landing = await browser.login("alice@contoso.com", "aad", stop_at_callback=True)
    browser.client.cookies.clear()
    before = await operator.row_counts()
    answer = await browser.client.get(landing.callback, follow_redirects=False)
    assert answer.headers["location"] == FRONTEND + "/redirect-uri?error=invalid_request"
    assert await operator.row_counts() == before


async def test_replayed_callback_is_login_expired_and_writes_nothing(service):
    browser, operator = service
    landing = await browser.login("alice@contoso.com", "aad")
    assert landing.token
    before = await operator.row_counts()
    answer = await browser.client.get(landing.callback, follow_redirects=False)
    assert answer.headers["location"] == FRONTEND + "/redirect-uri?error=login_expired"
    assert await operator.row_counts() == before


async def test_two_tabs_logins_each_complete(service):
    browser, _ = service
    first = await browser.login("alice@contoso.com", "aad", stop_at_callback=True)
    second = await browser.login("bob@example.org", "b2c", stop_at_callback=True)
    finished_second = await browser.client.get(second.callback, follow_redirects=False)
    finished_first = await browser.client.get(first.callback, follow_redirects=False)
    for answer in (finished_first, finished_second):
        assert "access_token=" in answer.headers["location"], answer.headers["location"]


async def test_redirect_answers_are_not_stored_and_send_no_referrer(service):
    browser, _ = service
    landing = await browser.login("alice@contoso.com", "aad")
    final = landing.last
    assert final.headers["cache-control"] == "no-store"
    assert final.headers["referrer-policy"] == "no-referrer"
    replay = await browser.client.get(landing.callback, follow_redirects=False)
    assert replay.headers["cache-control"] == "no-store"


async def test_login_start_is_rate_limited_per_client(make_service):
    # an address of its own: the budget is shared through Redis with every other test client
    from tests.web.test_rate_limit import _as_peer, _some_client, _start

    async with (make_service(SIGNIN_LOGIN_RATE_LIMIT="3") as (browser, _),
                _as_peer(browser, _some_client()) as client):
        codes = [(await _start(client)).status_code for _ in range(4)]
        limited = await _start(client)
    assert codes[:3] == [302, 302, 302] and codes[3] == 429
    assert int(limited.headers["retry-after"]) >= 1


async def test_oversized_query_and_headers_get_a_4xx(service):
    browser, _ = service
    long_query = await browser.client.get("/login/aad?frontendHost=" + "a" * 5000)
    assert long_query.status_code == 414
    big_header = await browser.client.get("/health/live", headers={"X-Big": "b" * 20000})
    assert big_header.status_code == 431


async def test_query_delivery_has_the_original_frontends_exact_shape(make_service):
    async with make_service(SIGNIN_TOKEN_DELIVERY="query") as (browser, _):
        landing = await browser.login("alice@contoso.com", "aad")
        assert (await browser.me(landing.token)).status_code == 200
    prefix = "http://localhost:3001/redirect-uri?uri=/workspace/1/home&access_token="
    assert landing.final.startswith(prefix)
    assert landing.final[len(prefix):].count(".") == 2


async def test_code_delivery_hands_the_token_over_once(make_service):
    async with make_service(SIGNIN_TOKEN_DELIVERY="code") as (browser, _):
        landing = await browser.login("alice@contoso.com", "aad")
        assert "access_token" not in landing.final
        code = landing.params()["code"]
        first = await browser.client.post("/auth/token", json={"code": code})
        second = await browser.client.post("/auth/token", json={"code": code})
        assert first.status_code == 200 and second.status_code == 400
        assert (await browser.me(first.json()["access_token"])).status_code == 200


async def test_unexpected_failure_is_server_error_without_a_trace(service):
    browser, operator = service

    class Broken:
        async def read(self, login):
            raise RuntimeError("boom: secret-detail")

    from dependency_injector import providers
    operator.app.profiles.override(providers.Object(Broken()))
    landing = await browser.login("alice@contoso.com", "aad")
    assert landing.error == "server_error"
    assert "secret-detail" not in (landing.final or "")


async def test_a_login_without_origin_lands_on_the_workspace_host_only_when_allowed(make_service):
    allowed = "http://localhost:3001,https://app.example.com"
    async with make_service(SIGNIN_ALLOWED_ORIGINS=allowed) as (browser, operator):
        async with operator.container() as admin_side:
            admin = admin_side.administration()
            listed = await admin.add_workspace("Listed", "https://app.example.com")
            unlisted = await admin.add_workspace("Unlisted", "http://not-allowed.example")
            await admin.invite("erin@contoso.com", listed.id, "viewer", accepted=True)
            await admin.invite("zoe@example.net", unlisted.id, "owner", accepted=True)
        browser.frontend = "https://app.example.com"  # where erin must land, and nowhere else
        erin = await browser.login("erin@contoso.com", "aad", frontendHost=None)
        browser.frontend = FRONTEND  # zoe's workspace host is not allowed: the first origin
        zoe = await browser.login("zoe@example.net", "b2c", frontendHost=None)  # signs up
    assert erin.final.startswith("https://app.example.com/redirect-uri?")
    assert zoe.uri == f"/workspace/{unlisted.id}/home" and zoe.token
    assert zoe.final.startswith("http://localhost:3001/redirect-uri?")


async def test_the_alias_auth_redirect_uri_finishes_a_login_too(service):
    browser, _ = service
    landing = await browser.login("alice@contoso.com", "aad", stop_at_callback=True)
    alias = landing.callback.replace("/redirect?", "/auth/redirect-uri?", 1)
    answer = await browser.client.get(alias, follow_redirects=False)
    assert "access_token=" in answer.headers["location"]
    replay = await browser.client.get(landing.callback, follow_redirects=False)
    assert replay.headers["location"].endswith("error=login_expired")  # one flow, either path
