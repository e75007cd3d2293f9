"""In-memory repository of resource-server clients."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from adapters.memory.schema import Tables
from core.model import ResourceClient


class MemoryResourceClientRepository:
    """`ResourceClientRepository` over a unit's working set; ids are unique."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def get(self, client_id: str) -> ResourceClient | None:
        return self._tables().clients.get(client_id)

    async def add(self, client: ResourceClient) -> None:
        self._tables().clients.insert(client)

    async def remove(self, client_id: str) -> bool:
        clients = self._tables().clients
        if clients.get(client_id) is None:
            return False
        clients.delete(client_id)
        return True

    async def list(self) -> Sequence[ResourceClient]:
        return sorted(self._tables().clients.rows(), key=lambda c: c.id)
