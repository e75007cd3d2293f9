"""Invites over the workspace use cases: creation with a one-time link, the role ceiling,
one pending invite per address, listing by state, revoking and accepting (memory adapters)."""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import AdminError, AdminErrorCode
from core.model import AuditEvent, InviteStatus, Membership
from core.rules.invites import InviteState
from core.rules.workspaces import Actor
from core.usecases.record_signin import RecordSignIn
from core.usecases.workspaces import WorkspaceChanges
from tests.core.builders import aad
from tests.core.workspace_support import Team, refused

WEEK = timedelta(days=7)


@pytest.fixture
async def team() -> Team:
    built = Team()
    await built.setup()
    return built


async def test_an_owner_invites_and_gets_the_link_once(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    before = team.rows()
    now = team.clock.now()
    made = await team.invite(owner, 1, "  Erin@CONTOSO.com ", "editor")
    invite = made.invite
    assert made.workspace.id == 1 and made.workspace.name == "Acme"
    assert (invite.email, invite.workspace_id, invite.role, invite.status) == (
        "erin@contoso.com", 1, "editor", InviteStatus.PENDING)
    assert (invite.created_at, invite.expires_at, invite.invited_by) == (now, now + WEEK, owner.user_id)
    assert made.token == f"{invite.id}.id-secret-1"  # SequentialIds' first secret
    secret = made.token.split(".", 1)[1]
    assert invite.token_hash == hashlib.sha256(f"{invite.id}:{secret}".encode()).hexdigest()
    assert secret not in repr(made) and secret not in repr(invite)
    assert made.event == AuditEvent(
        made.event.id, now, owner.user_id, "invite_created", 1, invite.id, (("role", "editor"),),
        owner.correlation_id,
    )
    after = team.rows()
    assert after == {**before, "invites": before["invites"] + 1, "audit_events": before["audit_events"] + 1}
    async with team.db.unit_of_work() as uow:
        assert await uow.invites.get(invite.id) == invite
        assert list(await uow.audit.list()) == [made.event]


async def test_the_invite_lifetime_follows_the_policy() -> None:
    team = Team(policy=replace(Team().policy, invite_lifetime=timedelta(hours=5)))
    await team.setup()
    owner = await team.member("olga@contoso.com", "owner", 1)
    made = await team.invite(owner, 1, "erin@contoso.com", "viewer")
    assert made.invite.expires_at == team.clock.now() + timedelta(hours=5)


ROLE_NAMES = ("owner", "editor", "viewer")
RANK = {"owner": 30, "editor": 20, "viewer": 10}


@given(
    actor_role=st.sampled_from(ROLE_NAMES), offered=st.sampled_from(ROLE_NAMES), editors_invite=st.booleans()
)
def test_an_invite_never_grants_above_the_inviters_role(actor_role, offered, editors_invite) -> None:
    async def scenario() -> None:
        team = Team()
        await team.setup()
        async with team.db.unit_of_work() as uow:
            workspace = await uow.workspaces.get(1)
            assert workspace is not None
            await uow.workspaces.update(replace(workspace, editors_invite=editors_invite))
            await uow.commit()
        actor = await team.member("someone@contoso.com", actor_role, 1)
        may = actor_role == "owner" or (actor_role == "editor" and editors_invite)
        before = team.snapshot()
        if may and RANK[offered] <= RANK[actor_role]:
            made = await team.invite(actor, 1, "erin@contoso.com", offered)
            assert made.invite.role == offered
            assert team.rows()["invites"] == 1
        else:
            code = AdminErrorCode.ROLE_TOO_HIGH if may else AdminErrorCode.FORBIDDEN
            await refused(code, team.invite(actor, 1, "erin@contoso.com", offered))
            assert team.snapshot() == before

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("email", "role", "workspace", "code"),
    [
        ("not-an-email", "viewer", 1, AdminErrorCode.INVALID_REQUEST),
        ("erin@contoso.com", "janitor", 1, AdminErrorCode.INVALID_REQUEST),
        ("erin@contoso.com", "viewer", 2, AdminErrorCode.NOT_FOUND),
        ("erin@contoso.com", "viewer", 99, AdminErrorCode.NOT_FOUND),
    ],
)
async def test_bad_invites_are_refused_and_write_nothing(team: Team, email, role, workspace, code) -> None:
    await team.admin.add_workspace("Globex", "https://app.globex.example")
    owner = await team.member("olga@contoso.com", "owner", 1)
    before = team.snapshot()
    await refused(code, team.invite(owner, workspace, email, role))
    assert team.snapshot() == before


