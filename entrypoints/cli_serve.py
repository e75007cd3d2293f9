"""`azure-signin serve`: the production server (uvicorn with httptools and uvloop, one or
more worker processes; the socket is bound by us, see `entrypoints/listener.py`, and with
several workers each listens on one of its own, see `entrypoints/workers.py`).

The service keeps no state in its processes (PostgreSQL and Redis hold it all), so any
number of workers, on any number of machines, can serve behind a load balancer.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

APP = "entrypoints.asgi:app_factory"
HELP = "Serve the sign-in service (production ASGI server)."
STARTUP_FAILURE = 3  # uvicorn's own exit code for a server that did not start


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help=HELP,
        description=HELP + " Address and port come from SIGNIN_HOST and SIGNIN_PORT, the "
        "proxies trusted with X-Forwarded-For from SIGNIN_TRUSTED_PROXIES; every setting is "
        "read from SIGNIN_ environment variables (see the README).",
    )
    parser.add_argument("--workers", type=_positive, default=1, metavar="N",
                        help="worker processes (default 1)")
    # Replaced by SIGNIN_TRUSTED_PROXIES (one setting for the rate limit's client address
    # and for the server): refused with a message saying so, never silently ignored.
    parser.add_argument("--proxy-headers", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--forwarded-allow-ips", metavar="IPS", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _metrics_folder() -> str | None:
    """prometheus-client's multiprocess folder for this serve's workers: the operator's
    `PROMETHEUS_MULTIPROC_DIR`, else a fresh one of ours (returned, to delete at the end).
    Set before prometheus-client is imported, in this process and so in every worker."""
    import os
    import tempfile

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    folder = tempfile.mkdtemp(prefix="azure-signin-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


def run(args: argparse.Namespace) -> int:
    import os
    import shutil

    ours = _metrics_folder()
    try:
        return _run(args)
    finally:
        if ours:
            # ours alone: forget it too, or a later serve of this process (the CLI run
            # in-process by tests, or embedded) would inherit a folder that is gone
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
            shutil.rmtree(ours, ignore_errors=True)


def _run(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from entrypoints.listener import bind_listener, reserve_shared_port
    from entrypoints.logging_setup import configure_logging, uvicorn_options
    from entrypoints.settings import SettingsError, load_settings

    if args.proxy_headers or args.forwarded_allow_ips is not None:
        print("azure-signin serve: --proxy-headers and --forwarded-allow-ips are replaced by "
              "SIGNIN_TRUSTED_PROXIES (comma-separated proxy addresses or CIDRs)", file=sys.stderr)
        return 2
    try:
        # Checked here once, so a bad setting stops the command before any worker starts.
        settings = load_settings()
    except SettingsError as error:
        print(f"azure-signin serve: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, log_format=settings.log_format)
    config = uvicorn.Config(
        APP,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        # Measured (docs/performance.md): httptools + uvloop serve about twice the requests
        # of h11 + asyncio for the same handler.
        http="httptools",
        loop="auto",  # uvloop (a dependency) where it exists, asyncio elsewhere
        # Off: the app's edge alone reads X-Forwarded-For, from SIGNIN_TRUSTED_PROXIES
        # (entrypoints/web/proxies.py). With uvicorn's on as well, two settings would decide
        # who the client is, and uvicorn would also rewrite the scheme from a header.
        proxy_headers=False,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        **uvicorn_options(settings.log_level),
    )
    try:
        if args.workers > 1:
            sock = reserve_shared_port(settings.host, settings.port)
        else:
            sock = bind_listener(settings.host, settings.port)
    except OSError as error:
        print(f"azure-signin serve: cannot listen on {settings.host}:{settings.port} "
              f"(SIGNIN_HOST, SIGNIN_PORT): {error.strerror or error}", file=sys.stderr)
        return 2
    metrics_server = None
    if settings.metrics_port is not None:
        from entrypoints.metrics import serve_metrics

        try:  # here, not in a worker: one port answers for every worker (multiprocess files)
            metrics_server = serve_metrics(settings.host, settings.metrics_port)
        except OSError as error:
            sock.close()
            print(f"azure-signin serve: cannot listen on {settings.host}:{settings.metrics_port} "
                  f"(SIGNIN_METRICS_PORT): {error.strerror or error}", file=sys.stderr)
            return 2
    logging.getLogger("uvicorn.error").info(
        "listening on http://%s:%d with %d worker(s)", settings.host, sock.getsockname()[1],
        args.workers)
    try:
        if args.workers > 1:
            from entrypoints.workers import run_workers
            run_workers(config, sock)
            return 0
        server = uvicorn.Server(config)
        server.run(sockets=[sock])
        return 0 if server.started else STARTUP_FAILURE
    except KeyboardInterrupt:
        return 0
    finally:
        sock.close()
        if metrics_server is not None:
            metrics_server.shutdown()
