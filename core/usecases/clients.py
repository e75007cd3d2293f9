"""Use cases about resource-server clients: the credentials of token introspection.

A client's secret is 256 random bits, shown once at creation and kept only as its SHA-256:
with that much entropy a slow password hash adds nothing, and a leaked table gives no
usable secret. Checking one compares hashes in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.errors import DuplicateKey, ErrorCode, InvalidClient, SignInError
from core.model import ResourceClient
from core.ports import Clock, IdGenerator, UnitOfWorkFactory

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# compared against when the client is unknown, so both failures take the same time
_NOBODY = hashlib.sha256(b"no such client").hexdigest()


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewClient:
    client: ResourceClient
    secret: str = field(repr=False)


class ResourceClients:
    """Add, list, remove and authenticate resource-server clients."""

    def __init__(self, uow: UnitOfWorkFactory, ids: IdGenerator, clock: Clock) -> None:
        self._uow = uow
        self._ids = ids
        self._clock = clock

    async def add(self, name: str) -> NewClient:
        """A new client named `name` (its client id) with a fresh secret. Raises
        `SignInError(invalid_request)` for a malformed or taken name."""
        if not _NAME.fullmatch(name):
            raise SignInError(ErrorCode.INVALID_REQUEST,
                              "a client name is 1-64 letters, digits, '.', '_' or '-'")
        secret = self._ids.secret()
        client = ResourceClient(name, secret_hash(secret), self._clock.now())
        try:
            async with self._uow() as uow:
                await uow.clients.add(client)
                await uow.commit()
        except DuplicateKey:
            raise SignInError(ErrorCode.INVALID_REQUEST, f"a client named {name!r} exists") from None
        return NewClient(client, secret)

    async def list(self) -> Sequence[ResourceClient]:
        async with self._uow(read_only=True) as uow:
            return await uow.clients.list()

    async def remove(self, name: str) -> None:
        """Raises `SignInError(invalid_request)` when there is no such client."""
        async with self._uow() as uow:
            removed = await uow.clients.remove(name)
            await uow.commit()
        if not removed:
            raise SignInError(ErrorCode.INVALID_REQUEST, f"no client named {name!r}")

    async def authenticate(self, client_id: str, secret: str) -> ResourceClient:
        """The client whose id and secret these are; `InvalidClient` otherwise."""
        async with self._uow(read_only=True) as uow:
            client = await uow.clients.get(client_id) if client_id else None
        expected = client.secret_hash if client is not None else _NOBODY
        matches = hmac.compare_digest(expected, secret_hash(secret))
        if client is None or not matches:
            raise InvalidClient("client authentication failed")
        return client
