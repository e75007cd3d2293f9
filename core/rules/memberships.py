"""Rule 5: accepted invites become workspace roles (rule 6, the landing: core.rules.landing)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from core.model import GrantOrigin, Invite, InviteStatus, Membership, Role, User


@dataclass(frozen=True)
class InviteGrants:
    """Memberships to add or raise, invites now applied, and every membership after."""

    added: tuple[Membership, ...] = ()
    raised: tuple[Membership, ...] = ()
    applied: tuple[Invite, ...] = ()
    memberships: tuple[Membership, ...] = ()


def grant_invites(
    user: User,
    invites: Iterable[Invite],
    memberships: Iterable[Membership],
    roles: Mapping[str, Role],
    now: datetime,
) -> InviteGrants:
    """Each applicable invite for the user's verified email grants its role once; an existing
    higher role is never lowered. Invites for another address, for a user without a verified
    email, or naming an unknown role, are left alone."""
    current = {m.workspace_id: m for m in memberships}
    if user.email is None:
        return InviteGrants(memberships=tuple(current.values()))
    added: dict[int, Membership] = {}
    raised: dict[int, Membership] = {}
    applied: list[Invite] = []
    for invite in sorted(invites, key=lambda i: (i.created_at, i.id)):
        role = roles.get(invite.role)
        if invite.email != user.email or not invite.applicable(now) or role is None:
            continue
        held = current.get(invite.workspace_id)
        if held is None:
            granted = Membership(user.id, invite.workspace_id, role.name, now)
            added[invite.workspace_id] = current[invite.workspace_id] = granted
        elif _rank(roles, held.role) < role.rank:
            # an invite above what a role mapping granted: the role is the invite's now
            granted = replace(held, role=role.name, origin=GrantOrigin.DIRECT, base_role=None)
            target = added if invite.workspace_id in added else raised
            target[invite.workspace_id] = current[invite.workspace_id] = granted
        applied.append(
            replace(invite, status=InviteStatus.APPLIED, applied_at=now, applied_user_id=user.id)
        )
    return InviteGrants(
        tuple(added.values()), tuple(raised.values()), tuple(applied), tuple(current.values())
    )


def _rank(roles: Mapping[str, Role], name: str) -> int:
    role = roles.get(name)
    return role.rank if role is not None else 0
