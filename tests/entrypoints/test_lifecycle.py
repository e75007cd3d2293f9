"""`start(container)` / `stop(container)`: the container owns its adapters' life."""
from __future__ import annotations

import asyncio
from pathlib import Path

import certifi
import pytest
from dependency_injector import providers

from adapters.sql.migrate import SchemaOutOfDate, current_revision
from entrypoints.container import build_container
from entrypoints.lifecycle import Lifecycle, start, stop
from entrypoints.settings import load_settings


def _container(tmp_path: Path, **env: str):  # noqa: ANN202
    return build_container(load_settings({"SIGNIN_DATA_DIR": str(tmp_path), **env}))


async def test_start_checks_the_schema_and_stop_closes_what_was_built(tmp_path: Path) -> None:
    container = _container(tmp_path)
    await start(container, warm_up=False)
    assert current_revision(container.database().config) is not None  # the embedded file upgraded
    async with container.uow()() as uow:
        assert await uow.roles.list() == []
    await start(container, warm_up=False)  # started: nothing runs twice
    await stop(container)
    await stop(container)  # idempotent
    assert container.lifecycle().started is False


async def test_an_override_is_not_the_containers_to_close(tmp_path: Path) -> None:
    closed: list[str] = []

    class Reader:
        async def read(self, login: object) -> object:
            raise AssertionError("not called")

        async def aclose(self) -> None:
            closed.append("override")

    container = _container(tmp_path, SIGNIN_CA_BUNDLE=certifi.where())
    container.profiles.override(providers.Object(Reader()))
    container.profiles()
    http = container.microsoft_http()
    http.get()  # a client made in this loop
    await stop(container)
    assert closed == []  # the test made it; the test closes it
    assert http._client is None  # what the container made, it closed


async def test_warm_ups_run_in_the_background_and_never_fail_start(caplog: pytest.LogCaptureFixture) -> None:
    lifecycle = Lifecycle()
    ran = asyncio.Event()

    async def failing() -> None:
        ran.set()
        raise RuntimeError("Microsoft is down")

    async def hanging() -> None:
        await asyncio.sleep(3600)

    lifecycle.warms_up("failing", failing)
    lifecycle.warms_up("hanging", hanging)
    await lifecycle.start(warm_up=True)
    await asyncio.wait_for(ran.wait(), 1)
    await asyncio.sleep(0)
    assert "warming up failing failed: RuntimeError" in caplog.text
    await asyncio.wait_for(lifecycle.stop(), 1)  # the hanging warm-up is cancelled


async def test_a_failed_check_stops_start_and_closing_goes_on_past_a_failure() -> None:
    lifecycle = Lifecycle()
    order: list[str] = []

    async def behind() -> None:
        raise SchemaOutOfDate("run `azure-signin db upgrade`")

    async def close(name: str) -> None:
        order.append(name)
        if name == "second":
            raise OSError("already gone")

    lifecycle.checks("database schema", behind)
    lifecycle.closes("first", lambda: close("first"))
    lifecycle.closes("second", lambda: close("second"))
    with pytest.raises(SchemaOutOfDate):
        await lifecycle.start(warm_up=False)
    assert lifecycle.started is False
    await lifecycle.stop()
    assert order == ["second", "first"]  # reverse order of building, past the failure
