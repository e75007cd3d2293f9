"""`GET /metrics`: what an operator graphs and alerts on, after real sign-ins through the
sandbox, and never a label that names a person or holds a token."""
from __future__ import annotations

import socket

import httpx
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.metrics import call_kind


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, dict(s.labels), s.value)
            for family in text_string_to_metric_families(text) for s in family.samples]


def _value(samples, name: str, **labels: str) -> float:
    return sum(v for n, lab, v in samples if n == name and all(lab.get(k) == w for k, w in labels.items()))


async def test_a_full_journey_is_counted_and_no_label_names_alice(service):
    browser, operator = service
    alice = await browser.login("alice@contoso.com", "aad")
    bob = await browser.login("bob@example.org", "b2c")
    mallory = await browser.login("mallory@evil.example", "aad")
    assert alice.token and bob.token and mallory.error == "account_conflict"
    bearer = {"Authorization": f"Bearer {alice.token}"}
    me = (await browser.me(alice.token)).json()
    get = browser.client.get
    assert (await get("/auth/verify", headers=bearer)).status_code == 200
    assert (await get("/auth/verify?workspace=2&role=owner", headers=bearer)).status_code == 403
    assert (await get(f"/auth/verify/notes/{me['user']['id']}", headers=bearer)).status_code == 200
    assert (await get("/auth/verify", headers={"Authorization": "Bearer nope"})).status_code == 401
    assert (await browser.client.get(f"/nothing/here/{me['user']['email']}")).status_code == 404
    assert (await browser.client.post("/logout", headers=bearer)).status_code == 200

    answer = await browser.client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    samples = _samples(text)

    assert _value(samples, "azure_signin_logins_total", authority="aad", result="succeeded") == 1
    assert _value(samples, "azure_signin_logins_total", authority="b2c", result="succeeded") == 1
    assert _value(samples, "azure_signin_logins_total", authority="aad", result="account_conflict") == 1
    checks = "azure_signin_token_checks_total"
    assert _value(samples, checks, endpoint="verify", result="valid") == 2
    assert _value(samples, checks, endpoint="verify", result="access_denied") == 1
    assert _value(samples, checks, endpoint="verify", result="invalid_token") == 1
    assert _value(samples, checks, endpoint="me", result="valid") == 1
    assert _value(samples, "azure_signin_sessions_revoked_total", reason="logout") == 1

    requests = "azure_signin_request_duration_seconds_count"
    routes = {lab["route"] for n, lab, _ in samples if n == requests}
    assert {"/login/aad", "/redirect", "/me", "/auth/verify", "/auth/verify/{original}",
            "/logout", "unmatched"} <= routes
    assert all(r == "unmatched" or r.startswith("/") and "@" not in r for r in routes)
    assert _value(samples, requests, route="/redirect", status="3xx") == 3

    microsoft = "azure_signin_microsoft_request_duration_seconds_count"
    calls = {lab["call"] for n, lab, v in samples if n == microsoft and v}
    assert {"discovery", "keys", "token", "graph"} <= calls

    pool_size = _value(samples, "azure_signin_db_pool_size")
    assert pool_size == operator.settings.database_pool_size
    assert _value(samples, "azure_signin_db_pool_connections_in_use") == 0  # all given back

    secrets = {alice.token, bob.token, me["user"]["id"], me["session"]["id"], me["account"]["id"],
               "alice@contoso.com", "contoso.com", "bob@example.org", "mallory", "evil.example"}
    if me["account"].get("email"):
        secrets.add(me["account"]["email"])
    leaked = [s[:12] for s in secrets if s and s in text]
    assert not leaked, f"/metrics shows {leaked}"


async def test_metrics_port_moves_metrics_off_the_public_api(make_service):
    port = _free_port()
    async with make_service(SIGNIN_METRICS_PORT=str(port)) as (browser, _):
        assert (await browser.client.get("/health/live")).status_code == 200
        assert (await browser.client.get("/metrics")).status_code == 404
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/metrics")
    assert answer.status_code == 200
    assert _value(_samples(answer.text), "azure_signin_request_duration_seconds_count",
                  route="/health/live") == 1
    assert _value(_samples(answer.text), "azure_signin_request_duration_seconds_count",
                  route="unmatched", status="4xx") == 1  # the refused /metrics


def test_microsoft_calls_are_named_by_their_path_alone():
    discovery = "/v2.0/.well-known/openid-configuration"
    assert call_kind(f"https://login.microsoftonline.com/organizations{discovery}") == "discovery"
    b2c = "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1A_X"
    assert call_kind(f"{b2c}{discovery}?p=x") == "discovery"
    assert call_kind("https://login.microsoftonline.com/tid/discovery/v2.0/keys") == "keys"
    assert call_kind("https://login.microsoftonline.com/tid/oauth2/v2.0/token") == "token"
    assert call_kind("https://graph.microsoft.com/v1.0/users/0000?$select=id") == "graph"
