"""The workspace API: workspaces, their invites (with one-time accept links), members and
audit trail, for the workspace's own people with the service's bearer tokens. Thin: each
handler authenticates, calls one use case, logs its audit event as a security event and
shapes the answer. Refusals are `AdminError`s, answered in one place (app.py)."""
from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, get, patch, post
from litestar.params import Parameter

from core.errors import AdminErrorCode, SignInError
from core.model import AuditEvent
from core.navigation import match_origin
from core.rules.invites import InviteState
from core.rules.workspaces import Actor
from core.usecases.authenticate import Authenticate
from core.usecases.invites import AcceptInvite, CreateInvite, ListInvites, NewInvite, RevokeInvite
from core.usecases.members import ChangeMemberRole, ListMembers, RemoveMember
from core.usecases.workspaces import (
    CreateWorkspace,
    ListAudit,
    ListWorkspaces,
    SwitchWorkspace,
    UpdateWorkspace,
    WorkspaceChanges,
)
from entrypoints.settings import Settings
from entrypoints.web.admin_shapes import (
    SECURITY,
    AcceptBody,
    AcceptedOut,
    AuditOut,
    InviteOut,
    MemberOut,
    NewInviteBody,
    NewWorkspaceBody,
    RemovedOut,
    RoleBody,
    WorkspaceChangesBody,
    WorkspaceOut,
    WorkspaceSwitchBody,
    audit_out,
    errors,
    invite_out,
    member_out,
    workspace_out,
)
from entrypoints.web.api import bearer_token
from entrypoints.web.correlation import correlation_id
from entrypoints.web.events import SecurityLog

E = AdminErrorCode
NO_STORE = {"Cache-Control": "no-store"}
WORKSPACE = "/workspaces/{workspace_id:int}"
TAGS = ["workspaces"]



async def _actor(request: Request[Any, Any, Any], authenticate: Authenticate) -> Actor:
    current = await authenticate(bearer_token(request))
    return Actor(current.session.user_id, correlation_id(request))


def _logged(security_log: SecurityLog, event: AuditEvent | None) -> None:
    if event is not None:
        security_log.workspace_changed(event)


def accept_url(settings: Settings, frontend_host: str, token: str) -> str:
    """`{frontend}/invite#token=...`: the secret rides in the fragment, which browsers never
    send to a server (no access log, no Referer), as the sign-in's token delivery does. The
    frontend is the workspace's host when it is allowed, else the first allowed origin."""
    try:
        origin = match_origin(frontend_host, settings.allowed_origins)
    except SignInError:
        origin = settings.allowed_origins[0]
    return f"{origin}/invite#token={token}"


# -- workspaces --------------------------------------------------------------------------
@post("/workspaces", summary="Create a workspace; the caller becomes its owner", tags=TAGS,
      security=SECURITY, responses=errors(E.FORBIDDEN), status_code=201)
async def create_workspace(
    request: Request[Any, Any, Any], data: NewWorkspaceBody, authenticate: Authenticate,
    create_workspace_case: CreateWorkspace, security_log: SecurityLog,
) -> Response[WorkspaceOut]:
    """Who may create one is the operator's choice (`SIGNIN_WORKSPACE_CREATORS`); the
    frontend host must be one of `SIGNIN_ALLOWED_ORIGINS`."""
    actor = await _actor(request, authenticate)
    created = await create_workspace_case(actor, data.name, data.frontend_host)
    _logged(security_log, created.event)
    body = workspace_out(created.workspace, created.membership.role)
    return Response(body, status_code=201, headers=NO_STORE)


@get("/workspaces", summary="The caller's workspaces, with the caller's role", tags=TAGS,
     security=SECURITY, responses=errors())
async def list_workspaces(
    request: Request[Any, Any, Any], authenticate: Authenticate, list_workspaces_case: ListWorkspaces
) -> list[WorkspaceOut]:
    actor = await _actor(request, authenticate)
    return [workspace_out(w.workspace, w.role) for w in await list_workspaces_case(actor)]


