"""Who may do what in a workspace: invites, roles and members (issue 17).

Every rule takes the actor's *standing* in the workspace (their role, or the operator's
command line, which may do anything a rule allows an owner) and raises `AdminError` when
the answer is no. The rules, in one place:

- invites are made, listed and revoked by owners, and by editors when the workspace
  allows it (`Workspace.editors_invite`); nobody grants or revokes a role above their own;
- members are listed by owners and editors; other members' roles are changed, and other
  members removed, by owners only, and never above the owner's own role;
- anybody may lower their own role or leave; nobody raises their own role;
- a workspace always keeps at least one owner.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.emails import email_domain
from core.errors import AdminError, AdminErrorCode
from core.model import Membership, Role, User, Workspace
from core.policy import ANY_VERIFIED_USER

OWNER = "owner"
EDITOR = "editor"
MAX_NAME = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Actor:
    """Who asks: a signed-in user (`user_id`), or the operator (`user_id=None`, the command
    line). `correlation_id` ties the audit row to the request."""

    user_id: str | None
    correlation_id: str = "-"

    @classmethod
    def operator(cls, correlation_id: str = "cli") -> Actor:
        return cls(None, correlation_id)

    @property
    def is_operator(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True)
class Standing:
    """The actor's place in one workspace: `role` (None for the operator)."""

    actor: Actor
    role: Role | None

    @property
    def rank(self) -> int | None:
        """None for the operator, who has no ceiling."""
        return None if self.role is None else self.role.rank

    def is_(self, name: str) -> bool:
        return self.actor.is_operator or (self.role is not None and self.role.name == name)

    def is_self(self, user_id: str) -> bool:
        return self.actor.user_id == user_id


def _refuse(code: AdminErrorCode, detail: str) -> AdminError:
    return AdminError(code, detail)


def rank_of(roles: Mapping[str, Role], name: str) -> int:
    """The rank of role `name`; 0 for a role that no longer exists."""
    role = roles.get(name)
    return 0 if role is None else role.rank


def _above_ceiling(standing: Standing, rank: int) -> bool:
    ceiling = standing.rank
    return ceiling is not None and rank > ceiling


def may_manage_invites(standing: Standing, workspace: Workspace) -> bool:
    """Owners, and editors when the workspace lets its editors invite."""
    return standing.is_(OWNER) or (workspace.editors_invite and standing.is_(EDITOR))


def check_manage_invites(standing: Standing, workspace: Workspace) -> None:
    if not may_manage_invites(standing, workspace):
        raise _refuse(AdminErrorCode.FORBIDDEN, "your role may not manage this workspace's invites")


def check_invite(standing: Standing, workspace: Workspace, role: Role) -> None:
    """May the actor invite someone with `role`? Never above the inviter's own role."""
    check_manage_invites(standing, workspace)
    if _above_ceiling(standing, role.rank):
        raise _refuse(AdminErrorCode.ROLE_TOO_HIGH, "an invite may not grant a role above your own")


def check_revoke(standing: Standing, workspace: Workspace, invite_rank: int) -> None:
    """May the actor revoke an invite granting a role of `invite_rank`?"""
    check_manage_invites(standing, workspace)
    if _above_ceiling(standing, invite_rank):
        raise _refuse(AdminErrorCode.ROLE_TOO_HIGH, "an invite for a role above your own")


def check_list_members(standing: Standing) -> None:
    if not (standing.is_(OWNER) or standing.is_(EDITOR)):
        raise _refuse(AdminErrorCode.FORBIDDEN, "your role may not list this workspace's members")


def check_owner(standing: Standing, what: str) -> None:
    if not standing.is_(OWNER):
        raise _refuse(AdminErrorCode.FORBIDDEN, f"only an owner may {what}")


def owners_among(memberships: Iterable[Membership]) -> int:
    return sum(1 for m in memberships if m.role == OWNER)


def check_role_change(
    standing: Standing,
    target: Membership,
    new_role: Role,
    roles: Mapping[str, Role],
    owners: int,
) -> None:
    """May the actor give `target` the role `new_role`? `owners` counts the workspace's
    owners now (the target included)."""
    current = rank_of(roles, target.role)
    if standing.is_self(target.user_id):
        if new_role.rank > current:
            raise _refuse(AdminErrorCode.OWN_ROLE, "nobody raises their own role")
    else:
        check_owner(standing, "change another member's role")
        if _above_ceiling(standing, max(current, new_role.rank)):
            raise _refuse(AdminErrorCode.ROLE_TOO_HIGH, "a role above your own")
    if target.role == OWNER and new_role.name != OWNER and owners <= 1:
        raise _refuse(AdminErrorCode.LAST_OWNER, "a workspace keeps at least one owner")


def check_removal(
    standing: Standing, target: Membership, roles: Mapping[str, Role], owners: int
) -> None:
    """May the actor remove `target` from the workspace? Anybody may leave."""
    if not standing.is_self(target.user_id):
        check_owner(standing, "remove another member")
        if _above_ceiling(standing, rank_of(roles, target.role)):
            raise _refuse(AdminErrorCode.ROLE_TOO_HIGH, "a member above your own role")
    if target.role == OWNER and owners <= 1:
        raise _refuse(AdminErrorCode.LAST_OWNER, "a workspace keeps at least one owner")


def may_create_workspace(user: User, creators: Iterable[str]) -> bool:
    """Whether `user` may create a workspace: the operator lists who may (nobody by
    default), as any verified user (`*`) or verified email domains."""
    allowed = set(creators)
    if user.email is None or user.disabled:
        return False
    return ANY_VERIFIED_USER in allowed or email_domain(user.email) in allowed


def clean_workspace_name(raw: str) -> str:
    """A workspace's name: trimmed, 1 to 100 characters, no control characters."""
    name = raw.strip()
    if not name or len(name) > MAX_NAME or _CONTROL.search(name):
        raise _refuse(AdminErrorCode.INVALID_REQUEST, "a workspace name has 1 to 100 characters")
    return name
