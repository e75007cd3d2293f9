"""`azure-signin demo`: the Azure sandbox, the service and the demo frontend as three uvicorn
servers on one asyncio loop, in one process.

Order matters: the sandbox first (the seed reads the B2C issuer from its discovery), then the
schema and the demo data, and only then the service and the frontend, so that the first
request the service answers already finds the demo's workspaces and invites.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import uvicorn

from entrypoints.demo.server import FrontendConfig, create_frontend_app
from entrypoints.logging_setup import configure_logging, uvicorn_options
from entrypoints.settings import Settings

if TYPE_CHECKING:
    from entrypoints.container import Container
    from entrypoints.seed import SeedReport

STARTUP_TIMEOUT = 30.0
DEMO_USERS = (
    ("alice@contoso.com", "Azure AD", "accepted invite: lands in Acme (workspace 1) as editor"),
    ("bob@example.org", "B2C", "local account with an accepted invite: Acme as viewer"),
    ("frank@fabrikam.com", "Azure AD", "his invite to Globex is pending, so it is not applied"),
    ("frank@fabrikam.com#contoso", "Azure AD", "the same person as a guest in Contoso's tenant"),
    ("erin@contoso.com", "Azure AD", "verified but never invited: signed in, no workspace"),
    ("carol@gmail.com", "B2C", "Google through B2C: a new user, no workspace"),
    ("mallory@evil.example", "Azure AD", "hostile tenant claiming alice's email: refused "
     "(account_conflict once alice has signed in)"),
)


class DemoError(RuntimeError):
    """The demo cannot start; the message says why and which setting to change."""


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to the launcher (three servers share them)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class _Running:
    name: str
    server: _Server
    task: asyncio.Task[None]


def frontend_origin(settings: Settings) -> str:
    return f"http://localhost:{settings.demo_port}"


def check_ports(settings: Settings) -> None:
    """The three servers need three ports; two settings naming the same one is a one-line
    `DemoError` (a bound socket would not notice: SO_REUSEADDR lets a second bind succeed)."""
    seen: dict[int, str] = {}
    for setting, port in (("SIGNIN_SANDBOX_PORT", settings.sandbox_port), ("SIGNIN_PORT", settings.port),
                          ("SIGNIN_DEMO_PORT", settings.demo_port)):
        if port in seen:
            raise DemoError(f"{setting} and {seen[port]} are both {port}: the sandbox, the service "
                            f"and the demo frontend each need a port of their own")
        seen[port] = setting


def _bind(host: str, port: int, setting: str) -> socket.socket:
    """A loopback socket: the demo never listens beyond this machine."""
    from adapters.azure_sandbox.server import SandboxRefused, bind_loopback

    try:
        return bind_loopback(host, port)
    except SandboxRefused:
        raise DemoError(f"the demo listens on loopback only; {host!r} is not "
                        f"(unset SIGNIN_HOST for the demo)") from None
    except OSError as error:
        raise DemoError(f"cannot listen on {host}:{port} ({error.strerror}); "
                        f"free the port or set {setting}") from None


def _config(
    app: Any, *, log_level: str, lifespan: Literal["on", "off"], **tls: Any
) -> uvicorn.Config:
    return uvicorn.Config(
        app, lifespan=lifespan, loop="asyncio", http="h11", ws="none", server_header=False,
        proxy_headers=False, timeout_graceful_shutdown=1, **uvicorn_options(log_level), **tls,
    )


async def _start(name: str, config: uvicorn.Config, sock: socket.socket) -> _Running:
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name=name)
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    while not server.started:
        if task.done() or asyncio.get_running_loop().time() > deadline:
            server.should_exit = True
            raise DemoError(f"the {name} did not start")
        await asyncio.sleep(0.02)
    return _Running(name, server, task)


async def _seed(container: Container, settings: Settings) -> SeedReport:
    from entrypoints.lifecycle import start
    from entrypoints.seed import authority_issuer, seed_demo

    await start(container)  # the app's own start then finds it started
    discovery = container.discovery()
    b2c = next((a for a in settings.authorities if a.kind == "b2c"), None)
    issuer = await authority_issuer(discovery, b2c.authority) if b2c is not None else None
    external = next((a for a in settings.authorities if a.kind == "external"), None)
    external_issuer = (
        await authority_issuer(discovery, external.authority) if external is not None else None
    )
    return await seed_demo(
        container.administration(), frontend_origin(settings), issuer, external_issuer,
        administered=True,
    )


def banner(settings: Settings, ca_path: str) -> str:
    width = max(len(u) for u, _, _ in DEMO_USERS)
    users = "\n".join(f"  {u.ljust(width)}  {how.ljust(8)}  {what}" for u, how, what in DEMO_USERS)
    return (
        "\nazure-signin demo is running:\n"
        f"  demo frontend  {frontend_origin(settings)}/   <- open this in a browser\n"
        f"  service        {settings.public_url}/   (/health/ready, API docs at /schema)\n"
        f"  Azure sandbox  https://localhost:{settings.sandbox_port}/   (its CA: {ca_path})\n"
        "Your browser trusts the sandbox after: azure-signin sandbox trust   (undo: untrust)\n"
        "Demo users (pick one on the sandbox's sign-in page; no password):\n"
        f"{users}\n"
        "Stop with Ctrl-C.\n"
    )


async def run_demo(settings: Settings, environ: Mapping[str, str]) -> int:
    """Serve until SIGINT/SIGTERM; raises `DemoError` when something cannot start."""
    from adapters.azure_sandbox.app import create_sandbox_app
    from adapters.azure_sandbox.directory import load_directory
    from adapters.azure_sandbox.server import SandboxSettings, origin_for, refuse_production
    from adapters.azure_sandbox.tls import ensure_certificates
    from entrypoints.container import build_container
    from entrypoints.lifecycle import stop as stop_container
    from entrypoints.web.app import create_app

    refuse_production(environ)
    check_ports(settings)
    sandbox_settings = replace(SandboxSettings.from_env(environ), state_dir=settings.sandbox_dir,
                               port=settings.sandbox_port)
    files = ensure_certificates(sandbox_settings.state_dir)
    directory = load_directory(sandbox_settings.directory_path)
    sockets: list[socket.socket] = []
    try:
        for host, port, setting in (("127.0.0.1", settings.sandbox_port, "SIGNIN_SANDBOX_PORT"),
                                    (settings.host, settings.port, "SIGNIN_PORT"),
                                    ("127.0.0.1", settings.demo_port, "SIGNIN_DEMO_PORT")):
            sockets.append(_bind(host, port, setting))
    except DemoError:
        for sock in sockets:
            sock.close()
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    running: list[_Running] = []
    container: Container | None = None
    level = settings.log_level
    try:
        sandbox_app = create_sandbox_app(directory, origin=origin_for(settings.sandbox_port))
        # the sandbox app sets up Litestar's default logging: undo it
        configure_logging(level, log_format=settings.log_format)
        tls = {"ssl_certfile": str(files.server_cert), "ssl_keyfile": str(files.server_key)}
        running.append(await _start(
            "Azure sandbox", _config(sandbox_app, log_level=level, lifespan="off", **tls), sockets[0]))
        container = build_container(settings)
        try:
            await _seed(container, settings)
        except Exception as error:  # the sandbox's discovery or the database: say which, briefly
            raise DemoError(f"seeding the demo data failed: {type(error).__name__}: {error}") from error
        running.append(await _start(
            "service", _config(create_app(container), log_level=level, lifespan="on"), sockets[1]))
        frontend = create_frontend_app(FrontendConfig(
            service_url=settings.public_url,
            origin=frontend_origin(settings),
            providers=tuple(a.name for a in settings.authorities),
            delivery=settings.token_delivery,
            sandbox_url=origin_for(settings.sandbox_port),
        ))
        running.append(await _start(
            "demo frontend", _config(frontend, log_level=level, lifespan="off"), sockets[2]))
        print(banner(settings, str(files.ca_cert)), flush=True)
        crashed = asyncio.create_task(_first_exit(running))
        waiting = asyncio.create_task(stop.wait())
        await asyncio.wait({crashed, waiting}, return_when=asyncio.FIRST_COMPLETED)
        crashed.cancel()
        waiting.cancel()
        if not stop.is_set():
            print("azure-signin demo: a server stopped unexpectedly; shutting down", file=sys.stderr)
            return 1
        return 0
    finally:
        await _stop_all(running)
        if container is not None:
            await stop_container(container)  # after the service's own stop: a no-op then
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        for sock in sockets:
            sock.close()


async def _first_exit(running: list[_Running]) -> None:
    await asyncio.wait({r.task for r in running}, return_when=asyncio.FIRST_COMPLETED)


async def _stop_all(running: list[_Running]) -> None:
    # the frontend and the service first, the sandbox they talk to last
    for item in reversed(running):
        item.server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(item.task), timeout=5)
        except Exception:  # a timeout, or the server failed while stopping
            item.server.force_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(item.task, timeout=2)
