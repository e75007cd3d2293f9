"""`azure-signin db ...`: the database's schema migrations.

`db upgrade [REV]` migrates the database named by SIGNIN_DATABASE_URL (default: the embedded
SQLite file `sqlite:///{SIGNIN_DATA_DIR}/signin.db`, `var/` relative to the working
directory) up to the code's revision (or REV); `db downgrade REV` back down to REV (`base`:
no table left); `db current` prints where it stands; `db revision -m MSG [--autogenerate]`
writes the next migration file into the source tree (a developer's command);
`db upgrade` then registers the local-account identity provider of each configured B2C /
External ID authority (entrypoints/local_providers.py).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

DATABASE_URL = "SIGNIN_DATABASE_URL"
DATA_DIR = "SIGNIN_DATA_DIR"


def database_url(explicit: str | None = None) -> str:
    """--url, else SIGNIN_DATABASE_URL (or the file SIGNIN_DATABASE_URL_FILE names), else
    the embedded SQLite file; raises `SettingsError` for an unreadable secret file."""
    from entrypoints.settings import setting_from_environment

    if explicit:
        return explicit
    configured = (setting_from_environment(DATABASE_URL) or "").strip()
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


def _url_or_exit(args: argparse.Namespace) -> str | None:
    from entrypoints.settings import SettingsError

    try:
        return database_url(args.url)
    except SettingsError as error:
        print(f"azure-signin db {args.db_command}: {error}", file=sys.stderr)
        return None


def _failed(args: argparse.Namespace, url: str, error: Exception) -> int:
    # one line, no traceback: this is an operator's command
    print(f"db {args.db_command} failed on {_shown(url)}: {type(error).__name__}: {error}", file=sys.stderr)
    return 1


def _upgrade(args: argparse.Namespace) -> int:
    from adapters.sql import current_revision, head_revision, upgrade

    url = _url_or_exit(args)
    if url is None:
        return 2
    target = args.revision
    try:
        before = current_revision(url)
        upgrade(url, target)
        after = current_revision(url)
    except Exception as error:
        return _failed(args, url, error)
    if before == after:
        print(f"{_shown(url)} is already at revision {after}")
    else:
        print(f"{_shown(url)} upgraded from {before or 'an empty database'} to revision {after}")
    if target != "head" and after != head_revision():
        print(f"(head is {head_revision()}: this version's service refuses to start before it)")
    if target == "head":
        _ensure_providers(url)
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    from adapters.sql import current_revision, downgrade

    url = _url_or_exit(args)
    if url is None:
        return 2
    try:
        before = current_revision(url)
        downgrade(url, args.revision)
        after = current_revision(url)
    except Exception as error:
        return _failed(args, url, error)
    if before == after:
        print(f"{_shown(url)} is already at revision {after or 'base (no schema)'}")
    else:
        print(f"{_shown(url)} downgraded from {before} to {after or 'base (no schema)'}")
    return 0


def _ensure_providers(url: str) -> None:
    """After a migration: the configured authorities' local-account providers. Not being
    able to (settings incomplete here, Microsoft unreachable) is reported, never a failed
    upgrade: the service ensures them again at every start-up."""
    import asyncio

    from entrypoints.container import build_container
    from entrypoints.lifecycle import stop
    from entrypoints.local_providers import ensure_local_providers, issuers_through, needs_local_providers
    from entrypoints.settings import SettingsError, load_settings

    try:
        # the database this command migrated (given by --url, the setting or its _FILE)
        environ = {k: v for k, v in os.environ.items() if k != DATABASE_URL + "_FILE"}
        settings = load_settings({**environ, DATABASE_URL: url})
    except SettingsError as error:
        print(f"identity providers not checked (the service will at start-up): {error}",
              file=sys.stderr)
        return
    if not needs_local_providers(settings):
        return

    async def ensure() -> None:
        container = build_container(settings)
        try:
            issuer_of = issuers_through(container.discovery())
            for done in await ensure_local_providers(container.administration(), settings, issuer_of):
                state = "registered" if done.added else "present"
                print(f"identity provider for {done.authority}'s local accounts {state} "
                      f"(issuer {done.issuer})")
        finally:
            await stop(container)

    try:
        asyncio.run(ensure())
    except Exception as error:
        print(f"identity providers not ensured (the service retries at start-up): "
              f"{type(error).__name__}: {error}", file=sys.stderr)


def _current(args: argparse.Namespace) -> int:
    from adapters.sql import current_revision, head_revision

    url = _url_or_exit(args)
    if url is None:
        return 2
    try:
        current = current_revision(url)
    except Exception as error:
        return _failed(args, url, error)
    head = head_revision()
    state = "up to date" if current == head else f"behind: run `azure-signin db upgrade` (head {head})"
    print(f"{current or 'none'} ({state})")
    return 0 if current == head else 3


def _revision(args: argparse.Namespace) -> int:
    from adapters.sql.migrate import new_revision

    url = _url_or_exit(args) if args.autogenerate else "sqlite://"
    if url is None:
        return 2
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.,:()'-]{0,79}", args.message):
        print("azure-signin db revision: -m: a short sentence (letters, digits, spaces, _ . , : ( ) ' -)",
              file=sys.stderr)
        return 2
    try:
        path = new_revision(url, args.message, autogenerate=args.autogenerate)
    except Exception as error:
        return _failed(args, url, error)
    print(f"wrote {path}: edit it, then run `azure-signin db upgrade`")
    return 0


def register(subparsers: Any) -> None:
    """Add `db upgrade|downgrade|current|revision` to the `azure-signin` command line."""
    db = subparsers.add_parser("db", help="database schema migrations")
    commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND")
    url_help = f"database URL (default: ${DATABASE_URL}, else the embedded SQLite file)"

    upgrade = commands.add_parser("upgrade", help="migrate the database up to this version's schema",
                                  description="migrate the database up to this version's schema")
    upgrade.add_argument("revision", nargs="?", default="head",
                         help="the revision to reach (default: head, this version's)")
    downgrade = commands.add_parser(
        "downgrade", help="migrate the database down to an earlier revision",
        description="migrate the database down to REV (an id such as 0003, -1 for one step, "
        "or base: every table dropped, its data lost). Stop every service process first.")
    downgrade.add_argument("revision", metavar="REV", help="the revision to go down to")
    current = commands.add_parser("current", help="print the database's schema revision",
                                  description="print the database's schema revision")
    revision = commands.add_parser(
        "revision", help="write the next migration file (developers, in a source checkout)",
        description="write adapters/sql/migrations/versions/NNNN_message.py, chained after the "
        "head; --autogenerate fills it from the difference between the models "
        "(adapters/sql/tables.py) and the database --url / SIGNIN_DATABASE_URL, which must be at head")
    revision.add_argument("-m", "--message", required=True, help="what the migration does")
    revision.add_argument("--autogenerate", action="store_true",
                          help="compare the models with the database and write the difference")
    for parser, handler in ((upgrade, _upgrade), (downgrade, _downgrade), (current, _current),
                            (revision, _revision)):
        parser.add_argument("--url", help=url_help)
        parser.set_defaults(handler=handler)
