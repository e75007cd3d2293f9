"""The schema of the in-memory database: every table with its keys, as one value."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from adapters.memory.table import Table
from core.model import (
    AuditEvent,
    IdentityProvider,
    Invite,
    Membership,
    ResourceClient,
    Role,
    RoleMapping,
    Session,
    User,
    UserAccount,
    UserDirectory,
    Workspace,
)


@dataclass
class Tables:
    """One consistent state of every table (the committed one, or a unit's working set)."""

    users: Table[str, User]
    accounts: Table[str, UserAccount]
    directories: Table[str, UserDirectory]
    providers: Table[str, IdentityProvider]
    workspaces: Table[int, Workspace]
    roles: Table[int, Role]
    memberships: Table[tuple[str, int], Membership]
    invites: Table[str, Invite]
    sessions: Table[str, Session]
    role_mappings: Table[str, RoleMapping]
    audit_events: Table[str, AuditEvent]
    clients: Table[str, ResourceClient]
    # Like a database sequence: ids of removed workspaces are never handed out again, so
    # their invites can never be applied to a newcomer.
    next_workspace_id: int = 1

    @classmethod
    def empty(cls) -> Tables:
        return cls(
            users=Table("users", lambda u: u.id, {"email": lambda u: (u.email,) if u.email else ()}),
            accounts=Table(
                "accounts", lambda a: a.id, {"issuer_object_id": lambda a: ((a.issuer, a.object_id),)}
            ),
            # `None` is a value like any other here: one directory per domain, one default.
            directories=Table("directories", lambda d: d.id, {"domain": lambda d: (d.domain,)}),
            providers=Table(
                "providers", lambda p: p.id, {"issuer": lambda p: (p.issuer,), "domain": lambda p: p.domains}
            ),
            workspaces=Table("workspaces", lambda w: w.id),
            roles=Table("roles", lambda r: r.id, {"name": lambda r: (r.name,)}),
            memberships=Table("memberships", lambda m: (m.user_id, m.workspace_id)),
            invites=Table("invites", lambda i: i.id),
            sessions=Table("sessions", lambda s: s.id),
            role_mappings=Table(
                "role_mappings", lambda m: m.id,
                {"rule": lambda m: ((m.provider_id, m.source, m.value, m.workspace_id),)},
            ),
            audit_events=Table("audit_events", lambda e: e.id),
            clients=Table("clients", lambda c: c.id),
        )

    def fork(self) -> Tables:
        forks: dict[str, Any] = {
            f.name: getattr(self, f.name).fork() for f in fields(self) if f.name != "next_workspace_id"
        }
        return replace(self, **forks)

    def counts(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in fields(self) if f.name != "next_workspace_id"}
