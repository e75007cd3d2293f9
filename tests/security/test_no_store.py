"""No answer of the service is stored by a cache unless it chose to be (issue 11 point 3):
answers carrying a token or personal data say `Cache-Control: no-store` (RFC 6749 §5.1),
and the edge makes that the default of every answer, so a new route inherits it."""
from __future__ import annotations

from tests.security.routes import BODY_METHODS, registered_routes
from tests.web.support import FRONTEND

# The only answers allowed a cache policy of their own, and the policy they must have.
DELIBERATELY_CACHEABLE = {
    ("GET", "/.well-known/jwks.json"): "public, max-age=",
    ("GET", "/favicon.ico"): "public, max-age=",  # an empty answer: nothing personal in it
}


def _stored_as_it_should(method: str, path: str, answer) -> str | None:
    policy = answer.headers.get("cache-control", "")
    if (method, path) in DELIBERATELY_CACHEABLE:
        return None if policy.startswith(DELIBERATELY_CACHEABLE[method, path]) else policy
    if "no-store" in policy and answer.headers.get("pragma") == "no-cache":
        return None
    return f"cache-control={policy!r} pragma={answer.headers.get('pragma')!r}"


async def test_every_registered_route_answers_no_store_signed_in_or_not(service):
    browser, _ = service
    token = (await browser.login("alice@contoso.com", "aad")).token
    routes = registered_routes(browser.client.app)
    assert ("GET", "/me") in routes and ("POST", "/auth/refresh") in routes
    wrong, statuses = [], {}
    for method, path in routes:
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            answer = await browser.client.request(
                method, path, headers=headers, params={"frontendHost": FRONTEND},
                json={} if method in BODY_METHODS else None,
            )
            statuses[(method, path, bool(headers))] = answer.status_code
            problem = _stored_as_it_should(method, path, answer)
            if problem:
                wrong.append(f"{method} {path} {answer.status_code}: {problem}")
    assert not wrong, wrong
    # the walk reached the token-bearing answers themselves, not only their refusals
    assert statuses[("GET", "/me", True)] == 200
    assert statuses[("POST", "/auth/refresh", True)] == 200


async def test_the_token_and_profile_answers_are_no_store(make_service):
    async with make_service(SIGNIN_TOKEN_DELIVERY="code") as (browser, _):
        landing = await browser.login("alice@contoso.com", "aad")
        exchanged = await browser.client.post("/auth/token", json={"code": landing.params()["code"]})
        token = exchanged.json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        me = await browser.client.get("/me", headers=bearer)
        refreshed = await browser.client.post("/auth/refresh", headers=bearer)
    for answer in (exchanged, me, refreshed):
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["pragma"] == "no-cache"


async def test_jwks_keeps_its_own_cache_policy(service):
    browser, _ = service
    answer = await browser.client.get("/.well-known/jwks.json")
    assert answer.headers["cache-control"] == "public, max-age=300"
    assert "pragma" not in answer.headers
