"""Fixtures and helpers shared by the parts of the unit-of-work contract."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import pytest

from adapters.contracts._support import RowCounts, abstract
from core.errors import DuplicateKey
from core.model import User, UserAccount
from core.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

Write = Callable[[UnitOfWork], Awaitable[Any]]


@pytest.mark.asyncio
class UnitOfWorkFixtures:
    @pytest.fixture
    def uow_factory(self) -> UnitOfWorkFactory:
        return abstract("uow_factory", "UnitOfWorkContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def row_counts(self) -> RowCounts:
        return abstract("row_counts", "UnitOfWorkContract")  # type: ignore[no-any-return]


def adds_user(new: User) -> Write:
    """A write adding `new` to the users."""
    async def write(uow: UnitOfWork) -> None:
        await uow.users.add(new)
    return write


def adds_account(new: UserAccount) -> Write:
    """A write adding `new` to the accounts."""
    async def write(uow: UnitOfWork) -> None:
        await uow.accounts.add(new)
    return write


async def committed(uow_factory: UnitOfWorkFactory, *writes: Write) -> None:
    """Run `writes` in one unit and commit it."""
    async with uow_factory() as uow:
        for write in writes:
            await write(uow)
        await uow.commit()


async def refused_as_duplicate(uow_factory: UnitOfWorkFactory, *writes: Write) -> None:
    """`writes` in one unit end in `DuplicateKey`, at a write or at commit."""
    with pytest.raises(DuplicateKey):
        await committed(uow_factory, *writes)


async def attempt(uow_factory: UnitOfWorkFactory, write: Write) -> Literal["committed", "duplicate"]:
    """One racer: write, yield to the others, commit; report how it ended."""
    try:
        async with uow_factory() as uow:
            await asyncio.sleep(0)
            await write(uow)
            await asyncio.sleep(0)
            await uow.commit()
    except DuplicateKey:
        return "duplicate"
    return "committed"
