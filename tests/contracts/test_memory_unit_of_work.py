from __future__ import annotations

import pytest

from adapters.contracts.unit_of_work import UnitOfWorkContract
from adapters.memory import MemoryDatabase


class TestMemoryUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def database(self) -> MemoryDatabase:
        return MemoryDatabase()

    @pytest.fixture
    def uow_factory(self, database: MemoryDatabase):
        return database.unit_of_work

    @pytest.fixture
    def row_counts(self, database: MemoryDatabase):
        return database.row_counts