@patch(WORKSPACE, summary="Change a workspace's name, frontend host or whether editors invite",
       tags=TAGS, security=SECURITY, responses=errors(E.NOT_FOUND, E.FORBIDDEN))
async def update_workspace(
    request: Request[Any, Any, Any], workspace_id: int, data: WorkspaceChangesBody,
    authenticate: Authenticate, update_workspace_case: UpdateWorkspace, security_log: SecurityLog,
) -> WorkspaceOut:
    """Owners only. The frontend host must be one of `SIGNIN_ALLOWED_ORIGINS`."""
    actor = await _actor(request, authenticate)
    changes = WorkspaceChanges(data.name, data.frontend_host, data.editors_invite)
    updated = await update_workspace_case(actor, workspace_id, changes)
    _logged(security_log, updated.event)
    return workspace_out(updated.workspace, "owner" if actor.user_id else None)


# -- invites -----------------------------------------------------------------------------
@post(WORKSPACE + "/invites", summary="Invite an address; the accept link is in this answer only",
      tags=TAGS, security=SECURITY, status_code=201,
      responses=errors(E.NOT_FOUND, E.FORBIDDEN, E.ROLE_TOO_HIGH, E.INVITE_PENDING))
async def create_invite(
    request: Request[Any, Any, Any], workspace_id: int, data: NewInviteBody, settings: Settings,
    authenticate: Authenticate, create_invite_case: CreateInvite, security_log: SecurityLog,
) -> Response[InviteOut]:
    """Owners, and editors when the workspace lets them; never a role above the inviter's.
    One pending invite per address: revoke it to send a new link."""
    actor = await _actor(request, authenticate)
    made = await create_invite_case(NewInvite(actor, workspace_id, data.email, data.role))
    _logged(security_log, made.event)
    url = accept_url(settings, made.workspace.frontend_host, made.token)
    body = invite_out(made.invite, InviteState.PENDING, url)
    return Response(body, status_code=201, headers=NO_STORE)


@get(WORKSPACE + "/invites", summary="The workspace's invites, optionally of one state", tags=TAGS,
     security=SECURITY, responses=errors(E.NOT_FOUND, E.FORBIDDEN))
async def list_invites(
    request: Request[Any, Any, Any], workspace_id: int, authenticate: Authenticate,
    list_invites_case: ListInvites,
    wanted: Annotated[
        InviteState | None, Parameter(query="state", description="pending, accepted, revoked or expired")
    ] = None,
) -> list[InviteOut]:
    actor = await _actor(request, authenticate)
    return [invite_out(v.invite, v.state) for v in await list_invites_case(actor, workspace_id, wanted)]


@delete(WORKSPACE + "/invites/{invite_id:str}", summary="Revoke an invite", tags=TAGS,
        security=SECURITY, status_code=200,
        responses=errors(E.NOT_FOUND, E.FORBIDDEN, E.ROLE_TOO_HIGH, E.INVITE_REVOKED))
async def revoke_invite(
    request: Request[Any, Any, Any], workspace_id: int, invite_id: str, authenticate: Authenticate,
    revoke_invite_case: RevokeInvite, security_log: SecurityLog,
) -> InviteOut:
    """A membership the invite granted stays: remove the member for that."""
    actor = await _actor(request, authenticate)
    done = await revoke_invite_case(actor, workspace_id, invite_id)
    _logged(security_log, done.event)
    return invite_out(done.invite, InviteState.REVOKED)


@post("/invites/accept", summary="Accept an invite with its link's token", tags=TAGS,
      security=SECURITY, status_code=200,
      responses=errors(E.INVITE_INVALID, E.INVITE_USED, E.INVITE_REVOKED, E.INVITE_EXPIRED,
                       E.EMAIL_UNVERIFIED, E.EMAIL_MISMATCH, E.FORBIDDEN))
