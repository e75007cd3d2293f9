"""App roles and groups become workspace roles: a provider's role mappings applied at
every sign-in (design §3, after the invites).

The mapping owns only what it granted. A membership granted by an invite or an operator
(`GrantOrigin.DIRECT`) is never lowered or removed by it; a mapping may raise one, and then
remembers the role it raised (`base_role`) so that losing the app role or group gives it
back instead of removing the membership.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from core.model import GrantOrigin, MappingSource, Membership, Role, RoleMapping


@dataclass(frozen=True)
class MappingGrants:
    """Memberships to add, to change (same user and workspace, new role or origin) and to
    remove, and every membership after."""

    added: tuple[Membership, ...] = ()
    changed: tuple[Membership, ...] = ()
    removed: tuple[Membership, ...] = ()
    memberships: tuple[Membership, ...] = ()


def mapped_roles(
    mappings: Iterable[RoleMapping],
    app_roles: Iterable[str],
    groups: Iterable[str],
    roles: Mapping[str, Role],
) -> dict[int, str]:
    """For each workspace, the highest role the identity's app roles and groups map to
    (mappings naming an unknown role are ignored; on equal rank, the first role name)."""
    held = {MappingSource.APP_ROLE: set(app_roles), MappingSource.GROUP: {g.lower() for g in groups}}
    wanted: dict[int, str] = {}
    for mapping in mappings:
        role = roles.get(mapping.role)
        value = mapping.value.lower() if mapping.source is MappingSource.GROUP else mapping.value
        if role is None or value not in held[mapping.source]:
            continue
        current = wanted.get(mapping.workspace_id)
        if current is None or (role.rank, current) > (roles[current].rank, role.name):
            wanted[mapping.workspace_id] = role.name
    return wanted


def apply_role_mappings(
    user_id: str,
    memberships: Iterable[Membership],
    wanted: Mapping[int, str],
    roles: Mapping[str, Role],
    now: datetime,
) -> MappingGrants:
    """Bring the user's memberships in line with `wanted` (workspace -> role, from
    `mapped_roles`): roles gained are granted, roles lost are taken back, but only what a
    mapping granted; a higher role is never lowered by the mapping."""
    current = {m.workspace_id: m for m in memberships}
    added: list[Membership] = []
    changed: list[Membership] = []
    removed: list[Membership] = []
    for workspace_id in sorted(set(current) | set(wanted)):
        held = current.get(workspace_id)
        role = wanted.get(workspace_id)
        after = _reconcile(user_id, workspace_id, held, role, roles, now)
        if after == held:
            continue
        if after is None:
            assert held is not None  # after differs from held: something was held
            removed.append(held)
            del current[workspace_id]
            continue
        (added if held is None else changed).append(after)
        current[workspace_id] = after
    ordered = tuple(current[w] for w in sorted(current))
    return MappingGrants(tuple(added), tuple(changed), tuple(removed), ordered)


def _reconcile(
    user_id: str,
    workspace_id: int,
    held: Membership | None,
    role: str | None,
    roles: Mapping[str, Role],
    now: datetime,
) -> Membership | None:
    if held is None:
        return None if role is None else Membership(user_id, workspace_id, role, now, GrantOrigin.MAPPING)
    if held.origin is GrantOrigin.DIRECT:
        if role is None or _rank(roles, role) <= _rank(roles, held.role):
            return held
        return replace(held, role=role, origin=GrantOrigin.MAPPING, base_role=held.role)
    # granted by the mapping: it follows the mapping, never below the direct role it raised
    base = held.base_role
    if role is None or (base is not None and _rank(roles, base) >= _rank(roles, role)):
        if base is None:
            return None
        return replace(held, role=base, origin=GrantOrigin.DIRECT, base_role=None)
    return held if held.role == role else replace(held, role=role)


def _rank(roles: Mapping[str, Role], name: str) -> int:
    role = roles.get(name)
    return role.rank if role is not None else 0
