"""Helpers shared by the contract suites."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Advance = Callable[[float], Awaitable[None] | None]
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


def abstract(name: str, contract: str) -> Any:
    raise NotImplementedError(f"subclass {contract} and provide a `{name}` fixture")
