"""Use cases of a workspace's invites: create (with a one-time accept link), list, revoke,
and accept by the invited person. Each is one unit of work; a refusal writes nothing.

One pending invite per (workspace, address): a second is refused with `invite_pending`
(revoke the first to send a new link). An expired pending invite does not count: it is
closed (revoked) by the new one. The check runs under the workspace's lock, so two
concurrent invites of one address cannot both pass it. (The operator's `invite add` is not
bound by it: its invites carry no link.)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.emails import normalise_email
from core.errors import AdminError, AdminErrorCode, DuplicateKey
from core.model import AuditEvent, Invite, InviteStatus, Membership, Workspace
from core.policy import SignInPolicy
from core.ports import Clock, IdGenerator, RecentPrincipals, UnitOfWorkFactory
from core.rules.invites import (
    InviteState,
    accept_token,
    accepted,
    check_acceptable,
    granted,
    invite_state,
    split_token,
    token_digest,
)
from core.rules.workspaces import Actor, check_invite, check_manage_invites, check_revoke, rank_of
from core.usecases.members import forget
from core.usecases.workspace_access import access, audit_event, roles_by_name


@dataclass(frozen=True)
class NewInvite:
    actor: Actor
    workspace_id: int
    email: str
    role: str


@dataclass(frozen=True)
class InviteCreated:
    """The invite and its accept token, handed out this once (only its hash is kept)."""

    invite: Invite
    token: str = field(repr=False)
    event: AuditEvent
    workspace: Workspace


class CreateInvite:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, policy: SignInPolicy):
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy

    async def __call__(self, request: NewInvite) -> InviteCreated:
        address = normalise_email(request.email)
        if address is None:
            raise AdminError(AdminErrorCode.INVALID_REQUEST, "not a valid email address")
        now = self._clock.now()
        async with self._uow() as uow:
            found = await access(uow, request.actor, request.workspace_id, lock=True)
            role = found.roles.get(request.role)
            if role is None:
                raise AdminError(AdminErrorCode.INVALID_REQUEST, "no such role")
            check_invite(found.standing, found.workspace, role)
            for old in await uow.invites.for_workspace(request.workspace_id):
                if old.email != address or old.status is not InviteStatus.PENDING:
                    continue
                if invite_state(old, now) is InviteState.PENDING:
                    raise AdminError(AdminErrorCode.INVITE_PENDING, "a pending invite exists")
                closed = replace(old, status=InviteStatus.REVOKED, revoked_at=now)
                await uow.invites.update_if(closed, InviteStatus.PENDING)
            invite_id, secret = self._ids.new_id(), self._ids.secret()
            invite = Invite(
                id=invite_id,
                email=address,
                workspace_id=request.workspace_id,
                role=role.name,
                status=InviteStatus.PENDING,
                created_at=now,
                expires_at=now + self._policy.invite_lifetime,
                invited_by=request.actor.user_id,
                token_hash=token_digest(invite_id, secret),
            )
            await uow.invites.add(invite)
            event = audit_event(
                self._ids, now, request.actor, "invite_created", request.workspace_id,
                invite_id, role=role.name,
            )
            await uow.audit.add(event)
            await uow.commit()
        return InviteCreated(invite, accept_token(invite_id, secret), event, found.workspace)


@dataclass(frozen=True)
class InviteView:
    invite: Invite
    state: InviteState


class ListInvites:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock):
        self._uow, self._clock = uow, clock

    async def __call__(
        self, actor: Actor, workspace_id: int, state: InviteState | None = None
    ) -> tuple[InviteView, ...]:
        now = self._clock.now()
        async with self._uow() as uow:
            found = await access(uow, actor, workspace_id)
            check_manage_invites(found.standing, found.workspace)
            invites = await uow.invites.for_workspace(workspace_id)
        views = (InviteView(i, invite_state(i, now)) for i in invites)
        return tuple(v for v in views if state is None or v.state is state)


@dataclass(frozen=True)
class InviteRevoked:
    invite: Invite
    event: AuditEvent


class RevokeInvite:
    """Revoke an invite of any state but revoked; a membership it granted stays (remove the
    member for that). `workspace_id=None` (the command line) means the invite's own."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator):
        self._uow, self._clock, self._ids = uow, clock, ids

    async def __call__(self, actor: Actor, workspace_id: int | None, invite_id: str) -> InviteRevoked:
        now = self._clock.now()
        async with self._uow() as uow:
            invite = await uow.invites.get(invite_id)
            if invite is None or workspace_id not in (None, invite.workspace_id):
                raise AdminError(AdminErrorCode.NOT_FOUND, f"no invite {invite_id}")
            found = await access(uow, actor, invite.workspace_id)
            check_revoke(found.standing, found.workspace, rank_of(found.roles, invite.role))
            if invite.status is InviteStatus.REVOKED:
                raise AdminError(AdminErrorCode.INVITE_REVOKED, f"invite {invite_id} is revoked")
            revoked = replace(invite, status=InviteStatus.REVOKED, revoked_at=now)
            if not await uow.invites.update_if(revoked, invite.status):
                raise AdminError(AdminErrorCode.INVITE_USED, f"invite {invite_id} changed meanwhile")
            event = audit_event(
                self._ids, now, actor, "invite_revoked", invite.workspace_id, invite_id,
                was=invite.status.value,
            )
            await uow.audit.add(event)
            await uow.commit()
        return InviteRevoked(revoked, event)


@dataclass(frozen=True)
class InviteAccepted:
    invite: Invite
    membership: Membership
    event: AuditEvent


class AcceptInvite:
    """The signed-in user accepts an invite with its link's token: only when their verified
    email is the invite's; the role is granted at once, and the invite can never be used
    again (a concurrent second accept finds it changed and is refused)."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator,
        recent: RecentPrincipals | None = None,
    ):
        self._uow, self._clock, self._ids, self._recent = uow, clock, ids, recent

    async def __call__(self, actor: Actor, token: str) -> InviteAccepted:
        invite_id, secret = split_token(token)
        user_id = actor.user_id
        if user_id is None:
            raise AdminError(AdminErrorCode.FORBIDDEN, "only the invited person accepts an invite")
        now = self._clock.now()
        try:
            async with self._uow() as uow:
                user = await uow.users.get(user_id)
                if user is None:
                    raise AdminError(AdminErrorCode.FORBIDDEN, "unknown user")
                invite = check_acceptable(await uow.invites.get(invite_id), secret, user, now)
                roles = await roles_by_name(uow)
                role = roles.get(invite.role)
                if role is None or await uow.workspaces.get(invite.workspace_id) is None:
                    raise AdminError(AdminErrorCode.INVITE_INVALID, "the invite's workspace or role is gone")
                done = accepted(invite, user, now)
                if not await uow.invites.update_if(done, InviteStatus.PENDING):
                    raise AdminError(AdminErrorCode.INVITE_USED, "the invite was accepted already")
                held = await uow.memberships.get(user.id, invite.workspace_id)
                membership = granted(user, invite, held, role, roles, now)
                if held is None:
                    await uow.memberships.add(membership)
                elif membership != held:
                    await uow.memberships.update(membership)
                event = audit_event(
                    self._ids, now, actor, "invite_accepted", invite.workspace_id, invite.id,
                    role=membership.role,
                )
                await uow.audit.add(event)
                await uow.commit()
        except DuplicateKey as error:  # a concurrent accept granted it first
            raise AdminError(AdminErrorCode.INVITE_USED, "the invite was accepted already") from error
        forget(self._recent, user_id)  # the new role counts at once in this process
        return InviteAccepted(done, membership, event)
