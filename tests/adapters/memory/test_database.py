from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.memory import MemoryDatabase
from core.errors import DuplicateKey
from core.model import User

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def user(user_id: str, email: str | None) -> User:
    return User(user_id, email, email, "Someone", T0)


async def test_nesting_units_in_one_task_fails_fast_instead_of_deadlocking() -> None:
    db = MemoryDatabase()
    async with db.unit_of_work():
        with pytest.raises(RuntimeError):
            async with db.unit_of_work():
                pass
    async with db.unit_of_work():  # the outer unit released the database
        pass


async def test_a_unit_of_work_is_entered_once_and_used_only_while_open() -> None:
    db = MemoryDatabase()
    uow = db.unit_of_work()
    with pytest.raises(RuntimeError):
        await uow.users.get("u1")
    async with uow:
        pass
    with pytest.raises(RuntimeError):
        async with uow:
            pass
    with pytest.raises(RuntimeError):
        await uow.commit()


async def test_each_commit_publishes_what_was_written_since_the_last() -> None:
    db = MemoryDatabase()
    async with db.unit_of_work() as uow:
        await uow.users.add(user("u1", "a@x.com"))
        await uow.commit()
        await uow.users.add(user("u2", "b@x.com"))
        assert db.row_counts()["users"] == 1
    assert db.row_counts()["users"] == 1


async def test_rollback_keeps_the_unit_usable() -> None:
    db = MemoryDatabase()
    async with db.unit_of_work() as uow:
        await uow.users.add(user("u1", "a@x.com"))
        await uow.rollback()
        await uow.users.add(user("u2", "a@x.com"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert [u.id for u in await uow.users.list()] == ["u2"]


async def test_a_refused_write_changes_nothing_in_the_working_set() -> None:
    db = MemoryDatabase()
    async with db.unit_of_work() as uow:
        await uow.users.add(user("u1", "a@x.com"))
        await uow.users.add(user("u2", "b@x.com"))
        with pytest.raises(DuplicateKey):
            await uow.users.add(user("u3", "a@x.com"))
        assert await uow.users.get("u3") is None
        assert (await uow.users.by_email("b@x.com")) == user("u2", "b@x.com")
        assert (await uow.users.by_email("a@x.com")) == user("u1", "a@x.com")


async def test_the_committed_state_is_never_changed_in_place() -> None:
    db = MemoryDatabase()
    async with db.unit_of_work() as uow:
        await uow.users.add(user("u1", "a@x.com"))
        await uow.commit()
    committed = db._committed
    async with db.unit_of_work() as uow:
        await uow.users.disable("u1")
        await uow.users.add(user("u2", "new@x.com"))
        assert committed.users.get("u1") == user("u1", "a@x.com")
        assert committed.users.find("email", "new@x.com") is None
