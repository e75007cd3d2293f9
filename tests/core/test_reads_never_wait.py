"""What only reads runs in a read-only unit of work: it never waits for a writer (SQLite's
write lock, the in-memory database's writer lock), so a long sign-in or administration
transaction never holds up token checks, `/me` or introspection."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from core.usecases.clients import ResourceClients
from core.usecases.users import DescribeSession
from tests.core.builders import aad
from tests.core.world import World

ALICE = aad("alice@contoso.com")


async def _authenticate(world: World, token: str, secret: str) -> object:
    return (await world.authenticate(token)).session.id


async def _describe(world: World, token: str, secret: str) -> object:
    current = await world.check_access(token)
    return (await DescribeSession(world.db.unit_of_work)(current)).session_id  # nothing kept yet


async def _list_clients(world: World, token: str, secret: str) -> object:
    return [c.id for c in await ResourceClients(world.db.unit_of_work, world.ids, world.clock).list()]


async def _authenticate_client(world: World, token: str, secret: str) -> object:
    clients = ResourceClients(world.db.unit_of_work, world.ids, world.clock)
    return (await clients.authenticate("notes-api", secret)).id


READS: dict[str, Callable[[World, str, str], Awaitable[object]]] = {
    "authenticate": _authenticate,
    "describe": _describe,
    "list clients": _list_clients,
    "authenticate a client": _authenticate_client,
}


@pytest.mark.parametrize("read", list(READS))
async def test_a_read_answers_while_a_writer_holds_the_database(world: World, read: str) -> None:
    done = await world.login(ALICE)
    created = await ResourceClients(world.db.unit_of_work, world.ids, world.clock).add("notes-api")
    expected = await READS[read](world, done.token, created.secret)
    async with world.db.unit_of_work():  # a writer, in the middle of its transaction
        answer = await asyncio.wait_for(READS[read](world, done.token, created.secret), timeout=2)
    assert answer == expected
