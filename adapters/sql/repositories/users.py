"""Users and their accounts."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, insert, select, update

from adapters.sql.repositories.base import SqlRepository
from adapters.sql.tables import user_accounts, users
from core.model import User, UserAccount


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        display_email=row["display_email"],
        display_name=row["display_name"],
        created_at=row["created_at"],
        disabled=bool(row["disabled"]),
        last_workspace_id=row["last_workspace_id"],
    )


def _user_values(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_email": user.display_email,
        "display_name": user.display_name,
        "created_at": user.created_at,
        "disabled": user.disabled,
        "last_workspace_id": user.last_workspace_id,
    }


class SqlUserRepository(SqlRepository):
    """Users; `email` holds only verified addresses, unique among users that have one."""

    async def get(self, user_id: str) -> User | None:
        row = (await self._execute(select(users).where(users.c.id == user_id))).mappings().first()
        return None if row is None else _user(row)

    async def by_email(self, email: str) -> User | None:
        # NULL never equals anything: users created from untrusted addresses are not found
        result = await self._execute(select(users).where(users.c.email == email))
        row = result.mappings().first()
        return None if row is None else _user(row)

    async def add(self, user: User) -> None:
        await self._execute(insert(users).values(id=user.id, **_user_values(user)))

    async def set_last_workspace(self, user_id: str, workspace_id: int | None) -> None:
        statement = update(users).where(users.c.id == user_id).values(last_workspace_id=workspace_id)
        await self._update_one(statement, user_id)

    async def disable(self, user_id: str) -> None:
        await self._update_one(update(users).where(users.c.id == user_id).values(disabled=True), user_id)

    async def enable(self, user_id: str) -> None:
        await self._update_one(update(users).where(users.c.id == user_id).values(disabled=False), user_id)

    async def list(self) -> Sequence[User]:
        result = await self._execute(select(users).order_by(users.c.created_at, users.c.id))
        return [_user(row) for row in result.mappings()]


def _account(row: RowMapping) -> UserAccount:
    return UserAccount(
        id=row["id"],
        user_id=row["user_id"],
        issuer=row["issuer"],
        object_id=row["object_id"],
        tenant_id=row["tenant_id"],
        provider_id=row["provider_id"],
        directory_id=row["directory_id"],
        email=row["email"],
        display_name=row["display_name"],
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
    )


def _account_values(account: UserAccount) -> dict[str, Any]:
    return {
        "user_id": account.user_id,
        "issuer": account.issuer,
        "object_id": account.object_id,
        "tenant_id": account.tenant_id,
        "provider_id": account.provider_id,
        "directory_id": account.directory_id,
        "email": account.email,
        "display_name": account.display_name,
        "created_at": account.created_at,
        "last_login_at": account.last_login_at,
    }


class SqlAccountRepository(SqlRepository):
    """User accounts, unique by (issuer, object id)."""

    async def by_key(self, issuer: str, object_id: str) -> UserAccount | None:
        statement = select(user_accounts).where(
            user_accounts.c.issuer == issuer, user_accounts.c.object_id == object_id
        )
        row = (await self._execute(statement)).mappings().first()
        return None if row is None else _account(row)

    async def for_user(self, user_id: str) -> Sequence[UserAccount]:
        statement = (
            select(user_accounts)
            .where(user_accounts.c.user_id == user_id)
            .order_by(user_accounts.c.created_at, user_accounts.c.id)
        )
        return [_account(row) for row in (await self._execute(statement)).mappings()]

    async def add(self, account: UserAccount) -> None:
        await self._execute(insert(user_accounts).values(id=account.id, **_account_values(account)))

    async def update(self, account: UserAccount) -> None:
        statement = (
            update(user_accounts)
            .where(user_accounts.c.id == account.id)
            .values(**_account_values(account))
        )
        await self._update_one(statement, account.id)
