"""A unit-of-work factory whose next commits lose a race: they raise `DuplicateKey`, as a
database does when a concurrent transaction took a unique key first."""
from __future__ import annotations

from types import TracebackType
from typing import Any

from adapters.memory import MemoryDatabase
from core.errors import DuplicateKey


class CollidingUnits:
    def __init__(self, db: MemoryDatabase, collisions: int = 0) -> None:
        self.db = db
        self.collisions = collisions
        self.opened = 0

    def __call__(self, *, read_only: bool = False) -> Any:
        if read_only:  # reads never collide
            return self.db.unit_of_work(read_only=True)
        self.opened += 1
        return _CollidingUnit(self)


class _CollidingUnit:
    def __init__(self, factory: CollidingUnits) -> None:
        self._factory = factory
        self._inner = factory.db.unit_of_work()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> _CollidingUnit:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        if self._factory.collisions > 0:
            self._factory.collisions -= 1
            await self._inner.rollback()
            raise DuplicateKey("a concurrent sign-in took the key first")
        await self._inner.commit()
