"""The rule of a resource server's requirement: a workspace, and optionally a role in it."""
from __future__ import annotations

from core.access import Principal


def satisfies(principal: Principal, workspace_id: int | None, role: str | None) -> bool:
    """Whether the principal may pass a check that asks for `workspace_id` (any membership
    there) and, with `role`, that role or a higher one by the roles' ranks (owner > editor >
    viewer). No requirement: any open session passes. A role nobody defined is never held.
    A role without a workspace is a malformed requirement; callers refuse it before asking."""
    if workspace_id is None:
        return role is None
    grant = next((g for g in principal.grants if g.workspace_id == workspace_id), None)
    if grant is None:
        return False
    if role is None:
        return True
    needed = principal.rank_of(role)
    return needed is not None and grant.rank >= needed
