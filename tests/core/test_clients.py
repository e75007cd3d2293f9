"""Resource-server clients and token introspection (issue 12, item 2), in the core."""
from __future__ import annotations

import hashlib

import pytest

from core.errors import ErrorCode, InvalidClient, SignInError
from core.usecases.clients import ResourceClients
from core.usecases.introspect import Introspect
from tests.core.builders import aad
from tests.core.world import World

ALICE = aad("alice@contoso.com")


def clients(world: World) -> ResourceClients:
    return ResourceClients(world.db.unit_of_work, world.ids, world.clock)


async def test_a_new_client_gets_a_secret_that_is_stored_only_as_a_hash(world: World) -> None:
    created = await clients(world).add("notes-api")
    assert created.secret and created.secret not in repr(created)
    async with world.db.unit_of_work(read_only=True) as uow:
        stored = await uow.clients.get("notes-api")
    assert stored is not None and created.secret not in repr(stored)
    assert stored.secret_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.client == stored and stored.created_at == world.clock.now()
    assert await clients(world).authenticate("notes-api", created.secret) == stored


@pytest.mark.parametrize("name", ["", "with space", "-leading", "x" * 65, "naïve"])
async def test_a_malformed_client_name_is_refused(world: World, name: str) -> None:
    with pytest.raises(SignInError) as caught:
        await clients(world).add(name)
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    assert caught.value.detail == "a client name is 1-64 letters, digits, '.', '_' or '-'"


async def test_a_taken_name_is_refused_and_remove_and_list_work(world: World) -> None:
    await clients(world).add("notes-api")
    with pytest.raises(SignInError) as taken:
        await clients(world).add("notes-api")
    assert (taken.value.code, taken.value.detail) == (
        ErrorCode.INVALID_REQUEST, "a client named 'notes-api' exists"
    )
    await clients(world).add("billing")
    assert [c.id for c in await clients(world).list()] == ["billing", "notes-api"]
    await clients(world).remove("billing")
    with pytest.raises(SignInError) as caught:
        await clients(world).remove("billing")
    assert (caught.value.code, caught.value.detail) == (
        ErrorCode.INVALID_REQUEST, "no client named 'billing'"
    )


@pytest.mark.parametrize(("client_id", "secret"), [
    ("notes-api", "wrong"), ("nobody", "whatever"), ("", ""), ("notes-api", ""),
])
async def test_a_wrong_or_unknown_client_is_refused(world: World, client_id: str, secret: str) -> None:
    await clients(world).add("notes-api")
    with pytest.raises(InvalidClient, match="^client authentication failed$"):
        await clients(world).authenticate(client_id, secret)


async def test_a_removed_client_can_no_longer_authenticate(world: World) -> None:
    created = await clients(world).add("notes-api")
    await clients(world).remove("notes-api")
    with pytest.raises(InvalidClient):
        await clients(world).authenticate("notes-api", created.secret)


async def test_introspection_answers_active_only_for_a_valid_token(world: World) -> None:
    created = await clients(world).add("notes-api")
    introspect = Introspect(clients(world), world.check_access)
    done = await world.login(ALICE)
    active = await introspect("notes-api", created.secret, done.token)
    assert active.active and active.access is not None
    assert active.access.claims.session_id == done.session_id
    await world.logout(done.token)
    assert not (await introspect("notes-api", created.secret, done.token)).active
    assert not (await introspect("notes-api", created.secret, "garbage")).active
    with pytest.raises(InvalidClient):
        await introspect("notes-api", "wrong", done.token)
    with pytest.raises(InvalidClient):
        await introspect.authenticate_only("nobody", "x")
    await introspect.authenticate_only("notes-api", created.secret)


class _DownUnits:
    def __init__(self, world: World) -> None:
        self.world, self.down = world, False

    def __call__(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        if self.down:
            raise SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, "database down")
        return self.world.db.unit_of_work(read_only=read_only)


async def test_introspection_never_guesses_when_the_database_is_down(world: World) -> None:
    from core.usecases.check_access import CheckAccess

    created = await clients(world).add("notes-api")
    done = await world.login(ALICE)

    class _Clients(ResourceClients):
        async def authenticate(self, client_id: str, secret: str):  # type: ignore[no-untyped-def]
            return None

    units = _DownUnits(world)
    check = CheckAccess(world.tokens, world.cache, world.recent, units, world.clock)
    introspect = Introspect(_Clients(units, world.ids, world.clock), check)
    units.down = True
    with pytest.raises(SignInError) as caught:
        await introspect("notes-api", created.secret, done.token)
    assert caught.value.code is ErrorCode.TEMPORARILY_UNAVAILABLE
