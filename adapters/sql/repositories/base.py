"""What every SQL repository shares: one connection (the unit of work's transaction) and
error translation around each statement."""
from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.errors import translated


class SqlRepository:
    """Base of the repositories; each statement runs in the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection):
        self._connection = connection

    async def _execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        with translated():
            if parameters is None:
                return await self._connection.execute(statement)
            return await self._connection.execute(statement, parameters)

    async def _update_one(self, statement: Executable, key: object) -> None:
        """Run an UPDATE meant to touch exactly one row; `KeyError` when none matched."""
        result = await self._execute(statement)
        if result.rowcount == 0:
            raise KeyError(key)
