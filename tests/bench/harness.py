"""What the HTTP benchmarks need: wrk, server processes started as in production, a user
with a session token written straight into the service's storage, and a plot."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.identity import ExternalIdentity, SignInKind
from core.model import ProviderKind
from core.usecases.sessions import issue_token
from entrypoints.container import build_container
from entrypoints.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
SERVER_OPTIONS = ["--http", "httptools", "--loop", "uvloop", "--no-access-log", "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Load:
    rate: float  # requests per second
    errors: int  # answers that were not 2xx/3xx, plus socket errors


def wrk(url: str, *, connections: int, seconds: float, token: str | None = None) -> Load:
    """One wrk run (one thread): req/s and the count of failed answers."""
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        raise RuntimeError("wrk is missing: make bench installs it (apt-get install wrk)")
    argv = [wrk_bin, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        argv += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rate is None:
        raise RuntimeError(f"wrk printed no rate: {out}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Load(float(rate.group(1)), errors)


class Server:
    """A server process on a free port: `kind` "bench" (the service app plus /bench/bare,
    one uvicorn worker) or "serve" (`azure-signin serve --workers N`)."""

    def __init__(self, env: dict[str, str], log: Path, kind: str = "bench", workers: int = 1) -> None:
        self.port = free_port()
        env = {**env, "SIGNIN_PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        if kind == "bench":
            argv = [sys.executable, "-m", "uvicorn", "--factory", "tests.bench.bench_app:app_factory",
                    "--port", str(self.port), *SERVER_OPTIONS]
        else:
            argv = [sys.executable, "-m", "entrypoints.cli", "serve", "--workers", str(workers)]
        self.log = log
        self._handle = log.open("wb")
        self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self._handle,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health/live", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._handle.close()


async def signed_in_user(env: dict[str, str], email: str = "ada@bench.example") -> tuple[str, list[str]]:
    """A user who is editor of one workspace and viewer of another, signed in 21 times
    straight through the core (no Microsoft involved); returns the first session's token
    and the others' (for logouts)."""
    container = build_container(load_settings(env))
    try:
        admin = container.administration()
        issuer = "https://bench.example/tenant/v2.0"
        await admin.ensure_roles()
        await admin.add_provider("bench", ProviderKind.EXTERNAL_AD, issuer)
        for name, role in (("Bench A", "editor"), ("Bench B", "viewer")):
            workspace = await admin.add_workspace(name, "http://localhost:3001")
            await admin.invite(email, workspace.id, role, accepted=True)
        identity = ExternalIdentity(issuer, "tenant", "object-1", email, True, "Ada", SignInKind.AZURE_AD)
        tokens = []
        for _ in range(21):
            record = await container.record_signin()(identity)
            token, _ = issue_token(container.tokens(), container.ids(), container.policy(),
                                   record.session, container.clock().now())
            tokens.append(token)
        return tokens[0], tokens[1:]
    finally:
        await container.database().dispose()
        if container.redis() is not None:
            await container.redis().close()


def seed(env: dict[str, str]) -> tuple[str, list[str]]:
    from adapters.sql.migrate import upgrade
    upgrade(env["SIGNIN_DATABASE_URL"])
    return asyncio.run(signed_in_user(env))


def plot(figures: dict[str, dict[str, float]], path: Path) -> None:
    """A bar chart of req/s per endpoint, one group per backend (matplotlib: `.[bench]`)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    backends = list(figures)
    endpoints = ["bare", "verify", "me"]
    labels = {"bare": "bare handler", "verify": "GET /auth/verify", "me": "GET /me"}
    figure, axes = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(endpoints)
    for i, endpoint in enumerate(endpoints):
        xs = [b + i * width for b in range(len(backends))]
        ys = [figures[b][endpoint] for b in backends]
        bars = axes.bar(xs, ys, width, label=labels[endpoint])
        axes.bar_label(bars, fmt="%.0f", fontsize=8)
    axes.set_xticks([b + width for b in range(len(backends))], backends)
    axes.set_ylabel("requests per second (median of 3)")
    axes.set_title("One uvicorn worker, wrk -t1 -c32, loopback")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
