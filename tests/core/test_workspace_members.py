"""Members over the use cases: listing, role changes, removals; the last owner stays and
nobody raises their own role, whatever sequence of changes is tried (memory adapters)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.memory import MemoryDatabase
from core.errors import AdminError, AdminErrorCode
from core.model import AuditEvent, InviteStatus, Membership
from core.rules.workspaces import Actor
from core.usecases.members import MemberView
from core.usecases.workspaces import WorkspaceChanges
from tests.core.workspace_support import Team, refused

RANK = {"owner": 30, "editor": 20, "viewer": 10}


@pytest.fixture
async def team() -> Team:
    built = Team()
    await built.setup()
    return built


async def test_members_are_listed_with_name_email_role_and_since(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    since = team.clock.now()
    team.clock.advance(10)
    viewer = await team.member("vic@contoso.com", "viewer", 1)
    await team.member("elsewhere@contoso.com", "owner", (await team.admin.add_workspace("G", "https://g.example")).id)
    listed = await team.members(owner, 1)
    assert listed == (
        MemberView(owner.user_id, "Person", "olga@contoso.com", "owner", since),
        MemberView(viewer.user_id, "Person", "vic@contoso.com", "viewer", since + timedelta(seconds=10)),
    )
    assert await team.members(Actor.operator(), 1) == listed
    await refused(AdminErrorCode.FORBIDDEN, team.members(viewer, 1))
    await refused(AdminErrorCode.NOT_FOUND, team.members(owner, 2))


async def test_an_unverified_members_display_address_is_shown(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    person = await team.person(None, name="Nova")
    async with team.db.unit_of_work() as uow:
        await uow.memberships.add(Membership(person.id, 1, "viewer", team.clock.now()))
        await uow.commit()
    listed = await team.members(owner, 1)
    assert listed[-1] == MemberView(person.id, "Nova", "unverified@example.com", "viewer", team.clock.now())


async def test_an_owner_changes_a_role_and_it_is_audited(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    viewer = await team.member("vic@contoso.com", "viewer", 1)
    changed = await team.change(owner, 1, viewer.user_id, "editor")
    assert changed.membership.role == "editor"
    assert changed.event == AuditEvent(
        changed.event.id, team.clock.now(), owner.user_id, "member_role_changed", 1, viewer.user_id,
        (("role", "editor"), ("was", "viewer")), owner.correlation_id,
    )
    assert (await team.roles(1))[viewer.user_id] == "editor"
    before = team.snapshot()
    same = await team.change(owner, 1, viewer.user_id, "editor")
    assert same.event is None and same.membership == changed.membership
    assert team.snapshot() == before


@pytest.mark.parametrize(
    ("who", "target", "role", "code"),
    [
        ("editor", "viewer", "editor", AdminErrorCode.FORBIDDEN),
        ("viewer", "viewer-self", "editor", AdminErrorCode.OWN_ROLE),
        ("editor", "editor-self", "owner", AdminErrorCode.OWN_ROLE),
        ("owner", "owner-self", "viewer", AdminErrorCode.LAST_OWNER),
        ("owner", "viewer", "janitor", AdminErrorCode.INVALID_REQUEST),
        ("owner", "stranger", "viewer", AdminErrorCode.NOT_FOUND),
        ("outsider", "viewer", "viewer", AdminErrorCode.NOT_FOUND),
    ],
)
async def test_refused_role_changes_write_nothing(team: Team, who, target, role, code) -> None:
    people = {
        "owner": await team.member("olga@contoso.com", "owner", 1),
        "editor": await team.member("ed@contoso.com", "editor", 1),
        "viewer": await team.member("vic@contoso.com", "viewer", 1),
        "outsider": Actor((await team.person("out@contoso.com")).id),
    }
    stranger = people["outsider"].user_id
    targets = {"viewer": people["viewer"].user_id, "stranger": stranger,
               **{f"{k}-self": people[k].user_id for k in ("owner", "editor", "viewer")}}
    before = team.snapshot()
    await refused(code, team.change(people[who], 1, targets[target], role))
    assert team.snapshot() == before


async def test_lowering_ones_own_role_or_leaving_is_allowed(team: Team) -> None:
    await team.member("olga@contoso.com", "owner", 1)
    editor = await team.member("ed@contoso.com", "editor", 1)
    assert (await team.change(editor, 1, editor.user_id, "viewer")).membership.role == "viewer"
    left = await team.remove(editor, 1, editor.user_id)
    assert left.membership.role == "viewer" and left.event.action == "member_removed"
    assert editor.user_id not in await team.roles(1)


async def test_a_second_owner_makes_stepping_down_possible(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    other = await team.member("oscar@contoso.com", "viewer", 1)
    await refused(AdminErrorCode.LAST_OWNER, team.remove(owner, 1, owner.user_id))
    await team.change(owner, 1, other.user_id, "owner")
    assert (await team.change(owner, 1, owner.user_id, "editor")).membership.role == "editor"
    await refused(AdminErrorCode.FORBIDDEN, team.remove(owner, 1, other.user_id))
    await refused(AdminErrorCode.LAST_OWNER, team.remove(other, 1, other.user_id))


async def test_removing_a_member_revokes_their_open_invites_and_is_audited(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    viewer = await team.member("vic@contoso.com", "viewer", 1)
    link = await team.invite(owner, 1, "vic@contoso.com", "editor")
    by_cli = await team.admin.invite("vic@contoso.com", 1, "owner", accepted=True)
    other = await team.invite(owner, 1, "someone@contoso.com", "viewer")
    team.clock.advance(3)
    removed = await team.remove(owner, 1, viewer.user_id)
    now = team.clock.now()
    assert removed.invites_revoked == 2
    assert removed.event == AuditEvent(removed.event.id, now, owner.user_id, "member_removed", 1,
                                       viewer.user_id, (("was", "viewer"),), owner.correlation_id)
    async with team.db.unit_of_work() as uow:
        states = {i.id: (i.status, i.revoked_at) for i in await uow.invites.for_workspace(1)}
    assert states == {
        link.invite.id: (InviteStatus.REVOKED, now),
        by_cli.id: (InviteStatus.REVOKED, now),
        other.invite.id: (InviteStatus.PENDING, None),
    }
    await refused(AdminErrorCode.NOT_FOUND, team.remove(owner, 1, viewer.user_id))


async def test_an_owner_of_one_workspace_cannot_touch_another(team: Team) -> None:
    second = (await team.admin.add_workspace("Globex", "https://g.example")).id
    owner1 = await team.member("olga@contoso.com", "owner", 1)
    owner2 = await team.member("oscar@contoso.com", "owner", second)
    before = team.snapshot()
    await refused(AdminErrorCode.NOT_FOUND, team.members(owner1, second))
    await refused(AdminErrorCode.NOT_FOUND, team.change(owner1, second, owner2.user_id, "viewer"))
    await refused(AdminErrorCode.NOT_FOUND, team.remove(owner1, second, owner2.user_id))
    await refused(AdminErrorCode.NOT_FOUND, team.invite(owner1, second, "x@contoso.com", "viewer"))
    await refused(AdminErrorCode.NOT_FOUND, team.list_invites(owner1, second))
    assert team.snapshot() == before


ACTIONS = st.lists(
    st.tuples(
        st.integers(0, 3), st.integers(0, 3), st.sampled_from(["owner", "editor", "viewer", "remove"])
    ),
    min_size=1,
    max_size=12,
)


@given(start=st.lists(st.sampled_from(["owner", "editor", "viewer"]), min_size=4, max_size=4), steps=ACTIONS)
def test_any_sequence_of_changes_keeps_an_owner_and_never_raises_ones_own_role(start, steps) -> None:
    async def scenario() -> None:
        team = Team()
        await team.setup()
        roles = ["owner", *start[1:]]
        people = [await team.member(f"p{n}@contoso.com", role, 1) for n, role in enumerate(roles)]
        for actor_n, target_n, wish in steps:
            actor, target = people[actor_n], people[target_n].user_id
            before_roles = await team.roles(1)
            before = team.snapshot()
            try:
                if wish == "remove":
                    await team.remove(actor, 1, target)
                else:
                    await team.change(actor, 1, target, wish)
            except AdminError:
                assert team.snapshot() == before  # a refusal writes nothing
                continue
            after = await team.roles(1)
            assert "owner" in after.values()
            mine = before_roles.get(actor.user_id)
            assert mine is not None  # only members act
            if target == actor.user_id and wish != "remove":
                assert RANK[after[target]] <= RANK[before_roles[target]]
            if target != actor.user_id:
                assert mine == "owner"  # only owners touch others
        assert "owner" in (await team.roles(1)).values()

    asyncio.run(scenario())


async def test_two_owners_stepping_down_at_once_leave_one(team: Team) -> None:
    a = await team.member("a@contoso.com", "owner", 1)
    b = await team.member("b@contoso.com", "owner", 1)
    outcomes = await asyncio.gather(
        team.change(a, 1, a.user_id, "viewer"), team.change(b, 1, b.user_id, "viewer"), return_exceptions=True
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["AdminError", "MemberChanged"]
    assert list((await team.roles(1)).values()).count("owner") == 1


async def test_member_changes_make_this_process_forget_the_members_sessions(team: Team) -> None:
    from adapters.memory.principals import LocalPrincipals
    from core.access import Grant, Principal
    from core.model import Session
    from core.usecases.invites import AcceptInvite
    from core.usecases.members import ChangeMemberRole, RemoveMember

    owner = await team.member("olga@contoso.com", "owner", 1)
    viewer = await team.member("vic@contoso.com", "viewer", 1)
    bystander = await team.member("bea@contoso.com", "viewer", 1)
    now = team.clock.now()
    recent = LocalPrincipals()

    def remember(actor: Actor, session_id: str) -> None:
        session = Session(session_id, actor.user_id, "a", "aad", now, now + timedelta(hours=1),
                          now + timedelta(hours=2))
        user = team.db._committed.users.get(actor.user_id)
        recent.put(Principal(session, user, (Grant(1, "viewer", 10),), (("viewer", 10),), now))

    def known(session_id: str) -> bool:
        return recent.get(session_id, now) is not None

    remember(viewer, "s-viewer")
    remember(bystander, "s-bystander")
    change = ChangeMemberRole(team.db.unit_of_work, team.clock, team.ids, recent)
    await change(owner, 1, viewer.user_id, "editor")
    assert (known("s-viewer"), known("s-bystander")) == (False, True)
    remember(viewer, "s-viewer")
    await RemoveMember(team.db.unit_of_work, team.clock, team.ids, recent)(owner, 1, viewer.user_id)
    assert (known("s-viewer"), known("s-bystander")) == (False, True)
    erin = await team.person("erin@contoso.com")
    made = await team.invite(owner, 1, "erin@contoso.com", "viewer")
    remember(Actor(erin.id), "s-erin")
    await AcceptInvite(team.db.unit_of_work, team.clock, team.ids, recent)(Actor(erin.id), made.token)
    assert (known("s-erin"), known("s-bystander")) == (False, True)
    # a refusal forgets nothing
    remember(viewer, "s-viewer")
    await refused(AdminErrorCode.NOT_FOUND,
                  RemoveMember(team.db.unit_of_work, team.clock, team.ids, recent)(owner, 1, viewer.user_id))
    assert known("s-viewer")


async def test_a_member_whose_role_no_longer_exists_has_no_standing(team: Team) -> None:
    ghost = await team.member("gus@contoso.com", "janitor", 1)
    await refused(AdminErrorCode.NOT_FOUND, team.members(ghost, 1))
    await refused(AdminErrorCode.NOT_FOUND, team.invite(ghost, 1, "x@contoso.com", "viewer"))


class _LockWatchingDatabase(MemoryDatabase):
    """The in-memory database, noting which workspaces units of work lock (it serialises
    writers anyway; PostgreSQL needs the row lock to order two concurrent changes)."""

    def __init__(self) -> None:
        super().__init__()
        self.locked: list[int] = []

    def unit_of_work(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        unit = super().unit_of_work(read_only=read_only)
        workspaces, locked = unit.workspaces, self.locked

        class _Watched:
            def __getattr__(self, name: str) -> object:
                return getattr(workspaces, name)

            async def lock(self, workspace_id: int) -> object:
                locked.append(workspace_id)
                return await workspaces.lock(workspace_id)

        unit.workspaces = _Watched()  # type: ignore[assignment]
        return unit


async def test_changes_hold_the_workspace_until_they_commit_and_reads_never_lock_it() -> None:
    db = _LockWatchingDatabase()
    team = Team(db=db)
    await team.setup()
    owner = await team.member("olga@contoso.com", "owner", 1)
    viewer = await team.member("vic@contoso.com", "viewer", 1)
    editor = await team.member("eddie@contoso.com", "editor", 1)
    reads = (team.members(owner, 1), team.list_invites(owner, 1), team.audit(owner, 1))
    for read in reads:
        await read
    assert db.locked == []
    changes = {
        "invite": team.invite(owner, 1, "new@contoso.com", "viewer"),
        "role": team.change(owner, 1, viewer.user_id, "editor"),
        "removal": team.remove(owner, 1, editor.user_id),
        "workspace": team.update(owner, 1, WorkspaceChanges(name="Acme Two")),
    }
    for what, change in changes.items():
        db.locked.clear()
        await change
        assert db.locked == [1], what


async def test_a_member_whose_user_is_unknown_is_listed_without_a_name_or_address(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    async with team.db.unit_of_work() as uow:
        await uow.memberships.add(Membership("gone", 1, "viewer", team.clock.now()))
        await uow.commit()
    listed = {view.user_id: view for view in await team.members(owner, 1)}
    assert listed["gone"] == MemberView("gone", "", None, "viewer", team.clock.now())
    assert listed[owner.user_id].email == "olga@contoso.com"
