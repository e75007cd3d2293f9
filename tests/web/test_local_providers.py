"""A configured B2C (and Entra External ID) authority's local accounts sign in without
`provider add` (issue 13): start-up registers their identity provider from the authority's
discovery issuer, idempotently, and retries while Microsoft does not answer."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from core.model import ProviderKind
from entrypoints.container import build_container
from entrypoints.lifecycle import stop
from entrypoints.local_providers import (
    LOCAL_ACCOUNTS,
    ensure_local_providers,
    issuers_through,
    keep_ensuring,
)
from entrypoints.settings import load_settings
from tests.service_fixtures import service_env

EXTERNAL = {"SIGNIN_PROVIDERS": "aad,b2c,external"}
B2C_TENANT = "b2c0ffee-4d3c-4b2a-8e1f-7a6b5c4d3e2f"  # the sandbox's default directory


def b2c_issuer(sandbox) -> str:
    return f"{sandbox.base_url}/{B2C_TENANT}/v2.0/"


async def _local_providers(operator) -> dict[str, str]:
    async with operator.container() as container:
        found = await container.administration().providers()
    return {p.name: p.issuer for p in found if p.kind is ProviderKind.LOCAL}


async def _registered(operator, names: set[str], timeout: float = 10) -> dict[str, str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await _local_providers(operator)
        if names <= set(found) or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


@pytest.fixture(autouse=True)
def _fresh_sandbox(sandbox):
    sandbox.reset()
    yield
    sandbox.reset()


async def test_a_b2c_local_account_signs_in_with_no_provider_registered_by_hand(make_service, sandbox):
    async with make_service(seed=False) as (browser, operator):
        found = await _registered(operator, {LOCAL_ACCOUNTS["b2c"]})
        assert found == {LOCAL_ACCOUNTS["b2c"]: b2c_issuer(sandbox)}
        landing = await browser.login("bob@example.org", "b2c")
        assert landing.error is None and landing.token, landing.final
        me = (await browser.me(landing.token)).json()
        assert me["user"]["email"] == "bob@example.org"


async def test_an_external_id_local_account_likewise(make_service):
    async with make_service(seed=False, **EXTERNAL) as (browser, operator):
        found = await _registered(operator, set(LOCAL_ACCOUNTS.values()))
        assert set(found) == set(LOCAL_ACCOUNTS.values())
        landing = await browser.login("ines@example.net", "external")
        assert landing.error is None and landing.token, landing.final


async def test_ensuring_twice_or_at_once_registers_one_provider(sandbox, backend, tmp_path):
    settings = load_settings(service_env(sandbox, tmp_path / "var", **{**backend, **EXTERNAL}))
    containers = [build_container(settings) for _ in range(3)]
    try:
        from adapters.sql.migrate import ensure_schema_async

        await ensure_schema_async(containers[0].database().config, auto_upgrade=True)
        results = await asyncio.gather(
            *(ensure_local_providers(c.administration(), settings, issuers_through(c.discovery()))
              for c in containers))
        assert sum(e.added for r in results for e in r) == 2  # one per authority, not per process
        again = await ensure_local_providers(
            containers[0].administration(), settings, issuers_through(containers[0].discovery()))
        assert [e.added for e in again] == [False, False]
        providers = await containers[0].administration().providers()
        assert sorted(p.name for p in providers) == sorted(LOCAL_ACCOUNTS.values())
    finally:
        for container in containers:
            await stop(container)


async def test_start_up_keeps_trying_while_discovery_does_not_answer(sandbox, tmp_path):
    settings = load_settings(service_env(
        sandbox, tmp_path / "var", SIGNIN_DATABASE_URL=f"sqlite:///{tmp_path / 'signin.db'}"))
    container = build_container(settings)
    calls = []

    async def flaky(authority: str) -> str:
        calls.append(authority)
        if len(calls) < 3:
            raise httpx.ConnectError("Microsoft is away")
        return b2c_issuer(sandbox)

    try:
        from adapters.sql.migrate import ensure_schema_async

        await ensure_schema_async(container.database().config, auto_upgrade=True)
        await asyncio.wait_for(
            keep_ensuring(container.administration(), settings, flaky, first_wait=0.01), 5)
        assert len(calls) == 3
        providers = await container.administration().providers()
        assert [(p.name, p.issuer) for p in providers] == [(LOCAL_ACCOUNTS["b2c"], b2c_issuer(sandbox))]
    finally:
        await stop(container)
