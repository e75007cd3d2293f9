"""`azure-signin db ...`: the database's schema migrations.

`db upgrade` migrates the database named by SIGNIN_DATABASE_URL (default: the embedded
SQLite file `sqlite:///{SIGNIN_DATA_DIR}/signin.db`, `var/` relative to the working
directory) up to the code's revision, then registers the local-account identity provider
of each configured B2C / External ID authority (entrypoints/local_providers.py); `db
current` prints where it stands.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

DATABASE_URL = "SIGNIN_DATABASE_URL"
DATA_DIR = "SIGNIN_DATA_DIR"


def database_url(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    configured = os.environ.get(DATABASE_URL, "").strip()
    if configured:
        return configured
    data_dir = os.environ.get(DATA_DIR, "").strip() or "var"
    return f"sqlite:///{data_dir}/signin.db"


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported by the migration itself
        return "<unparsable URL>"


def _upgrade(args: argparse.Namespace) -> int:
    from adapters.sql import current_revision, head_revision, upgrade

    url = database_url(args.url)
    try:
        before = current_revision(url)
        upgrade(url)
    except Exception as error:  # one line, no traceback: this is an operator's command
        print(f"db upgrade failed on {_shown(url)}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    head = head_revision()
    if before == head:
        print(f"{_shown(url)} is already at revision {head}")
    else:
        print(f"{_shown(url)} upgraded from {before or 'an empty database'} to revision {head}")
    _ensure_providers(url)
    return 0


def _ensure_providers(url: str) -> None:
    """After a migration: the configured authorities' local-account providers. Not being
    able to (settings incomplete here, Microsoft unreachable) is reported, never a failed
    upgrade: the service ensures them again at every start-up."""
    import asyncio

    from entrypoints.container import build_container
    from entrypoints.local_providers import ensure_local_providers, needs_local_providers
    from entrypoints.settings import SettingsError, load_settings

    try:
        settings = load_settings({**os.environ, DATABASE_URL: url})
    except SettingsError as error:
        print(f"identity providers not checked (the service will at start-up): {error}",
              file=sys.stderr)
        return
    if not needs_local_providers(settings):
        return

    async def ensure() -> None:
        container = build_container(settings)
        try:
            for done in await ensure_local_providers(container.administration(), settings):
                state = "registered" if done.added else "present"
                print(f"identity provider for {done.authority}'s local accounts {state} "
                      f"(issuer {done.issuer})")
        finally:
            await container.database().dispose()

    try:
        asyncio.run(ensure())
    except Exception as error:
        print(f"identity providers not ensured (the service retries at start-up): "
              f"{type(error).__name__}: {error}", file=sys.stderr)


def _current(args: argparse.Namespace) -> int:
    from adapters.sql import current_revision, head_revision

    url = database_url(args.url)
    try:
        current = current_revision(url)
    except Exception as error:
        print(f"db current failed on {_shown(url)}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    head = head_revision()
    state = "up to date" if current == head else f"behind: run `azure-signin db upgrade` (head {head})"
    print(f"{current or 'none'} ({state})")
    return 0 if current == head else 3


def register(subparsers: Any) -> None:
    """Add `db upgrade` and `db current` to the `azure-signin` command line."""
    db = subparsers.add_parser("db", help="database schema migrations")
    commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND")
    for name, handler, text in (
        ("upgrade", _upgrade, "migrate the database up to this version's schema"),
        ("current", _current, "print the database's schema revision"),
    ):
        parser = commands.add_parser(name, help=text, description=text)
        parser.add_argument(
            "--url", help=f"database URL (default: ${DATABASE_URL}, else the embedded SQLite file)"
        )
        parser.set_defaults(handler=handler)
