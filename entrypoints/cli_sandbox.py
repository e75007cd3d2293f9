"""`azure-signin sandbox`: serve the Azure sandbox (Azure AD, B2C, Graph) over local TLS."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HELP = "Serve the local Azure AD / B2C / Graph sandbox over TLS (never in production)."


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sandbox",
        help=HELP,
        description=HELP + " Settings: SIGNIN_SANDBOX_PORT (8443), "
        "SIGNIN_SANDBOX_DIR (var/sandbox), SIGNIN_SANDBOX_DIRECTORY (the shipped directory file).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default: SIGNIN_SANDBOX_PORT or 8443)")
    parser.add_argument("--state-dir", type=Path, default=None, help="CA and certificate directory")
    parser.add_argument("--directory", type=Path, default=None, help="directory TOML file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from adapters.azure_sandbox.directory import DirectoryError
    from adapters.azure_sandbox.server import (
        SandboxRefused,
        SandboxSettings,
        loopback_address,
        refuse_production,
    )

    try:
        refuse_production()
        settings = SandboxSettings.from_env()
        settings = replace(
            settings,
            host=args.host,
            port=settings.port if args.port is None else args.port,
            state_dir=args.state_dir or settings.state_dir,
            directory_path=args.directory or settings.directory_path,
        )
        loopback_address(settings.host)
        from adapters.azure_sandbox.server import serve

        serve(settings)
    except SandboxRefused as exc:
        print(f"azure-signin sandbox: refused: {exc}", file=sys.stderr)
        return 2
    except (DirectoryError, OSError) as exc:
        print(f"azure-signin sandbox: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0
