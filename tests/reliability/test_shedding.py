"""Load shedding in a real `serve` process (the unit tests are tests/web/test_shedding.py):
with SIGNIN_MAX_SIGNINS_IN_FLIGHT=1 and two callbacks held at Microsoft, a third callback
and a new start are refused with 503 and `Retry-After`, through the edge (its headers), and
the refused callback's very same URL signs in once there is room: nothing was touched."""
from __future__ import annotations

import asyncio
import ssl
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.web.support import FRONTEND

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


async def _to_callback(browser: httpx.AsyncClient, microsoft: httpx.AsyncClient, base: str) -> str:
    started = await browser.get(f"{base}/login/aad", params={"frontendHost": FRONTEND, "provider": "aad"})
    assert started.status_code == 302, started.text
    form = await microsoft.post(started.headers["location"],
                                data={"username": "alice@contoso.com", "action": "signin"})
    reply = {k: v[0] for k, v in parse_qs(urlsplit(form.headers["location"]).query).items()}
    return f"{base}/redirect?{urlencode(reply)}"


def test_past_the_bound_starts_and_callbacks_are_shed_and_a_shed_callback_works_later(
    start_service, sandbox_process
) -> None:
    base, _ = start_service(SIGNIN_MAX_SIGNINS_IN_FLIGHT="1")
    sandbox, ca, _ = sandbox_process
    verify = ssl.create_default_context(cafile=str(ca))

    async def journey() -> None:
        async with httpx.AsyncClient(timeout=30) as browser, \
                httpx.AsyncClient(verify=verify, timeout=30) as microsoft:
            callbacks = [await _to_callback(browser, microsoft, base) for _ in range(3)]
            held = await microsoft.post(f"{sandbox}/_sandbox/faults",
                                        json={"endpoint": "graph", "latency_ms": 2000, "count": 2})
            held.raise_for_status()
            try:
                slow = [asyncio.create_task(browser.get(c)) for c in callbacks[:2]]
                third = None
                for _ in range(150):  # until both are in hand (each waits 2 s at Graph)
                    await asyncio.sleep(0.01)
                    third = await browser.get(callbacks[2])
                    if third.status_code == 503:
                        break
                assert third is not None and third.status_code == 503, third
                assert 1 <= int(third.headers["retry-after"]) <= 3
                assert third.headers["refresh"] == third.headers["retry-after"]
                assert third.headers["cache-control"] == "no-store"  # through the edge
                assert third.headers["x-correlation-id"]
                started = await browser.get(f"{base}/login/aad", params={"frontendHost": FRONTEND})
                assert started.status_code == 503 and "retry-after" in started.headers

                for answer in await asyncio.gather(*slow):
                    assert answer.status_code == 302
                    assert answer.headers["location"].startswith(FRONTEND + "/redirect-uri?uri=")
            finally:
                await microsoft.delete(f"{sandbox}/_sandbox/faults")
            again = await browser.get(callbacks[2])  # the very same URL, now there is room
            assert again.status_code == 302
            assert "#access_token=" in again.headers["location"], again.headers["location"]
            metrics = (await browser.get(f"{base}/metrics")).text
            assert 'azure_signin_signins_shed_total{route="/redirect"} 1.0' in metrics
            assert 'azure_signin_signins_shed_total{route="/login/aad"} 1.0' in metrics

    asyncio.run(journey())