async def accept_invite(
    request: Request[Any, Any, Any], data: AcceptBody, authenticate: Authenticate,
    accept_invite_case: AcceptInvite, security_log: SecurityLog,
) -> Response[AcceptedOut]:
    """Only a signed-in user whose verified email is the invite's; the role is granted at
    once, and the link never works again."""
    actor = await _actor(request, authenticate)
    done = await accept_invite_case(actor, data.token)
    _logged(security_log, done.event)
    m = done.membership
    return Response(AcceptedOut(m.workspace_id, m.user_id, m.role, m.created_at), headers=NO_STORE)


# -- members -----------------------------------------------------------------------------
@get(WORKSPACE + "/members", summary="The workspace's members", tags=TAGS, security=SECURITY,
     responses=errors(E.NOT_FOUND, E.FORBIDDEN))
async def list_members(
    request: Request[Any, Any, Any], workspace_id: int, authenticate: Authenticate,
    list_members_case: ListMembers,
) -> list[MemberOut]:
    """Owners and editors."""
    actor = await _actor(request, authenticate)
    return [member_out(m) for m in await list_members_case(actor, workspace_id)]


@patch(WORKSPACE + "/members/{user_id:str}", summary="Change a member's role", tags=TAGS,
       security=SECURITY,
       responses=errors(E.NOT_FOUND, E.FORBIDDEN, E.ROLE_TOO_HIGH, E.OWN_ROLE, E.LAST_OWNER))
async def change_member(
    request: Request[Any, Any, Any], workspace_id: int, user_id: str, data: RoleBody,
    authenticate: Authenticate, change_member_case: ChangeMemberRole, security_log: SecurityLog,
) -> MemberOut:
    """Owners change others; anybody may lower their own role; nobody raises it; a
    workspace keeps at least one owner."""
    actor = await _actor(request, authenticate)
    done = await change_member_case(actor, workspace_id, user_id, data.role)
    _logged(security_log, done.event)
    m = done.membership
    return MemberOut(m.user_id, "", None, m.role, m.created_at)


@delete(WORKSPACE + "/members/{user_id:str}", summary="Remove a member (or leave)", tags=TAGS,
        security=SECURITY, status_code=200,
        responses=errors(E.NOT_FOUND, E.FORBIDDEN, E.ROLE_TOO_HIGH, E.LAST_OWNER))
async def remove_member(
    request: Request[Any, Any, Any], workspace_id: int, user_id: str, authenticate: Authenticate,
    remove_member_case: RemoveMember, security_log: SecurityLog,
) -> RemovedOut:
    """Their open invites to the workspace are revoked with them."""
    actor = await _actor(request, authenticate)
    done = await remove_member_case(actor, workspace_id, user_id)
    _logged(security_log, done.event)
    return RemovedOut(user_id, workspace_id, done.invites_revoked)


@post("/me/workspace", summary="Switch to a workspace: the next sign-in lands there", tags=TAGS,
      security=SECURITY, status_code=200, responses=errors(E.NOT_FOUND))
async def switch_workspace(
    request: Request[Any, Any, Any], data: WorkspaceSwitchBody, authenticate: Authenticate,
    switch_workspace_case: SwitchWorkspace,
) -> WorkspaceOut:
    """Records the caller's choice (members only; another workspace is `not_found`), so the
    next sign-in without a deep link lands in this workspace."""
    actor = await _actor(request, authenticate)
    chosen = await switch_workspace_case(actor, data.workspace_id)
    return workspace_out(chosen.workspace, chosen.role)


# -- audit -------------------------------------------------------------------------------
@get(WORKSPACE + "/audit", summary="The workspace's audit trail, newest first", tags=TAGS,
     security=SECURITY, responses=errors(E.NOT_FOUND, E.FORBIDDEN))
async def list_audit(
    request: Request[Any, Any, Any], workspace_id: int, authenticate: Authenticate,
    list_audit_case: ListAudit,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    """Owners only."""
    actor = await _actor(request, authenticate)
    return [audit_out(e) for e in await list_audit_case(actor, workspace_id, limit)]


HANDLERS = [
    create_workspace, list_workspaces, update_workspace,
    create_invite, list_invites, revoke_invite, accept_invite,
    list_members, change_member, remove_member, switch_workspace, list_audit,
]
