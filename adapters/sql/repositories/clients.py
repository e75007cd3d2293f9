"""Resource-server clients (introspection credentials), by id; only secret hashes."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import RowMapping, delete, insert, select

from adapters.sql.repositories.base import SqlRepository
from adapters.sql.tables import resource_clients
from core.model import ResourceClient


def _client(row: RowMapping) -> ResourceClient:
    return ResourceClient(id=row["id"], secret_hash=row["secret_hash"], created_at=row["created_at"])


class SqlResourceClientRepository(SqlRepository):
    async def get(self, client_id: str) -> ResourceClient | None:
        statement = select(resource_clients).where(resource_clients.c.id == client_id)
        row = (await self._execute(statement)).mappings().first()
        return None if row is None else _client(row)

    async def add(self, client: ResourceClient) -> None:
        await self._execute(insert(resource_clients).values(
            id=client.id, secret_hash=client.secret_hash, created_at=client.created_at))

    async def remove(self, client_id: str) -> bool:
        statement = delete(resource_clients).where(resource_clients.c.id == client_id)
        return bool((await self._execute(statement)).rowcount)

    async def list(self) -> Sequence[ResourceClient]:
        statement = select(resource_clients).order_by(resource_clients.c.id)
        return [_client(row) for row in (await self._execute(statement)).mappings()]
