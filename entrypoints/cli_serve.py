"""`azure-signin serve`: the production server (uvicorn, one or more worker processes).

The service keeps no state in its processes (PostgreSQL and Redis hold it all), so any
number of workers, on any number of machines, can serve behind a load balancer.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

APP = "entrypoints.asgi:app_factory"
HELP = "Serve the sign-in service (production ASGI server)."


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help=HELP,
        description=HELP + " Address and port come from SIGNIN_HOST and SIGNIN_PORT; every "
        "setting is read from SIGNIN_ environment variables (see the README).",
    )
    parser.add_argument("--workers", type=_positive, default=1, metavar="N",
                        help="worker processes (default 1)")
    parser.add_argument("--proxy-headers", action="store_true",
                        help="trust X-Forwarded-For/-Proto from --forwarded-allow-ips (default: off)")
    parser.add_argument("--forwarded-allow-ips", default="127.0.0.1", metavar="IPS",
                        help="comma-separated proxy addresses trusted with --proxy-headers")
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from entrypoints.logging_setup import configure_logging, uvicorn_options
    from entrypoints.settings import SettingsError, load_settings

    try:
        # Checked here once, so a bad setting stops the command before any worker starts.
        settings = load_settings()
    except SettingsError as error:
        print(f"azure-signin serve: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    uvicorn.run(
        APP,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips if args.proxy_headers else None,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        **uvicorn_options(settings.log_level),
    )
    return 0
