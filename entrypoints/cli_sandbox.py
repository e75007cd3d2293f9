"""`azure-signin sandbox`: serve the Azure sandbox (Azure AD, B2C, Graph) over local TLS;
`azure-signin sandbox trust` / `untrust`: make this user's browsers trust its CA, or stop."""

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
    actions = parser.add_subparsers(dest="sandbox_action", metavar="ACTION")
    for name, what, handler in (
        ("trust", "Trust the sandbox's CA in this user's browsers (NSS: Chromium, Firefox)", run_trust),
        ("untrust", "Remove every sandbox CA that `trust` added", run_untrust),
    ):
        action = actions.add_parser(name, help=what, description=what + ".")
        action.add_argument("--system", action="store_true",
                            help="also the system store (/usr/local/share/ca-certificates; needs root)")
        action.add_argument("--state-dir", type=Path, default=None,
                            help="the sandbox's CA folder "
                            "(default: SIGNIN_SANDBOX_DIR, else {SIGNIN_DATA_DIR}/sandbox)")
        action.set_defaults(handler=handler)


def _ca_dir(args: argparse.Namespace) -> Path:
    import os

    if args.state_dir is not None:
        return Path(args.state_dir)
    if os.environ.get("SIGNIN_SANDBOX_DIR"):
        return Path(os.environ["SIGNIN_SANDBOX_DIR"])
    return Path(os.environ.get("SIGNIN_DATA_DIR") or "var") / "sandbox"  # as the demo resolves it


def run_trust(args: argparse.Namespace) -> int:
    from adapters.azure_sandbox.tls import ensure_certificates
    from adapters.azure_sandbox.trust import TrustError, trust

    try:
        ca = ensure_certificates(_ca_dir(args)).ca_cert  # trusting before the first start works too
        change = trust(ca, Path.home(), system=args.system)
    except (TrustError, OSError) as error:
        print(f"azure-signin sandbox trust: {error}", file=sys.stderr)
        return 1
    print(f"the sandbox CA {ca} is", *change.lines, sep="\n  ")
    print("Restart the browser, then reload the demo page. Undo: azure-signin sandbox untrust"
          + (" --system" if args.system else ""))
    return 0


def run_untrust(args: argparse.Namespace) -> int:
    from adapters.azure_sandbox.trust import TrustError, untrust

    try:
        change = untrust(Path.home(), system=args.system)
    except (TrustError, OSError) as error:
        print(f"azure-signin sandbox untrust: {error}", file=sys.stderr)
        return 1
    print(*change.lines, sep="\n")
    return 0


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
