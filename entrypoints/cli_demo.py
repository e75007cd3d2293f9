"""`azure-signin demo` (what `make run` runs): the Azure sandbox, the service and the demo
frontend in one process, with the demo data seeded. Never with SIGNIN_ENV=production."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

HELP = "Run the Azure sandbox, the service and the demo frontend together (embedded only)."


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo", help=HELP,
        description=HELP + " Ports: SIGNIN_SANDBOX_PORT (8443), SIGNIN_PORT (8000), "
        "SIGNIN_DEMO_PORT (3001); state under SIGNIN_DATA_DIR (var/).",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from adapters.azure_sandbox.directory import DirectoryError
    from adapters.azure_sandbox.server import SandboxRefused, refuse_production
    from entrypoints.demo.launcher import DemoError, run_demo
    from entrypoints.logging_setup import configure_logging
    from entrypoints.settings import SettingsError, load_settings

    try:
        refuse_production()
        settings = load_settings()
    except (SandboxRefused, SettingsError) as error:
        print(f"azure-signin demo: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, log_format=settings.log_format)
    try:
        return asyncio.run(run_demo(settings, dict(os.environ)))
    except (DemoError, DirectoryError) as error:
        print(f"azure-signin demo: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
