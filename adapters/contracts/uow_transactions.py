"""Unit-of-work contract, part 1: transactions and concurrency."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from adapters.contracts._support import RowCounts, counts
from adapters.contracts.records import Person, account, add_roles, at, invite, membership, user
from adapters.contracts.uow_support import (
    UnitOfWorkFixtures,
    adds_account,
    adds_user,
    attempt,
    committed,
    refused_as_duplicate,
)
from core.model import InviteStatus
from core.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


class _Boom(Exception):
    pass


class TransactionContract(UnitOfWorkFixtures):
    async def test_commit_makes_every_write_visible_to_later_units(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        before = await counts(row_counts)
        alice = Person()
        async with uow_factory() as uow:
            await alice.add(uow)
            await add_roles(uow)
            workspace = await uow.workspaces.add("Contoso", "https://contoso.example.com")
            await uow.memberships.add(membership(alice.user, workspace.id))
            await uow.commit()
        after = await counts(row_counts)
        for table, added in {
            "users": 1,
            "accounts": 1,
            "directories": 1,
            "providers": 1,
            "workspaces": 1,
            "roles": 3,
            "memberships": 1,
        }.items():
            assert after[table] == before[table] + added, table
        async with uow_factory() as uow:
            assert await uow.users.get(alice.user.id) == alice.user
            assert await uow.accounts.by_key(alice.account.issuer, alice.account.object_id) == alice.account

    async def test_leaving_without_commit_writes_nothing(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        before = await counts(row_counts)
        alice = Person()
        async with uow_factory() as uow:
            await alice.add(uow)
            await uow.workspaces.add("Contoso", "https://contoso.example.com")
        assert await counts(row_counts) == before
        async with uow_factory() as uow:
            assert await uow.users.get(alice.user.id) is None
            assert await uow.workspaces.list() == []

    async def test_an_exception_rolls_back_and_propagates(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        before = await counts(row_counts)
        alice = Person()
        with pytest.raises(_Boom):
            async with uow_factory() as uow:
                await alice.add(uow)
                raise _Boom
        assert await counts(row_counts) == before
        async with uow_factory() as uow:
            assert await uow.users.get(alice.user.id) is None

    async def test_rollback_discards_what_was_written(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        before = await counts(row_counts)
        async with uow_factory() as uow:
            await Person().add(uow)
            await uow.rollback()
        assert await counts(row_counts) == before

    async def test_a_unit_reads_its_own_writes(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        async with uow_factory() as uow:
            await alice.add(uow)
            assert await uow.users.get(alice.user.id) == alice.user
            assert await uow.users.by_email("alice@contoso.com") == alice.user
            assert await uow.accounts.for_user(alice.user.id) == [alice.account]

    async def test_uncommitted_writes_are_invisible_out_of_band(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        before = await counts(row_counts)
        async with uow_factory() as uow:
            await Person().add(uow)
            assert await counts(row_counts) == before
            await uow.commit()
        assert (await counts(row_counts))["users"] == before["users"] + 1

    async def test_a_duplicate_leaves_nothing_of_its_unit(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        await committed(uow_factory, Person("taken@contoso.com").add)
        before = await counts(row_counts)
        await refused_as_duplicate(
            uow_factory, Person("new@contoso.com").add, Person("taken@contoso.com").add
        )
        assert await counts(row_counts) == before

    async def test_racing_units_for_one_email_end_with_one_user(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        racers = [user("race@contoso.com") for _ in range(2)]
        results = await asyncio.gather(
            *(attempt(uow_factory, adds_user(u)) for u in racers)
        )
        assert sorted(results) == ["committed", "duplicate"]
        assert (await counts(row_counts))["users"] == 1

    async def test_racing_units_for_one_account_key_end_with_one_account(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        alice = Person()
        await committed(uow_factory, lambda uow: alice.add(uow, with_account=False))
        twins = [account(alice.user, alice.provider, object_id="oid-race") for _ in range(2)]
        results = await asyncio.gather(
            *(attempt(uow_factory, adds_account(a)) for a in twins)
        )
        assert sorted(results) == ["committed", "duplicate"]
        assert (await counts(row_counts))["accounts"] == 1

    async def test_units_with_distinct_keys_all_commit(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        people = [user(f"person{n}@contoso.com") for n in range(10)]
        results = await asyncio.gather(
            *(attempt(uow_factory, adds_user(u)) for u in people)
        )
        assert results == ["committed"] * 10
        assert (await counts(row_counts))["users"] == 10

    async def test_racing_workspace_adds_get_distinct_ids(self, uow_factory: UnitOfWorkFactory) -> None:
        async def add_workspace(uow: UnitOfWork) -> None:
            await uow.workspaces.add("Racer", "https://racer.example.com")

        results = await asyncio.gather(*(attempt(uow_factory, add_workspace) for _ in range(5)))
        assert results == ["committed"] * 5
        async with uow_factory() as uow:
            assert sorted(w.id for w in await uow.workspaces.list()) == [1, 2, 3, 4, 5]

    async def test_racing_units_apply_an_invite_once(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = await _committed_person(uow_factory)
        async with uow_factory() as uow:
            await add_roles(uow)
            workspace = await uow.workspaces.add("Contoso", "https://contoso.example.com")
            accepted = invite("alice@contoso.com", workspace.id)
            await uow.invites.add(accepted)
            await uow.commit()
        applied = replace(
            accepted, status=InviteStatus.APPLIED, applied_at=at(5), applied_user_id=alice.user.id
        )
        results = await asyncio.gather(
            *(attempt(uow_factory, lambda uow: uow.invites.update(applied)) for _ in range(3))
        )
        assert sorted(results) == ["committed", "duplicate", "duplicate"]


async def _committed_person(uow_factory: UnitOfWorkFactory, email: str = "alice@contoso.com") -> Person:
    person = Person(email)
    await committed(uow_factory, person.add)
    return person


class ReadOnlyContract(UnitOfWorkFixtures):
    """`uow_factory(read_only=True)`: reads the committed state, takes no write lock, and
    never makes a write visible."""

    async def test_a_read_only_unit_sees_what_was_committed(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        await committed(uow_factory, alice.add)
        async with uow_factory(read_only=True) as uow:
            assert await uow.users.get(alice.user.id) == alice.user

    async def test_a_read_only_unit_cannot_commit(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        before = await counts(row_counts)
        with pytest.raises(Exception):  # noqa: B017 - RuntimeError, or the database's refusal
            async with uow_factory(read_only=True) as uow:
                await uow.workspaces.add("Contoso", "https://contoso.example.com")
                await uow.commit()
        assert await counts(row_counts) == before

    async def test_a_reader_neither_waits_for_nor_blocks_an_open_writer(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        alice, bob = Person(), Person("bob@contoso.com")
        await committed(uow_factory, alice.add)
        async with uow_factory() as writer:
            await bob.add(writer)  # the writer holds its lock (SQLite: the write lock)
            async with asyncio.timeout(2):
                async with uow_factory(read_only=True) as reader:
                    assert await reader.users.get(alice.user.id) == alice.user
                    assert await reader.users.get(bob.user.id) is None  # not committed yet
                    await writer.commit()  # the reader does not hold the writer up
        async with uow_factory(read_only=True) as reader:
            assert await reader.users.get(bob.user.id) == bob.user
