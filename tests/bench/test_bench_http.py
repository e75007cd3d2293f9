"""HTTP benchmarks (`make bench`, never `make test`): real server processes under wrk on
loopback, one worker each. Printed, one line per figure:

- req/s of a bare Litestar JSON handler in the service app, `GET /auth/verify` and
  `GET /me`, alternating, 3 rounds, median; the ratios verify/bare and me/bare; on SQLite
  with in-process stores and on PostgreSQL with Redis;
- `serve --workers 2` against `--workers 1` on `/auth/verify`, one keep-alive connection
  and 32 connections;
- the revocation delay: a logout on one process until `/auth/verify` on another refuses the
  token, median and max over 20 logouts.

The plot goes to var/bench/performance.png (docs/performance.md shows a copy). Nothing here
asserts a time; a run with failed answers is refused, since its rates would mean nothing."""
from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import httpx
import pytest

from tests.bench.harness import ROOT, Server, plot, seed, wrk
from tests.web.support import create_database, drop_database

ROUNDS = 3
SECONDS = 5
CONNECTIONS = 32
ENDPOINTS = {"bare": "/bench/bare", "verify": "/auth/verify", "me": "/me"}
FIGURES: dict[str, dict[str, float]] = {}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNIN_")}
    env.update({"SIGNIN_DATA_DIR": str(tmp_path / "var"), "SIGNIN_PUBLIC_URL": "http://localhost:8000",
                "SIGNIN_LOG_LEVEL": "INFO"}, **extra)
    return env


@pytest.fixture(params=["sqlite", "postgres+redis"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        yield request.param, _env(tmp_path, SIGNIN_DATABASE_URL=f"sqlite:///{tmp_path}/signin.db")
        return
    server = request.getfixturevalue("postgres_server_url")
    url = asyncio.run(create_database(server))
    try:
        yield request.param, _env(tmp_path, SIGNIN_DATABASE_URL=url,
                                  SIGNIN_REDIS_URL=request.getfixturevalue("redis_url"))
    finally:
        asyncio.run(drop_database(server, url))


def _median_rates(base: str, paths: dict[str, str], token: str, connections: int) -> dict[str, float]:
    for path in paths.values():  # warm up every endpoint (caches, pools, JIT-less but lazy imports)
        wrk(base + path, connections=connections, seconds=1, token=token)
    rounds: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(ROUNDS):
        for name, path in paths.items():
            load = wrk(base + path, connections=connections, seconds=SECONDS, token=token)
            assert load.errors == 0, f"{name}: {load.errors} failed answers"
            rounds[name].append(load.rate)
    return {name: statistics.median(rates) for name, rates in rounds.items()}


def test_the_check_against_a_bare_handler(backend, tmp_path):
    name, env = backend
    token, _ = seed(env)
    with Server(env, tmp_path / "server.log") as server:
        assert httpx.get(server.url + "/auth/verify", headers={"Authorization": f"Bearer {token}"}
                         ).headers["x-auth-request-workspaces"]
        rates = _median_rates(server.url, ENDPOINTS, token, CONNECTIONS)
    FIGURES[name] = rates
    print(f"\n[{name}] one worker, wrk -t1 -c{CONNECTIONS} -d{SECONDS}s, "
          f"median of {ROUNDS} alternating rounds")
    for endpoint, path in ENDPOINTS.items():
        print(f"[{name}] {path:<14} {rates[endpoint]:>8,.0f} req/s")
    print(f"[{name}] verify/bare    {rates['verify'] / rates['bare']:>8.2f}   (goal >= 0.60)")
    print(f"[{name}] me/bare        {rates['me'] / rates['bare']:>8.2f}   (goal >= 0.40)")
    if len(FIGURES) == 2:
        out = ROOT / "var" / "bench"
        out.mkdir(parents=True, exist_ok=True)
        plot(FIGURES, out / "performance.png")
        print(f"plot: {out / 'performance.png'}")


@pytest.mark.postgres
@pytest.mark.redis
def test_two_workers_against_one(postgres_server_url, redis_url, tmp_path):
    url = asyncio.run(create_database(postgres_server_url))
    env = _env(tmp_path, SIGNIN_DATABASE_URL=url, SIGNIN_REDIS_URL=redis_url)
    try:
        token, _ = seed(env)
        rates: dict[tuple[int, int], list[float]] = {}
        for _ in range(ROUNDS):
            for workers in (1, 2):
                with Server(env, tmp_path / f"serve-{workers}.log", kind="serve", workers=workers) as server:
                    for connections in (1, CONNECTIONS):
                        wrk(server.url + "/auth/verify", connections=connections, seconds=1, token=token)
                        load = wrk(server.url + "/auth/verify", connections=connections,
                                   seconds=SECONDS, token=token)
                        assert load.errors == 0
                        rates.setdefault((workers, connections), []).append(load.rate)
    finally:
        asyncio.run(drop_database(postgres_server_url, url))
    median = {key: statistics.median(values) for key, values in rates.items()}
    print(f"\n[workers] serve, GET /auth/verify, PostgreSQL + Redis, median of {ROUNDS}")
    for connections, goal in ((1, 0.9), (CONNECTIONS, 1.5)):
        one, two = median[(1, connections)], median[(2, connections)]
        print(f"[workers] {connections:>2} connection(s): 1 worker {one:,.0f} req/s, 2 workers "
              f"{two:,.0f} req/s, ratio {two / one:.2f} (goal >= {goal})")


@pytest.mark.postgres
@pytest.mark.redis
def test_revocation_delay_between_two_processes(postgres_server_url, redis_url, tmp_path):
    url = asyncio.run(create_database(postgres_server_url))
    env = _env(tmp_path, SIGNIN_DATABASE_URL=url, SIGNIN_REDIS_URL=redis_url)
    delays: list[float] = []
    try:
        _, tokens = seed(env)
        with Server(env, tmp_path / "a.log", kind="serve") as first, \
                Server(env, tmp_path / "b.log", kind="serve") as second, httpx.Client(timeout=10) as client:
            for token in tokens[:20]:
                bearer = {"Authorization": f"Bearer {token}"}
                assert client.get(second.url + "/auth/verify", headers=bearer).status_code == 200
                assert client.post(first.url + "/logout", headers=bearer).status_code == 200
                logged_out = time.monotonic()
                while client.get(second.url + "/auth/verify", headers=bearer).status_code == 200:
                    assert time.monotonic() - logged_out < 10
                    time.sleep(0.005)
                delays.append(time.monotonic() - logged_out)
    finally:
        asyncio.run(drop_database(postgres_server_url, url))
    print(f"\n[revocation] logout on one process -> 401 on the other, {len(delays)} logouts: "
          f"median {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms")
