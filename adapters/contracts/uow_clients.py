"""Unit-of-work contract, part 5: resource-server clients."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.contracts._support import RowCounts, counts
from adapters.contracts.uow_support import UnitOfWorkFixtures, committed, refused_as_duplicate
from core.model import ResourceClient
from core.ports.unit_of_work import UnitOfWorkFactory

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def client(name: str = "notes-api") -> ResourceClient:
    return ResourceClient(name, "ab" * 32, WHEN)


class ResourceClientContract(UnitOfWorkFixtures):
    async def test_a_client_round_trips_and_lists_by_id(self, uow_factory: UnitOfWorkFactory) -> None:
        await committed(uow_factory, lambda uow: uow.clients.add(client("z-api")),
                        lambda uow: uow.clients.add(client("a-api")))
        async with uow_factory(read_only=True) as uow:
            assert await uow.clients.get("a-api") == client("a-api")
            assert await uow.clients.get("nobody") is None
            assert [c.id for c in await uow.clients.list()] == ["a-api", "z-api"]

    async def test_a_client_id_is_unique(self, uow_factory: UnitOfWorkFactory) -> None:
        await committed(uow_factory, lambda uow: uow.clients.add(client()))
        await refused_as_duplicate(uow_factory, lambda uow: uow.clients.add(client()))

    async def test_remove_says_whether_there_was_one(
        self, uow_factory: UnitOfWorkFactory, row_counts: RowCounts
    ) -> None:
        await committed(uow_factory, lambda uow: uow.clients.add(client()))
        before = await counts(row_counts)
        async with uow_factory() as uow:
            assert await uow.clients.remove("notes-api") is True
            assert await uow.clients.remove("notes-api") is False
            await uow.commit()
        assert (await counts(row_counts))["clients"] == before["clients"] - 1
        async with uow_factory() as uow:
            assert await uow.clients.get("notes-api") is None
