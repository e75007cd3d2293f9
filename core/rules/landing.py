"""Rule 6: where a sign-in lands, the one room for it. The workspace (the most recently
used one, else the lowest id), the path the frontend opens, and the origin the browser goes
to, validated against the allow-list here and nowhere else.

"Most recently used" is what the user last chose: a sign-in records the workspace it
lands in, and so does a switch (`SwitchWorkspace`, `POST /me/workspace`), so the next
sign-in lands where the user last worked.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.errors import SignInError
from core.model import Membership, User
from core.navigation import match_origin


@dataclass(frozen=True)
class Landing:
    """Where the browser goes after a sign-in: `{origin}/redirect-uri?uri={path}`.
    `host_not_allowed`: the workspace's registered host is not on the allow-list, so the
    first allowed origin stands in (worth a warning to the operator)."""

    origin: str
    path: str
    host_not_allowed: bool = False


def choose_landing(user: User, memberships: Iterable[Membership]) -> int | None:
    """The user's most recently used workspace if still a member, else the lowest id; None
    when the user belongs to no workspace."""
    ids = sorted({m.workspace_id for m in memberships})
    if not ids:
        return None
    if user.last_workspace_id in ids:
        return user.last_workspace_id
    return ids[0]


def landing_path(workspace_id: int | None, deep_link: str | None) -> str:
    """The path the frontend opens after sign-in: the login's deep link (already checked
    same-site at its start), else the workspace's home, else `/no-workspace`."""
    if deep_link:
        return deep_link
    return f"/workspace/{workspace_id}/home" if workspace_id is not None else "/no-workspace"


def landing_origin(candidate: str | None, allowed: Sequence[str]) -> tuple[str, bool]:
    """`candidate` when it is an allowed origin (returned canonical), else the first allowed
    origin; the flag says a named origin was refused. A workspace's registered host is
    operator data, not the allow-list, so it is checked like any other candidate."""
    try:
        return match_origin(candidate, allowed), False
    except SignInError:
        return allowed[0], candidate is not None


def land(
    login_origin: str | None,
    workspace_id: int | None,
    workspace_host: str | None,
    deep_link: str | None,
    allowed: Sequence[str],
) -> Landing:
    """The landing of a finished sign-in: the login's own origin (validated at its start,
    validated again here: the allow-list may have changed since), else the landing
    workspace's host, else the first allowed origin."""
    origin, refused = landing_origin(login_origin or workspace_host, allowed)
    return Landing(origin, landing_path(workspace_id, deep_link), refused)


def error_origin(login_origin: str | None, allowed: Sequence[str]) -> str | None:
    """Where a failed sign-in sends the browser back: the login's origin when its flow was
    found, else the only allowed origin if there is exactly one; None means a plain page
    (no trusted origin is known)."""
    if login_origin is not None:
        return login_origin
    return allowed[0] if len(allowed) == 1 else None
