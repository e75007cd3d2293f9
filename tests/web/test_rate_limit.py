"""The login rate limit (issue 13): counted in Redis when it is configured, so two service
processes share one budget per client; the client is resolved from SIGNIN_TRUSTED_PROXIES
(X-Forwarded-For from anyone else is ignored); answers carry the RateLimit fields and a
refusal `Retry-After`; a counter that cannot be reached fails the login closed."""
from __future__ import annotations

import asyncio
import random
import socket

import httpx
import pytest

from adapters.memory.ratelimit import MemoryHitCounter
from adapters.redis.ratelimit import RedisHitCounter
from core.errors import ErrorCode, SignInError
from entrypoints.web.proxies import TrustedProxies, parse_networks
from tests.web.support import FRONTEND, SERVICE

PROXIES = "10.1.0.0/16,2001:db8:1::/48,192.0.2.7"


def _some_client() -> str:
    """An address no other test (nor another run on the same Redis) counts against."""
    return f"198.51.{random.randrange(256)}.{random.randrange(1, 255)}"


def _as_peer(browser, peer: str) -> httpx.AsyncClient:
    """A client reaching the app from socket address `peer`."""
    transport = httpx.ASGITransport(app=browser.client.app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url=SERVICE)


async def _start(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.get("/login/aad", params={"frontendHost": FRONTEND}, headers=headers)


@pytest.mark.parametrize(("peer", "chain", "client"), [
    ("203.0.113.9", ["1.1.1.1"], "203.0.113.9"),                       # untrusted peer: XFF ignored
    ("10.1.2.3", ["198.51.100.4"], "198.51.100.4"),                    # one trusted proxy
    ("10.1.2.3", ["6.6.6.6, 198.51.100.4, 10.1.9.9"], "198.51.100.4"),  # right-most untrusted
    ("10.1.2.3", ["6.6.6.6", "198.51.100.4"], "198.51.100.4"),          # several headers: one list
    ("10.1.2.3", ["10.1.4.4, 192.0.2.7"], "10.1.4.4"),                  # only trusted: left-most
    ("10.1.2.3", ["6.6.6.6, garbage"], "10.1.2.3"),                     # an entry not an address
    ("10.1.2.3", [], "10.1.2.3"),
    ("10.1.2.3", ["[2001:db8:2::5]:443"], "2001:db8:2::5"),
    ("10.1.2.3", ["198.51.100.4:5555"], "198.51.100.4"),
    ("2001:db8:1::1", ["::ffff:198.51.100.4"], "198.51.100.4"),
    (None, ["1.1.1.1"], "unknown"),
])
def test_the_client_is_the_right_most_untrusted_address(peer, chain, client):
    proxies = TrustedProxies(parse_networks(PROXIES.split(",")))
    assert proxies.client(peer, [c.encode() for c in chain]) == client


def test_no_trusted_proxy_means_the_peer_whatever_the_headers():
    assert TrustedProxies().client("10.1.2.3", [b"1.1.1.1"]) == "10.1.2.3"


async def test_answers_carry_the_ratelimit_fields_and_a_refusal_retry_after(make_service):
    async with (make_service(SIGNIN_LOGIN_RATE_LIMIT="3") as (browser, _),
                _as_peer(browser, _some_client()) as client):
        answers = [await _start(client) for _ in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    for answer in answers:
        assert answer.headers["ratelimit-limit"] == "3"
        assert answer.headers["ratelimit-policy"] == "3;w=60"
        assert 1 <= int(answer.headers["ratelimit-reset"]) <= 60
    refused = answers[3]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"] == "too_many_requests" and refused.json()["detail"]
    assert "location" not in refused.headers  # no flow was started


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_gets_no_new_budget(make_service):
    limited = make_service(SIGNIN_LOGIN_RATE_LIMIT="2", SIGNIN_TRUSTED_PROXIES=PROXIES)
    async with limited as (browser, _), _as_peer(browser, _some_client()) as client:
        codes = [(await _start(client, **{"X-Forwarded-For": _some_client()})).status_code
                 for _ in range(3)]
    assert codes == [302, 302, 429]


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(make_service):
    async with make_service(SIGNIN_LOGIN_RATE_LIMIT="2", SIGNIN_TRUSTED_PROXIES=PROXIES) as (browser, _):
        one, two = _some_client(), _some_client()
        async with _as_peer(browser, "10.1.0.1") as proxy:
            first = [(await _start(proxy, **{"X-Forwarded-For": f"6.6.6.6, {one}"})).status_code
                     for _ in range(3)]
            second = await _start(proxy, **{"X-Forwarded-For": two})
    assert first == [302, 302, 429] and second.status_code == 302


async def test_two_service_processes_share_one_budget_in_redis(make_service, redis_url):
    settings = {"SIGNIN_LOGIN_RATE_LIMIT": "4", "SIGNIN_REDIS_URL": redis_url}
    address = _some_client()
    async with make_service(**settings) as (one, _), make_service(**settings) as (two, _):
        assert one.client.app is not two.client.app
        async with _as_peer(one, address) as a, _as_peer(two, address) as b:
            codes = [(await _start(client)).status_code for client in (a, b, a, b, a, b)]
    assert codes == [302, 302, 302, 302, 429, 429]  # one budget, whichever process answers


async def test_without_redis_each_process_counts_alone(make_service):
    address = _some_client()
    alone = {"SIGNIN_LOGIN_RATE_LIMIT": "1", "SIGNIN_REDIS_URL": ""}  # whatever the backend
    async with make_service(**alone) as (one, operator):
        assert operator.settings.redis_url is None
        async with (make_service(**alone) as (two, _), _as_peer(one, address) as a,
                    _as_peer(two, address) as b):
            codes = [(await _start(c)).status_code for c in (a, b, a)]
    assert codes == [302, 302, 429]


async def test_an_unreachable_counter_fails_closed():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    counter = RedisHitCounter(f"redis://127.0.0.1:{port}/0", deadline=0.5)
    with pytest.raises(SignInError) as refused:
        await counter.hit("login:198.51.100.1", 60)
    assert refused.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE


async def test_the_counters_count_in_fixed_windows(redis_url):
    now = [100.0]
    memory = MemoryHitCounter(clock=lambda: now[0])
    assert await memory.hit("k", 60) == (1, 60.0)
    now[0] += 30
    assert await memory.hit("k", 60) == (2, 30.0)
    now[0] += 30
    assert await memory.hit("k", 60) == (1, 60.0)  # a new window
    redis = RedisHitCounter(redis_url, prefix=f"signin-test-{random.randrange(10**9)}:")
    key = "login:" + _some_client()
    first, ttl = await redis.hit(key, 60)
    second, _ = await redis.hit(key, 60)
    assert (first, second) == (1, 2) and 59 <= ttl <= 60
    short = "login:" + _some_client()
    await redis.hit(short, 0.05)
    await asyncio.sleep(0.15)
    assert (await redis.hit(short, 0.05))[0] == 1  # the window ended in Redis itself
    await redis.close()
