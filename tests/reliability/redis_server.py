"""A `redis-server` of the test's own, on a free port in a temporary folder, for the tests
that flush, restart or restore Redis (never the machine's shared one)."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.conftest import IN_CI
from tests.reliability.processes import free_port


def require_tool(name: str) -> str:
    import pytest

    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (.ci/run installs it with apt)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true: a test that needs {name} must not be skipped")
        pytest.skip(message)
    return path


class RedisServer:
    """`start()` / `stop()`; it loads and `SAVE`s the RDB file `dump` in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.binary = require_tool("redis-server")
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dump = folder / "dump.rdb"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        log = (self.folder / "redis.log").open("ab")
        self._process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except RedisConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)

    def stop(self) -> None:
        """Stop at once, saving nothing (what a crash or a restart without persistence does)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(10)
        self._process = None

