"""The JSON shapes of the workspace API (bodies in, answers out) and their OpenAPI
documentation: the bearer security scheme and, per route, the error codes it can answer."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar.openapi import ResponseSpec

from core.errors import AdminErrorCode
from core.model import AuditEvent, Invite, Workspace
from core.rules.invites import InviteState
from core.usecases.members import MemberView
from entrypoints.web.answers import ADMIN_STATUS
from entrypoints.web.openapi_shapes import ErrorOut

BEARER = "BearerToken"
SECURITY: list[dict[str, list[str]]] = [{BEARER: []}]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Origin = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
RoleName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Token = Annotated[str, msgspec.Meta(min_length=3, max_length=512)]


class NewWorkspaceBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    name: Name
    frontend_host: Origin


class WorkspaceChangesBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    name: Name | None = None
    frontend_host: Origin | None = None
    editors_invite: bool | None = None


class NewInviteBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    email: Email
    role: RoleName


class AcceptBody(msgspec.Struct, forbid_unknown_fields=True):
    token: Token


class RoleBody(msgspec.Struct, forbid_unknown_fields=True):
    role: RoleName


class WorkspaceSwitchBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    workspace_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class WorkspaceOut(msgspec.Struct, rename="camel"):
    id: int
    name: str
    frontend_host: str
    editors_invite: bool
    role: str | None = None


class InviteOut(msgspec.Struct, rename="camel"):
    id: str
    workspace_id: int
    email: str
    role: str
    state: str
    created_at: datetime
    expires_at: datetime | None
    invited_by: str | None
    accepted_by: str | None
    accept_url: str | None = None  # only in the answer that creates the invite


class MemberOut(msgspec.Struct, rename="camel"):
    user_id: str
    display_name: str
    email: str | None
    role: str
    since: datetime


class AcceptedOut(msgspec.Struct, rename="camel"):
    workspace_id: int
    user_id: str
    role: str
    since: datetime


class RemovedOut(msgspec.Struct, rename="camel"):
    user_id: str
    workspace_id: int
    invites_revoked: int


class AuditOut(msgspec.Struct, rename="camel"):
    id: str
    at: datetime
    actor_id: str | None
    action: str
    workspace_id: int
    target: str
    details: dict[str, str]
    correlation_id: str


def workspace_out(workspace: Workspace, role: str | None = None) -> WorkspaceOut:
    return WorkspaceOut(workspace.id, workspace.name, workspace.frontend_host, workspace.editors_invite, role)


def invite_out(invite: Invite, state: InviteState, accept_url: str | None = None) -> InviteOut:
    return InviteOut(
        id=invite.id, workspace_id=invite.workspace_id, email=invite.email, role=invite.role,
        state=state.value, created_at=invite.created_at, expires_at=invite.expires_at,
        invited_by=invite.invited_by, accepted_by=invite.applied_user_id, accept_url=accept_url,
    )


def member_out(member: MemberView) -> MemberOut:
    return MemberOut(member.user_id, member.display_name, member.email, member.role, member.since)


def audit_out(event: AuditEvent) -> AuditOut:
    return AuditOut(
        event.id, event.at, event.actor_id, event.action, event.workspace_id, event.target,
        dict(event.details), event.correlation_id,
    )


def errors(*codes: AdminErrorCode) -> dict[int, ResponseSpec]:
    """OpenAPI responses of a route: 401 (`invalid_token`), 503 (`temporarily_unavailable`)
    and the given codes, grouped by status."""
    by_status: dict[int, list[str]] = {
        401: ["invalid_token"], 503: ["temporarily_unavailable"],
    }
    for code in (AdminErrorCode.INVALID_REQUEST, *codes):
        by_status.setdefault(ADMIN_STATUS[code], []).append(code.value)
    return {
        status: ResponseSpec(
            data_container=ErrorOut, generate_examples=False,
            description="`{\"error\": code}` with code one of: " + ", ".join(f"`{c}`" for c in names),
        )
        for status, names in sorted(by_status.items())
    }
