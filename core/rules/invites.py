"""Accept links: a random secret bound to one invite, kept only as a hash, used once.

The link's token is `{invite id}.{secret}`. The store keeps SHA-256 of
`{invite id}:{secret}`, so a token opens only the invite it was made for, and a copy of
the database opens none. A wrong secret, an unknown invite and an invite without a link all
answer `invite_invalid`: nobody learns an invite's state without its secret.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from core.errors import AdminError, AdminErrorCode
from core.model import Invite, InviteStatus, Membership, Role, User

MAX_TOKEN = 512


class InviteState(StrEnum):
    """An invite as its workspace's people see it."""

    PENDING = "pending"
    ACCEPTED = "accepted"    # accepted (by the link or the operator), applied or not
    REVOKED = "revoked"
    EXPIRED = "expired"      # never accepted in time


def invite_state(invite: Invite, now: datetime) -> InviteState:
    if invite.status is InviteStatus.REVOKED:
        return InviteState.REVOKED
    if invite.status is InviteStatus.APPLIED:
        return InviteState.ACCEPTED
    if invite.expires_at is not None and invite.expires_at <= now:
        return InviteState.EXPIRED
    if invite.status is InviteStatus.ACCEPTED:
        return InviteState.ACCEPTED
    return InviteState.PENDING


def token_digest(invite_id: str, secret: str) -> str:
    return hashlib.sha256(f"{invite_id}:{secret}".encode()).hexdigest()


def accept_token(invite_id: str, secret: str) -> str:
    return f"{invite_id}.{secret}"


def split_token(token: str) -> tuple[str, str]:
    """(invite id, secret) of an accept token; `invite_invalid` when it is not one."""
    invite_id, dot, secret = token.strip().partition(".")
    if not dot or not invite_id or not secret or len(token) > MAX_TOKEN:
        raise AdminError(AdminErrorCode.INVITE_INVALID, "not an accept token")
    return invite_id, secret


def check_acceptable(invite: Invite | None, secret: str, user: User, now: datetime) -> Invite:
    """The invite `secret` opens, if `user` may accept it now; otherwise `AdminError`:
    `invite_invalid` (wrong secret, unknown invite, no link), then `invite_revoked`,
    `invite_used`, `invite_expired`, then `email_unverified` or `email_mismatch`."""
    stored = None if invite is None else invite.token_hash
    if invite is None or stored is None or not hmac.compare_digest(
        stored, token_digest(invite.id, secret)
    ):
        raise AdminError(AdminErrorCode.INVITE_INVALID, "no invite for this token")
    state = invite_state(invite, now)
    if state is InviteState.REVOKED:
        raise AdminError(AdminErrorCode.INVITE_REVOKED, "the invite was revoked")
    if state is InviteState.ACCEPTED:
        raise AdminError(AdminErrorCode.INVITE_USED, "the invite was accepted already")
    if state is InviteState.EXPIRED:
        raise AdminError(AdminErrorCode.INVITE_EXPIRED, "the invite has expired")
    if user.email is None:
        raise AdminError(AdminErrorCode.EMAIL_UNVERIFIED, "the signed-in user has no verified email")
    if user.email != invite.email:
        raise AdminError(AdminErrorCode.EMAIL_MISMATCH, "the invite is for another address")
    return invite


def accepted(invite: Invite, user: User, now: datetime) -> Invite:
    """The invite once accepted by `user`: recorded as applied, so the sign-in rule (which
    applies accepted, unapplied invites) never grants it a second time."""
    return replace(invite, status=InviteStatus.APPLIED, applied_at=now, applied_user_id=user.id)


def granted(
    user: User, invite: Invite, held: Membership | None, role: Role, roles: Mapping[str, Role],
    now: datetime,
) -> Membership:
    """The membership accepting `invite` leaves: `held` itself when its role is as high
    already (an invite never lowers a role), else `held` raised, else a new one."""
    if held is None:
        return Membership(user.id, invite.workspace_id, role.name, now)
    current = roles.get(held.role)
    if current is not None and current.rank >= role.rank:
        return held
    return replace(held, role=role.name)
