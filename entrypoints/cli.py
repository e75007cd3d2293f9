"""The `azure-signin` command line: one sub-command per job, each in its own module.

Sub-commands register themselves through `COMMANDS`, a list of (module, attribute) pairs
imported lazily, so that `azure-signin --help` stays fast and a broken optional part cannot
stop the others from running.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from entrypoints.metadata import package_version

# Each entry names a module with `register(subparsers) -> None`; the parser it adds sets
# `handler` (a callable taking the parsed namespace and returning an exit code).
COMMANDS: tuple[str, ...] = (
    "entrypoints.cli_serve",
    "entrypoints.cli_demo",
    "entrypoints.cli_sandbox",
    "entrypoints.cli_db",
    "entrypoints.cli_workspaces",
    "entrypoints.cli_people",
    "entrypoints.cli_members",
    "entrypoints.cli_clients",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="azure-signin",
        description="Sign-in service for Azure AD and Azure AD B2C.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS:
        module = importlib.import_module(module_name)
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    return handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
