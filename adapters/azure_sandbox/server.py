"""Serving the sandbox over TLS with uvicorn: settings, safety checks, socket and server."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from litestar import Litestar

from .app import create_sandbox_app
from .directory import DEFAULT_DIRECTORY_PATH, load_directory
from .state import Clock
from .tls import CertificateFiles, ensure_certificates

DEFAULT_PORT = 8443
DEFAULT_STATE_DIR = Path("var/sandbox")


class SandboxRefused(RuntimeError):
    """The sandbox must not start here (production, or a non-loopback address)."""


@dataclass(frozen=True)
class SandboxSettings:
    """Where and how to serve; `from_env` reads the `SIGNIN_SANDBOX_*` variables."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    state_dir: Path = DEFAULT_STATE_DIR
    directory_path: Path = DEFAULT_DIRECTORY_PATH

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SandboxSettings:
        env = os.environ if env is None else env
        raw_port = env.get("SIGNIN_SANDBOX_PORT", str(DEFAULT_PORT))
        try:
            port = int(raw_port)
        except ValueError:
            raise SandboxRefused(f"SIGNIN_SANDBOX_PORT must be a port number, not {raw_port!r}") from None
        if not 0 <= port <= 65535:
            raise SandboxRefused(f"SIGNIN_SANDBOX_PORT must be between 0 and 65535, not {port}")
        return cls(
            port=port,
            state_dir=Path(env.get("SIGNIN_SANDBOX_DIR") or DEFAULT_STATE_DIR),
            directory_path=Path(env.get("SIGNIN_SANDBOX_DIRECTORY") or DEFAULT_DIRECTORY_PATH),
        )


def refuse_production(env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    if env.get("SIGNIN_ENV", "").strip().lower() == "production":
        raise SandboxRefused("the Azure sandbox never runs with SIGNIN_ENV=production")


def loopback_address(host: str) -> str:
    """The IP literal to bind for `host`; refuses anything that is not loopback."""
    if host.lower() == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise SandboxRefused(
            f"the sandbox binds to loopback only; {host!r} is not a loopback address"
        ) from None
    if not address.is_loopback:
        raise SandboxRefused(f"the sandbox binds to loopback only; {host!r} is not a loopback address")
    return str(address)


def bind_loopback(host: str, port: int) -> socket.socket:
    """A bound TCP socket on a loopback address (port 0: a free port the OS picks)."""
    address = loopback_address(host)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError:
        sock.close()
        raise
    if not ipaddress.ip_address(sock.getsockname()[0]).is_loopback:  # belt and braces
        sock.close()
        raise SandboxRefused("bound address is not loopback")
    return sock


def build_server(app: Litestar, sock: socket.socket, files: CertificateFiles) -> uvicorn.Server:
    """A uvicorn server for `app` on `sock` with the sandbox certificate; no access log
    (it would print query strings, which carry codes and states)."""
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=str(files.server_cert),
        ssl_keyfile=str(files.server_key),
        access_log=False,
        log_level="warning",
        lifespan="off",
        # as `azure-signin serve` (docs/performance.md): about half the CPU per request of
        # h11 + asyncio, which matters where the sandbox shares a machine with the service
        # it stands in for (make run, make loadtest); Microsoft's CPU is not ours to spend
        loop="auto",  # uvloop where it exists (not on Windows), asyncio elsewhere
        http="httptools",
        ws="none",
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def origin_for(port: int) -> str:
    return f"https://localhost:{port}"


def serve(
    settings: SandboxSettings, env: Mapping[str, str] | None = None, clock: Clock | None = None
) -> None:
    """Run the sandbox in the foreground until interrupted."""
    refuse_production(env)
    files = ensure_certificates(settings.state_dir)
    directory = load_directory(settings.directory_path)
    sock = bind_loopback(settings.host, settings.port)
    port = sock.getsockname()[1]
    kwargs = {"clock": clock} if clock else {}
    app = create_sandbox_app(directory, origin=origin_for(port), **kwargs)
    print(f"Azure sandbox on {origin_for(port)} (CA: {files.ca_cert})", flush=True)
    try:
        build_server(app, sock, files).run(sockets=[sock])
    finally:
        sock.close()
