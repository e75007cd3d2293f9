"""Helpers shared by the contract suites."""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NoReturn

import pytest

Advance = Callable[[float], Awaitable[None] | None]
RawValues = Callable[[], Awaitable[Mapping[str, Any]] | Mapping[str, Any]]
RowCounts = Callable[[], Awaitable[Mapping[str, int]] | Mapping[str, int]]


async def elapse(advance: Advance, seconds: float) -> None:
    """Let `seconds` pass for the adapter, whether `advance` is sync or async."""
    result = advance(seconds)
    if inspect.isawaitable(result):
        await result


async def counts(row_counts: RowCounts) -> dict[str, int]:
    """The out-of-band row counts, whether the hook is sync or async."""
    result: Any = row_counts()
    if inspect.isawaitable(result):
        result = await result
    return dict(result)


async def raw_values(raw_store: RawValues) -> dict[str, str]:
    """Every key and value a store holds, read out of band, as text."""
    result: Any = raw_store()
    if inspect.isawaitable(result):
        result = await result
    def text(value: Any) -> str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return {text(key): text(value) for key, value in dict(result).items()}


def abstract(name: str, contract: str) -> Any:
    raise NotImplementedError(f"subclass {contract} and provide a `{name}` fixture")


def not_provided(capability: str) -> NoReturn:
    """An optional fixture the implementation does not provide: its tests are skipped, naming
    what goes unchecked; under CI=true they fail instead, so a shared suite never turns green
    by skipping (like the service fixtures in tests/conftest.py)."""
    message = f"not checked: {capability}"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message} (CI=true: provide the fixture, a contract test must not be skipped)")
    pytest.skip(message)
