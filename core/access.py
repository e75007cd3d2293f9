"""Who a session token speaks for, as the database last confirmed it: the value the
forward-auth check (`/auth/verify`), introspection and `/me` answer from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.identity import SessionClaims
from core.model import Session, User


@dataclass(frozen=True)
class Grant:
    """One membership with its role's rank (a higher rank grants more)."""

    workspace_id: int
    role: str
    rank: int


@dataclass(frozen=True)
class Principal:
    """An open session, its user and the user's grants, as read from the database at
    `confirmed_at`. `ranks` is every role's rank by name (the roles' order at that moment).
    A principal is a snapshot: it vouches for nothing once it is older than the revocation
    bound (see `core.ports.principals`)."""

    session: Session
    user: User
    grants: tuple[Grant, ...]
    ranks: tuple[tuple[str, int], ...]
    confirmed_at: datetime

    def rank_of(self, role: str) -> int | None:
        return dict(self.ranks).get(role)


@dataclass(frozen=True)
class Access:
    """A token that passed the check: its claims and the principal it speaks for."""

    claims: SessionClaims
    principal: Principal
