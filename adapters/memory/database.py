"""The in-memory database: the committed tables, and the lock that serialises units of work."""
from __future__ import annotations

import asyncio
from typing import Any

from adapters.memory.schema import Tables
from adapters.memory.unit_of_work import MemoryUnitOfWork


class MemoryDatabase:
    """All the records of design §2 in this process's memory, behind units of work.

    Concurrency design: units of work that write are serialised (read-only units read the
    committed state as it was when they started, without the lock). A unit holds the database's
    `asyncio.Lock` from `__aenter__` to its exit, and works on a copy-on-write fork of the
    committed tables; `commit` swaps its fork in as the new committed state in one step.
    So every unit sees a consistent state, two units racing for a unique key end with one
    `DuplicateKey` (raised at `add`, since the loser starts after the winner's commit),
    and a unit left without `commit` leaves no trace. The cost: units never run in
    parallel, so keep network calls out of them (the use cases do). Opening a unit inside
    another in the same task would wait forever, so it raises `RuntimeError` instead.

    The lock belongs to the event loop that first waits on it: use one database per loop.

    Example::

        db = MemoryDatabase()
        async with db.unit_of_work() as uow:
            await uow.users.add(user)
            await uow.commit()
        assert db.row_counts()["users"] == 1
    """

    def __init__(self) -> None:
        self._committed = Tables.empty()
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    def unit_of_work(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        """A new unit of work; `db.unit_of_work` is a `UnitOfWorkFactory`. A read-only unit
        takes no lock: it reads the committed state of the moment it was entered."""
        return MemoryUnitOfWork(self, read_only=read_only)

    def row_counts(self) -> dict[str, int]:
        """Committed rows per table, read out of band (no unit of work, no lock)."""
        return self._committed.counts()

    async def _begin(self) -> Tables:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("a unit of work is already open in this task; nesting would deadlock")
        await self._lock.acquire()
        self._holder = task
        return self._committed

    def _snapshot(self) -> Tables:
        return self._committed

    def _install(self, tables: Tables) -> None:
        self._committed = tables

    def _end(self) -> None:
        self._holder = None
        self._lock.release()