async def test_one_pending_invite_per_workspace_and_address(team: Team) -> None:
    await team.admin.add_workspace("Globex", FRONT := "https://app.globex.example")
    assert FRONT
    owner = await team.member("olga@contoso.com", "owner", 1)
    await team.change(Actor.operator(), 1, owner.user_id, "owner")
    async with team.db.unit_of_work() as uow:
        await uow.memberships.add(Membership(owner.user_id, 2, "owner", team.clock.now()))
        await uow.commit()
    first = await team.invite(owner, 1, "erin@contoso.com", "viewer")
    before = team.snapshot()
    error = await refused(AdminErrorCode.INVITE_PENDING, team.invite(owner, 1, " ERIN@contoso.com", "editor"))
    assert error.detail == "a pending invite exists"
    assert team.snapshot() == before
    await team.invite(owner, 2, "erin@contoso.com", "viewer")   # another workspace: fine
    await team.invite(owner, 1, "frank@contoso.com", "viewer")  # another address: fine
    await team.revoke(owner, 1, first.invite.id)
    again = await team.invite(owner, 1, "erin@contoso.com", "viewer")  # after a revoke: fine
    assert again.invite.status is InviteStatus.PENDING


async def test_an_expired_pending_invite_is_closed_by_a_new_one(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    old = await team.invite(owner, 1, "erin@contoso.com", "viewer")
    team.clock.advance(WEEK - timedelta(microseconds=1))
    await refused(AdminErrorCode.INVITE_PENDING, team.invite(owner, 1, "erin@contoso.com", "viewer"))
    team.clock.advance(timedelta(microseconds=1))
    new = await team.invite(owner, 1, "erin@contoso.com", "viewer")
    async with team.db.unit_of_work() as uow:
        closed = await uow.invites.get(old.invite.id)
    assert closed == replace(old.invite, status=InviteStatus.REVOKED, revoked_at=team.clock.now())
    assert new.invite.status is InviteStatus.PENDING
    # the accepted or revoked invites of that address never block a new one
    async with team.db.unit_of_work() as uow:
        await uow.invites.update(replace(new.invite, status=InviteStatus.ACCEPTED))
        await uow.commit()
    assert (await team.invite(owner, 1, "erin@contoso.com", "viewer")).invite.status is InviteStatus.PENDING


async def test_invites_are_listed_by_state(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    expired = await team.invite(owner, 1, "old@contoso.com", "viewer")
    team.clock.advance(WEEK)
    pending = await team.invite(owner, 1, "erin@contoso.com", "viewer")
    team.clock.advance(1)
    revoked = await team.invite(owner, 1, "rex@contoso.com", "viewer")
    await team.revoke(owner, 1, revoked.invite.id)
    taker = await team.person("ann@contoso.com")
    team.clock.advance(1)
    taken = await team.invite(owner, 1, "ann@contoso.com", "editor")
    await team.accept(Actor(taker.id), taken.token)
    views = await team.list_invites(owner, 1)
    assert [(v.invite.id, v.state) for v in views] == [
        (expired.invite.id, InviteState.EXPIRED),
        (pending.invite.id, InviteState.PENDING),
        (revoked.invite.id, InviteState.REVOKED),
        (taken.invite.id, InviteState.ACCEPTED),
    ]
    for state, wanted in ((InviteState.PENDING, pending), (InviteState.EXPIRED, expired),
                          (InviteState.REVOKED, revoked), (InviteState.ACCEPTED, taken)):
        assert [v.invite.id for v in await team.list_invites(owner, 1, state)] == [wanted.invite.id]


async def test_a_viewer_cannot_list_invites_and_an_outsider_is_told_not_found(team: Team) -> None:
    viewer = await team.member("vic@contoso.com", "viewer", 1)
    editor = await team.member("ed@contoso.com", "editor", 1)
    outsider = Actor((await team.person("out@contoso.com")).id)
    await refused(AdminErrorCode.FORBIDDEN, team.list_invites(viewer, 1))
    await refused(AdminErrorCode.FORBIDDEN, team.list_invites(editor, 1))
    await refused(AdminErrorCode.NOT_FOUND, team.list_invites(outsider, 1))
    await refused(AdminErrorCode.NOT_FOUND, team.list_invites(viewer, 99))
    assert await team.list_invites(Actor.operator(), 1) == ()


async def test_revoking(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    made = await team.invite(owner, 1, "erin@contoso.com", "owner")
    team.clock.advance(5)
    done = await team.revoke(owner, 1, made.invite.id)
    now = team.clock.now()
    assert done.invite == replace(made.invite, status=InviteStatus.REVOKED, revoked_at=now)
    assert done.event == AuditEvent(done.event.id, now, owner.user_id, "invite_revoked", 1, made.invite.id,
                                    (("was", "pending"),), owner.correlation_id)
    before = team.snapshot()
    error = await refused(AdminErrorCode.INVITE_REVOKED, team.revoke(owner, 1, made.invite.id))
    assert error.detail == f"invite {made.invite.id} is revoked"
    await refused(AdminErrorCode.NOT_FOUND, team.revoke(owner, 2, made.invite.id))
    await refused(AdminErrorCode.NOT_FOUND, team.revoke(owner, 1, "no-such-invite"))
    assert team.snapshot() == before


async def test_an_editor_revokes_only_up_to_their_role_and_only_when_editors_invite(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    editor = await team.member("ed@contoso.com", "editor", 1)
    high = await team.invite(owner, 1, "boss@contoso.com", "owner")
    low = await team.invite(owner, 1, "erin@contoso.com", "viewer")
    await refused(AdminErrorCode.FORBIDDEN, team.revoke(editor, 1, low.invite.id))
    await team.update(owner, 1, WorkspaceChanges(editors_invite=True))
    before = team.snapshot()
    await refused(AdminErrorCode.ROLE_TOO_HIGH, team.revoke(editor, 1, high.invite.id))
    assert team.snapshot() == before
    assert (await team.revoke(editor, 1, low.invite.id)).invite.status is InviteStatus.REVOKED
    # the command line names no workspace: the invite's own is used
    assert (await team.revoke(Actor.operator(), None, high.invite.id)).invite.status is InviteStatus.REVOKED


async def test_accepting_grants_the_role_at_once_and_the_link_dies(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    erin = await team.person("erin@contoso.com")
    made = await team.invite(owner, 1, "erin@contoso.com", "editor")
    team.clock.advance(60)
    now = team.clock.now()
    done = await team.accept(Actor(erin.id, "corr-accept"), made.token)
    assert done.membership == Membership(erin.id, 1, "editor", now)
    assert done.invite == replace(
        made.invite, status=InviteStatus.APPLIED, applied_at=now, applied_user_id=erin.id
    )
    assert done.event == AuditEvent(done.event.id, now, erin.id, "invite_accepted", 1, made.invite.id,
                                    (("role", "editor"),), "corr-accept")
    assert (await team.roles(1))[erin.id] == "editor"
    async with team.db.unit_of_work() as uow:
        assert await uow.invites.get(made.invite.id) == done.invite
    before = team.snapshot()
    await refused(AdminErrorCode.INVITE_USED, team.accept(Actor(erin.id), made.token))
    assert team.snapshot() == before


async def test_accepting_raises_a_lower_role_and_never_lowers_a_higher_one(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    viewer = await team.member("vic@contoso.com", "viewer", 1)
    boss = await team.member("boss@contoso.com", "owner", 1)
    up = await team.invite(owner, 1, "vic@contoso.com", "editor")
    down = await team.invite(owner, 1, "boss@contoso.com", "viewer")
    assert (await team.accept(viewer, up.token)).membership.role == "editor"
    kept = await team.accept(boss, down.token)
    assert kept.membership.role == "owner" and kept.event.details == (("role", "owner"),)
    assert kept.invite.status is InviteStatus.APPLIED
    assert await team.roles(1) == {owner.user_id: "owner", viewer.user_id: "editor", boss.user_id: "owner"}


async def test_refused_accepts_write_nothing(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    erin = await team.person("erin@contoso.com")
    frank = await team.person("frank@contoso.com")
    unverified = await team.person(None)
    made = await team.invite(owner, 1, "erin@contoso.com", "editor")
    invite_id, secret = made.token.split(".", 1)
    before = team.snapshot()
    cases = [
        (Actor(frank.id), made.token, AdminErrorCode.EMAIL_MISMATCH),
        (Actor(unverified.id), made.token, AdminErrorCode.EMAIL_UNVERIFIED),
        (Actor(erin.id), f"{invite_id}.{secret}x", AdminErrorCode.INVITE_INVALID),
        (Actor(erin.id), f"other-id.{secret}", AdminErrorCode.INVITE_INVALID),
        (Actor(erin.id), "garbage", AdminErrorCode.INVITE_INVALID),
        (Actor.operator(), made.token, AdminErrorCode.FORBIDDEN),
        (Actor("ghost"), made.token, AdminErrorCode.FORBIDDEN),
    ]
    for actor, token, code in cases:
        await refused(code, team.accept(actor, token))
    assert team.snapshot() == before
    await team.revoke(owner, 1, made.invite.id)
    before = team.snapshot()
    await refused(AdminErrorCode.INVITE_REVOKED, team.accept(Actor(erin.id), made.token))
    assert team.snapshot() == before


async def test_an_invite_whose_workspace_or_role_is_gone_is_invalid(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    erin = await team.person("erin@contoso.com")
    made = await team.invite(owner, 1, "erin@contoso.com", "editor")
    async with team.db.unit_of_work() as uow:
        await uow.invites.update(replace(made.invite, role="janitor"))
        await uow.commit()
    await refused(AdminErrorCode.INVITE_INVALID, team.accept(Actor(erin.id), made.token))
    async with team.db.unit_of_work() as uow:
        await uow.invites.update(made.invite)
        await uow.workspaces.remove(1)
        await uow.commit()
    before = team.snapshot()
    await refused(AdminErrorCode.INVITE_INVALID, team.accept(Actor(erin.id), made.token))
    assert team.snapshot() == before


@given(offset=st.integers(min_value=0, max_value=2 * 7 * 24 * 3600))
def test_an_invite_is_accepted_only_before_it_expires(offset: int) -> None:
    async def scenario() -> None:
        team = Team()
        await team.setup()
        owner = await team.member("olga@contoso.com", "owner", 1)
        erin = await team.person("erin@contoso.com")
        made = await team.invite(owner, 1, "erin@contoso.com", "viewer")
        team.clock.advance(offset)
        if offset < WEEK.total_seconds():
            assert (await team.accept(Actor(erin.id), made.token)).membership.role == "viewer"
        else:
            before = team.snapshot()
            await refused(AdminErrorCode.INVITE_EXPIRED, team.accept(Actor(erin.id), made.token))
            assert team.snapshot() == before

    asyncio.run(scenario())


def test_the_expiry_boundary_is_exact() -> None:
    async def scenario(step: timedelta) -> str:
        team = Team()
        await team.setup()
        owner = await team.member("olga@contoso.com", "owner", 1)
        erin = await team.person("erin@contoso.com")
        made = await team.invite(owner, 1, "erin@contoso.com", "viewer")
        team.clock.advance(step)
        try:
            await team.accept(Actor(erin.id), made.token)
        except AdminError as error:
            return error.code.value
        return "accepted"

    assert asyncio.run(scenario(WEEK - timedelta(microseconds=1))) == "accepted"
    assert asyncio.run(scenario(WEEK)) == "invite_expired"


SPELLINGS = st.sampled_from([
    "erin@contoso.com", "ERIN@contoso.com", " erin@CONTOSO.COM ", "erin@contoso.com.",
    "erin2@contoso.com", "erin@contoso.org", "\u0435rin@contoso.com", "erın@contoso.com",
])


def normalised(text: str) -> str:  # written out, not computed by core.emails
    return {
        "erin@contoso.com": "erin@contoso.com", "ERIN@contoso.com": "erin@contoso.com",
        " erin@CONTOSO.COM ": "erin@contoso.com", "erin@contoso.com.": "erin@contoso.com",
        "erin2@contoso.com": "erin2@contoso.com", "erin@contoso.org": "erin@contoso.org",
        "\u0435rin@contoso.com": "\u0435rin@contoso.com", "erın@contoso.com": "erın@contoso.com",
    }[text]


@given(invited=SPELLINGS, signed_in=SPELLINGS, verified=st.booleans())
def test_only_the_invited_verified_address_accepts(invited: str, signed_in: str, verified: bool) -> None:
    async def scenario() -> None:
        team = Team()
        await team.setup()
        owner = await team.member("olga@contoso.com", "owner", 1)
        person = await team.person(normalised(signed_in) if verified else None)
        made = await team.invite(owner, 1, invited, "viewer")
        assert made.invite.email == normalised(invited)
        if verified and normalised(signed_in) == normalised(invited):
            assert (await team.accept(Actor(person.id), made.token)).membership.user_id == person.id
        else:
            before = team.snapshot()
            code = AdminErrorCode.EMAIL_MISMATCH if verified else AdminErrorCode.EMAIL_UNVERIFIED
            await refused(code, team.accept(Actor(person.id), made.token))
            assert team.snapshot() == before

    asyncio.run(scenario())


@given(attempts=st.integers(min_value=2, max_value=5))
def test_a_link_is_used_once_however_many_times_it_is_tried(attempts: int) -> None:
    async def scenario() -> None:
        team = Team()
        await team.setup()
        owner = await team.member("olga@contoso.com", "owner", 1)
        erin = await team.person("erin@contoso.com")
        made = await team.invite(owner, 1, "erin@contoso.com", "editor")
        outcomes = await asyncio.gather(
            *(team.accept(Actor(erin.id), made.token) for _ in range(attempts)), return_exceptions=True
        )
        wins = [o for o in outcomes if not isinstance(o, BaseException)]
        losses = [o for o in outcomes if isinstance(o, AdminError)]
        assert len(wins) == 1 and len(losses) == attempts - 1
        assert {e.code for e in losses} == {AdminErrorCode.INVITE_USED}
        assert team.rows()["memberships"] == 2 and team.rows()["audit_events"] == 2

    asyncio.run(scenario())


async def test_a_later_sign_in_never_applies_an_accepted_link_again(team: Team) -> None:
    record = RecordSignIn(team.db.unit_of_work, team.clock, team.ids, team.policy)
    erin_at_microsoft = aad("erin@contoso.com", oid="erin")
    first = await record(erin_at_microsoft)   # erin exists before she is invited
    owner = await team.member("olga@contoso.com", "owner", 1)
    made = await team.invite(owner, 1, "erin@contoso.com", "editor")
    await team.accept(Actor(first.user.id), made.token)
    again = await record(erin_at_microsoft)
    assert again.applied_invites == ()
    assert again.workspace is not None and again.workspace.id == 1
    # removed, she stays removed at her next sign-in
    await team.remove(owner, 1, first.user.id)
    third = await record(erin_at_microsoft)
    assert third.applied_invites == () and third.workspace is None
    assert first.user.id not in await team.roles(1)


async def test_an_invite_accepted_by_the_command_line_is_applied_once_at_sign_in(team: Team) -> None:
    record = RecordSignIn(team.db.unit_of_work, team.clock, team.ids, team.policy)
    offer = await team.admin.invite("erin@contoso.com", 1, "editor", accepted=True)
    signed_in = await record(aad("erin@contoso.com", oid="erin"))
    assert [i.id for i in signed_in.applied_invites] == [offer.id]
    assert (await team.roles(1))[signed_in.user.id] == "editor"
    assert (await record(aad("erin@contoso.com", oid="erin"))).applied_invites == ()


class _LosingRaces:
    """Units whose compare-and-set of an invite always finds it changed meanwhile, as a
    database does when a concurrent transaction moved the invite first."""

    def __init__(self, db) -> None:
        self.db = db

    def __call__(self):
        unit = self.db.unit_of_work()
        invites = unit.invites

        async def lost(invite, status) -> bool:
            return False

        invites.update_if = lost  # type: ignore[method-assign]
        return unit


async def test_an_accept_or_revoke_that_loses_a_race_is_refused_and_writes_nothing(team: Team) -> None:
    from core.usecases.invites import AcceptInvite, RevokeInvite
    from tests.core.colliding import CollidingUnits

    owner = await team.member("olga@contoso.com", "owner", 1)
    erin = await team.person("erin@contoso.com")
    made = await team.invite(owner, 1, "erin@contoso.com", "editor")
    before = team.snapshot()
    racing = _LosingRaces(team.db)
    accept = AcceptInvite(racing, team.clock, team.ids)
    await refused(AdminErrorCode.INVITE_USED, accept(Actor(erin.id), made.token))
    revoke = RevokeInvite(racing, team.clock, team.ids)
    error = await refused(AdminErrorCode.INVITE_USED, revoke(owner, 1, made.invite.id))
    assert error.detail == f"invite {made.invite.id} changed meanwhile"
    colliding = CollidingUnits(team.db, collisions=1)
    accept = AcceptInvite(colliding, team.clock, team.ids)
    await refused(AdminErrorCode.INVITE_USED, accept(Actor(erin.id), made.token))
    assert team.snapshot() == before
    assert (await team.accept(Actor(erin.id), made.token)).membership.role == "editor"


async def test_a_pending_invite_is_found_behind_invites_for_other_addresses(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    await team.invite(owner, 1, "bob@contoso.com", "viewer")
    revoked = await team.invite(owner, 1, "carol@contoso.com", "viewer")
    await team.revoke(owner, 1, revoked.invite.id)
    await team.invite(owner, 1, "erin@contoso.com", "viewer")
    await refused(AdminErrorCode.INVITE_PENDING, team.invite(owner, 1, "erin@contoso.com", "editor"),
                  "a pending invite exists")
