"""The load test's topology, all on 127.0.0.1 and free ports: the sandbox in its own process
(Microsoft latency injected through its hook), a Redis and a PostgreSQL cluster of the run's
own (so that faults may stop them; never the machine's shared ones), a fresh database, and
two `azure-signin serve` processes sharing them, as behind one load balancer."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

import httpx

from adapters.sql.migrate import upgrade
from entrypoints.container import build_container
from entrypoints.lifecycle import stop
from entrypoints.seed import authority_issuer, seed_demo
from entrypoints.settings import load_settings
from tests.reliability.processes import Process, base_env, cli, free_port
from tests.reliability.redis_server import RedisServer
from tests.web.support import create_database

from .loadgen import FRONTEND

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if found is None:
        raise RuntimeError(f"{name} is not installed (apt-get install postgresql)")
    return found


class PostgresCluster:
    """A PostgreSQL cluster of the run's own (initdb into a temporary folder, a free port,
    trust auth, no fsync): the PostgreSQL-restart fault restarts it with `pg_ctl restart`.
    As root the cluster belongs to the `postgres` user (initdb refuses root)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            pwd.getpwnam("postgres")  # KeyError: no such user
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str, timeout: float = 60) -> None:
        subprocess.run([*self._as, *argv], check=True, timeout=timeout, capture_output=True)

    def start(self) -> PostgresCluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.folder, "postgres")
        if not self.data.exists():
            self._run(_tool("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c max_connections=200"
        )
        self._run(
            _tool("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "postgres.log"),
            "-o",
            options,
            "-m",
            "fast",
            "-w",
            "-t",
            "30",
            action,
        )

    def restart(self) -> None:
        self._pg_ctl("restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop")


@dataclass
class Topology:
    folder: Path
    latency: tuple[int, int] = (50, 150)
    services: int = 2
    sandbox: Process | None = None
    sandbox_base: str = ""
    ca: Path = Path()
    redis: RedisServer | None = None
    postgres: PostgresCluster | None = None
    database_url: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)

    # -- starting -----------------------------------------------------------------------
    def start(self) -> Topology:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._start_sandbox()
        self.redis = RedisServer(self._sub("redis")).start()
        self.postgres = PostgresCluster(Path(tempfile.mkdtemp(prefix="lt-pg-"))).start()
        self.database_url = asyncio.run(create_database(self.postgres.url))
        upgrade(self.database_url)
        self.settings = {
            "SIGNIN_DATA_DIR": str(self.folder / "var"),
            "SIGNIN_ALLOWED_ORIGINS": FRONTEND,
            "SIGNIN_DATABASE_URL": self.database_url,
            "SIGNIN_REDIS_URL": self.redis.url,
            "SIGNIN_AAD_AUTHORITY": f"{self.sandbox_base}/organizations",
            "SIGNIN_B2C_AUTHORITY": (
                f"{self.sandbox_base}/posterlabappdev.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN"
            ),
            "SIGNIN_B2C_GRAPH_AUTHORITY": f"{self.sandbox_base}/posterlabappdev.onmicrosoft.com",
            "SIGNIN_GRAPH_URL": f"{self.sandbox_base}/graph/v1.0",
            "SIGNIN_CA_BUNDLE": str(self.ca),
            "SIGNIN_LOG_LEVEL": "INFO",
            # every simulated browser comes from 127.0.0.1: the per-client limit would
            # measure itself, not the service (G3 looks for shedding under overload instead)
            "SIGNIN_LOGIN_RATE_LIMIT": "1000000",
        }
        asyncio.run(self._seed())
        for _ in range(self.services):
            self.start_service()
        return self

    def _sub(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _start_sandbox(self) -> None:
        port = free_port()
        state = self._sub("sandbox") / "state"
        env = base_env(SIGNIN_SANDBOX_PORT=str(port), SIGNIN_SANDBOX_DIR=str(state))
        self.sandbox = Process(cli("sandbox"), env, self.folder / "sandbox.log", ROOT).start()
        self.sandbox_base = f"https://localhost:{port}"
        self.ca = state / "ca.pem"
        deadline = time.monotonic() + 60
        while not self.ca.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox wrote no CA")
            time.sleep(0.1)
        self.sandbox.wait_for(f"{self.sandbox_base}/_sandbox/health", verify=self.verify())
        if self.latency:
            self.hook("POST", "latency", {"min_ms": self.latency[0], "max_ms": self.latency[1]})

    def verify(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    def hook(self, method: str, path: str, json: object = None) -> object:
        answer = httpx.request(
            method, f"{self.sandbox_base}/_sandbox/{path}", json=json, verify=self.verify(), timeout=10
        )
        answer.raise_for_status()
        return answer.json() if answer.content else None

    async def _seed(self) -> None:
        container = build_container(load_settings(self.settings))
        try:
            loaded = container.settings()
            b2c = next(a for a in loaded.authorities if a.name == "b2c")
            issuer = await authority_issuer(container.discovery(), b2c.authority)
            await seed_demo(container.administration(), FRONTEND, issuer)
        finally:
            await stop(container)

    def start_service(self, index: int | None = None) -> str:
        """Start (or restart in place `index`) one `azure-signin serve` on a free port."""
        port = free_port()
        env = base_env(**self.settings, SIGNIN_PORT=str(port), SIGNIN_PUBLIC_URL="http://localhost:8000")
        process = Process(cli("serve"), env, self.folder / f"service-{port}.log", ROOT).start()
        base = f"http://127.0.0.1:{port}"
        process.wait_for(f"{base}/health/live")
        if index is None:
            self.processes.append(process)
            self.bases.append(base)
        else:
            self.processes[index] = process
            self.bases[index] = base
        return base

    # -- observing ----------------------------------------------------------------------
    def pid(self, index: int) -> int:
        popen = self.processes[index].popen
        assert popen is not None
        return popen.pid

    def rss_kib(self) -> list[int]:
        return [_status_field(self.pid(i), "VmRSS") for i in range(len(self.processes))]

    def fds(self) -> list[int]:
        return [len(os.listdir(f"/proc/{self.pid(i)}/fd")) for i in range(len(self.processes))]

    def sigterm(self, index: int) -> None:
        os.kill(self.pid(index), signal.SIGTERM)

    # -- stopping -----------------------------------------------------------------------
    def stop(self) -> None:
        for process in self.processes:
            process.stop()
        if self.sandbox:
            self.sandbox.stop()
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()
            shutil.rmtree(self.postgres.folder, ignore_errors=True)


def _status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0
