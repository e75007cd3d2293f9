"""In-memory repositories of users and their accounts."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from adapters.memory.schema import Tables
from core.model import User, UserAccount


class MemoryUserRepository:
    """`UserRepository` over a unit's working set. Only verified emails are indexed, so
    `by_email` never finds a user created from an untrusted address."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def get(self, user_id: str) -> User | None:
        return self._tables().users.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return self._tables().users.find("email", email)

    async def add(self, user: User) -> None:
        self._tables().users.insert(user)

    async def set_last_workspace(self, user_id: str, workspace_id: int | None) -> None:
        await self._change(user_id, last_workspace_id=workspace_id)

    async def disable(self, user_id: str) -> None:
        await self._change(user_id, disabled=True)

    async def enable(self, user_id: str) -> None:
        await self._change(user_id, disabled=False)

    async def _change(self, user_id: str, **fields: object) -> None:
        users = self._tables().users
        user = users.get(user_id)
        if user is None:
            raise KeyError(user_id)
        users.replace(replace(user, **fields))  # type: ignore[arg-type]

    async def list(self) -> Sequence[User]:
        return sorted(self._tables().users.rows(), key=lambda u: (u.created_at, u.id))


class MemoryAccountRepository:
    """`AccountRepository` over a unit's working set; (issuer, object id) is unique."""

    def __init__(self, tables: Callable[[], Tables]) -> None:
        self._tables = tables

    async def by_key(self, issuer: str, object_id: str) -> UserAccount | None:
        return self._tables().accounts.find("issuer_object_id", (issuer, object_id))

    async def for_user(self, user_id: str) -> Sequence[UserAccount]:
        accounts = [a for a in self._tables().accounts.rows() if a.user_id == user_id]
        return sorted(accounts, key=lambda a: (a.created_at, a.id))

    async def add(self, account: UserAccount) -> None:
        self._tables().accounts.insert(account)

    async def update(self, account: UserAccount) -> None:
        self._tables().accounts.replace(account)
