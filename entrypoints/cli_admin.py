"""Shared plumbing of the administration commands (`workspace`, `role`, `invite`,
`provider`, `user`, `member`, `audit`): settings → container → schema check → one use case → a table or JSON.

Exit codes: 0 done; 1 the database could not do it (unreachable, schema behind); 2 bad
arguments or settings (the message says which).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from entrypoints.container import Container


Row = dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """What a command prints: rows under named columns, and an optional closing line."""

    rows: Sequence[Row] = ()
    columns: Sequence[str] = ()
    note: str | None = None
    single: bool = False  # `--json` prints one object instead of a list
    extra: Row = field(default_factory=dict)


Action = Callable[["Container", argparse.Namespace], Awaitable[Answer]]


def json_flag() -> argparse.ArgumentParser:
    """A parent parser adding `--json` to a leaf command."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parent


def command(action: Action) -> Callable[[argparse.Namespace], int]:
    """Wrap `action` as an argparse handler."""
    def handler(args: argparse.Namespace) -> int:
        return run(action, args)
    return handler


def run(action: Action, args: argparse.Namespace) -> int:
    from adapters.sql.migrate import SchemaOutOfDate
    from core.errors import AdminError, ErrorCode, SignInError
    from entrypoints.container import build_container
    from entrypoints.settings import SettingsError, load_settings

    name = " ".join(p for p in (args.command, getattr(args, "action", None)) if p)
    try:
        container = build_container(load_settings())
        answer = asyncio.run(_within(container, action, args))
    except SettingsError as error:
        return _fail(name, str(error), 2)
    except SignInError as error:
        if error.code is ErrorCode.INVALID_REQUEST:
            return _fail(name, error.detail or error.code.value, 2)
        return _fail(name, f"{error.code.value}: {error.detail}" if error.detail else error.code.value, 1)
    except AdminError as error:  # refused by a workspace rule: the operator's mistake
        return _fail(name, error.detail or error.code.value, 2)
    except SchemaOutOfDate as error:
        return _fail(name, str(error), 1)
    except OSError as error:
        return _fail(name, f"{type(error).__name__}: {error}", 1)
    _print(answer, getattr(args, "json", False))
    return 0


async def _within(container: Container, action: Action, args: argparse.Namespace) -> Answer:
    from entrypoints.lifecycle import start, stop

    try:
        await start(container, warm_up=False)  # the schema check: a command talks to no Microsoft
        return await action(container, args)
    finally:
        await stop(container)


def _fail(name: str, message: str, code: int) -> int:
    print(f"azure-signin {name}: {message}", file=sys.stderr)
    return code


def plain(value: Any) -> Any:
    """A value as JSON holds it: enums by value, times in ISO 8601, tuples as lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def table(rows: Sequence[Row], columns: Sequence[str]) -> str:
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = [[c.upper() for c in columns], *cells]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


def _print(answer: Answer, as_json: bool) -> None:
    if as_json:
        rows = [{k: plain(v) for k, v in row.items()} for row in answer.rows]
        body: Any = ({**rows[0], **answer.extra} if rows else answer.extra) if answer.single else rows
        print(json.dumps(body, indent=2, sort_keys=True))
        return
    if answer.columns and (answer.rows or not answer.single):
        print(table(answer.rows, answer.columns))
    if answer.note:
        print(answer.note)
