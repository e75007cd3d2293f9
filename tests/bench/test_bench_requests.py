"""Benchmarks (`make bench`, never part of `make test`): figures are ratios measured in one
run against a bare Litestar handler on the same machine, so a noisy, shared machine
changes both sides alike. Nothing here asserts a time."""
from __future__ import annotations

import time
from datetime import timedelta

import httpx
from dependency_injector import providers
from litestar import Litestar, get

from adapters.memory import MemoryDatabase, RandomIds, SystemClock
from core.identity import ExternalIdentity, SignInKind
from core.policy import SignInPolicy
from core.usecases.record_signin import RecordSignIn
from core.usecases.sessions import issue_token
from entrypoints.container import build_container
from entrypoints.settings import load_settings
from entrypoints.web.app import create_app

ROUNDS = 2000


@get("/bare")
async def bare() -> dict[str, str]:
    return {"status": "ok"}


async def _rate(app: Litestar, path: str, headers: dict[str, str]) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(50):  # warm up
            assert (await client.get(path, headers=headers)).status_code == 200
        started = time.perf_counter()
        for _ in range(ROUNDS):
            await client.get(path, headers=headers)
        return ROUNDS / (time.perf_counter() - started)


async def test_authenticated_me_against_a_bare_handler(tmp_path):
    container = build_container(load_settings({"SIGNIN_DATA_DIR": str(tmp_path)}))
    database = MemoryDatabase()
    container.database.override(providers.Object(database))
    clock, ids, policy = SystemClock(), RandomIds(), SignInPolicy(session_absolute=timedelta(hours=1))
    identity = ExternalIdentity("https://bench/t/v2.0", "t", "o", "ada@bench.example", True, "Ada",
                                SignInKind.AZURE_AD)
    from core.model import ProviderKind
    from core.usecases.administration import Administration
    await Administration(database.unit_of_work, clock, ids, policy).add_provider(
        "bench", ProviderKind.EXTERNAL_AD, identity.issuer)
    record = await RecordSignIn(database.unit_of_work, clock, ids, policy)(identity)
    token, _ = issue_token(container.tokens(), ids, policy, record.session, clock.now())
    bare_rate = await _rate(Litestar([bare], logging_config=None), "/bare", {})
    me_rate = await _rate(create_app(container), "/me", {"Authorization": f"Bearer {token}"})
    print(f"\nbare handler: {bare_rate:,.0f} req/s; GET /me (JWT + session check + profile): "
          f"{me_rate:,.0f} req/s; /me costs {bare_rate / me_rate:.1f}x a bare handler (one run)")
