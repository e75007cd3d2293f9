"""Every domain error code is produced by a real scenario of the core."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from adapters.memory import MemoryDatabase
from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity, RedeemedLogin
from core.usecases.complete_signin import CompleteSignIn, CompleteSignInInput
from tests.core.builders import TENANT_2, aad
from tests.core.colliding import CollidingUnits
from tests.core.world import ALLOWED_ORIGINS, REDIRECT_URI, World

ALICE = aad("alice@contoso.com", oid="alice")


async def invalid_request(world: World) -> None:
    await world.begin("https://evil.example")


async def login_expired(world: World) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply = world.microsoft.reply_for(state, "alice")
    await world.finish(started, reply)
    await world.finish(started, reply)


async def reply_error(world: World, action: str) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin(authority="aad")
    await world.finish(started, world.microsoft.reply_for(state, "alice", action))  # type: ignore[arg-type]


async def provider_not_registered(world: World) -> None:
    await world.login(aad("mallory@hostile.example", tenant=TENANT_2, oid="mallory", verified=False))


async def invalid_token(world: World) -> None:
    await world.authenticate("forged")


async def account_conflict(world: World) -> None:
    await world.login(aad("mallory@hostile.example", tenant=TENANT_2, oid="mallory"))
    await world.login(ALICE)
    await world.login(aad("alice@contoso.com", tenant=TENANT_2, oid="fake-alice", verified=False))


async def account_disabled(world: World) -> None:
    await world.login(ALICE)
    await world.disable("alice@contoso.com")
    await world.login(ALICE)


async def temporarily_unavailable(world: World) -> None:
    db = MemoryDatabase()
    units = CollidingUnits(db)
    crowded = World(db=db, uow=units)
    await crowded.standard_setup()
    units.collisions = crowded.policy.max_attempts
    await crowded.login(ALICE)


class _BrokenProfiles:
    async def read(self, login: RedeemedLogin) -> ExternalIdentity:
        raise KeyError("oid")


async def server_error(world: World) -> None:
    complete = CompleteSignIn(
        world.flows, world.microsoft, _BrokenProfiles(), world.record, world.tokens, world.cache,
        world.clock, world.ids, world.policy, ALLOWED_ORIGINS,
    )
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply = world.microsoft.reply_for(state, "alice")
    await complete(CompleteSignInInput(reply, started.binding_secret, REDIRECT_URI))


SCENARIOS: dict[ErrorCode, Callable[[World], Awaitable[None]]] = {
    ErrorCode.INVALID_REQUEST: invalid_request,
    ErrorCode.LOGIN_EXPIRED: login_expired,
    ErrorCode.ACCESS_DENIED: lambda world: reply_error(world, "deny"),
    ErrorCode.PROVIDER_NOT_REGISTERED: provider_not_registered,
    ErrorCode.CANCELLED: lambda world: reply_error(world, "cancel"),
    ErrorCode.PASSWORD_RESET: lambda world: reply_error(world, "forgot_password"),
    ErrorCode.INVALID_TOKEN: invalid_token,
    ErrorCode.ACCOUNT_CONFLICT: account_conflict,
    ErrorCode.ACCOUNT_DISABLED: account_disabled,
    ErrorCode.TEMPORARILY_UNAVAILABLE: temporarily_unavailable,
    ErrorCode.SERVER_ERROR: server_error,
}


def test_every_error_code_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(ErrorCode)


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
async def test_scenario_produces_its_error_code(world: World, code: ErrorCode) -> None:
    with pytest.raises(SignInError) as caught:
        await SCENARIOS[code](world)
    assert caught.value.code is code


def test_an_error_keeps_its_code_and_detail_and_prints_both() -> None:
    error = SignInError(ErrorCode.LOGIN_EXPIRED, "unknown state")
    assert (error.code, error.detail) == (ErrorCode.LOGIN_EXPIRED, "unknown state")
    assert error.frontend_origin is None
    assert str(error) == "login_expired: unknown state"
    assert str(SignInError(ErrorCode.LOGIN_EXPIRED)) == "login_expired"
