"""Load shedding (entrypoints/web/shedding.py): past SIGNIN_MAX_SIGNINS_IN_FLIGHT a process
refuses new login starts with 503 and `Retry-After`, lets callbacks on up to twice the bound,
and refuses a callback past that before it touches its flow, so the same URL works later."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from entrypoints.web.shedding import CALLBACK_PATHS, RETRY_AFTER, START_PATHS, SignInAdmission


class HeldApp:
    """An ASGI app that answers 200 when `release` is set; counts how often it was entered."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.entered += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def ask(app: Any, path: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"headers": {}}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {bytes(k).decode(): bytes(v).decode() for k, v in message["headers"]}
        else:
            answer["body"] = message.get("body", b"")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    await app({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)
    return answer


async def until(condition: Any) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


async def test_starts_are_shed_at_the_bound_callbacks_at_twice_it_and_nothing_else_ever() -> None:
    held, shed = HeldApp(), []
    admission = SignInAdmission(2, shed.append, pause=lambda: 2)
    app = admission.wrap(held)
    open_ = [asyncio.create_task(ask(app, "/login/aad")), asyncio.create_task(ask(app, "/redirect"))]
    await until(lambda: held.entered == 2)

    refused = await ask(app, "/login/aad")
    assert refused["status"] == 503
    assert refused["headers"]["retry-after"] == "2" and refused["headers"]["refresh"] == "2"
    assert refused["headers"]["content-type"].startswith("text/html")
    assert b"busy" in refused["body"] and held.entered == 2  # never reached the app

    # callbacks go on up to twice the bound (4 here): logins already under way at Microsoft
    open_ += [asyncio.create_task(ask(app, p)) for p in ("/auth/redirect-uri", "/redirect")]
    await until(lambda: held.entered == 4)
    assert admission.in_flight == 4
    assert (await ask(app, "/redirect"))["status"] == 503
    assert (await ask(app, "/auth/redirect-uri"))["status"] == 503
    # what is no sign-in is never counted nor shed
    others = [asyncio.create_task(ask(app, p)) for p in ("/me", "/auth/verify", "/health/live")]
    await until(lambda: held.entered == 7)
    assert admission.in_flight == 4

    held.release.set()
    answers = await asyncio.gather(*open_, *others)
    assert [a["status"] for a in answers] == [200] * 7
    assert admission.in_flight == 0
    assert shed == ["/login/aad", "/redirect", "/auth/redirect-uri"]
    assert (await ask(app, "/login/aad"))["status"] == 200  # room again


async def test_the_count_goes_down_when_the_app_fails_or_the_request_is_cancelled() -> None:
    async def failing(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    admission = SignInAdmission(1)
    with pytest.raises(RuntimeError):
        await ask(admission.wrap(failing), "/redirect")
    assert admission.in_flight == 0

    held = HeldApp()
    task = asyncio.create_task(ask(admission.wrap(held), "/login/aad"))
    await until(lambda: admission.in_flight == 1)
    task.cancel()  # the client went away
    with pytest.raises(asyncio.CancelledError):
        await task
    assert admission.in_flight == 0


async def test_a_bound_of_zero_is_no_bound_and_a_negative_one_is_refused() -> None:
    held = HeldApp()
    assert SignInAdmission(0).wrap(held) is held
    with pytest.raises(ValueError):
        SignInAdmission(-1)


async def test_the_pause_is_spread_over_one_to_three_seconds() -> None:
    admission = SignInAdmission(1)
    held = HeldApp()
    app = admission.wrap(held)
    task = asyncio.create_task(ask(app, "/login/aad"))
    await until(lambda: held.entered == 1)
    pauses = {int((await ask(app, "/login/aad"))["headers"]["retry-after"]) for _ in range(200)}
    held.release.set()
    await task
    assert pauses == set(range(RETRY_AFTER[0], RETRY_AFTER[1] + 1))


def test_the_counted_paths_are_the_login_routes_of_the_app() -> None:
    from entrypoints.web import login

    assert set(login.start_login.paths) == START_PATHS
    assert set(login.redirect_endpoint.paths) == CALLBACK_PATHS
