"""Workspaces over the use cases: creation (who may, which host), one's own list, changes,
and the audit trail (memory adapters)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from core.errors import AdminErrorCode
from core.model import AuditEvent, Membership, Role, Workspace
from core.policy import SignInPolicy
from core.rules.workspaces import Actor
from core.usecases.workspaces import WorkspaceChanges, WorkspaceRole, allowed_host
from tests.core.workspace_support import FRONTEND, ORIGINS, Team, refused


@pytest.fixture
async def team() -> Team:
    built = Team()
    await built.setup()
    return built


async def test_creating_a_workspace_makes_the_caller_its_owner(team: Team) -> None:
    alice = await team.person("alice@contoso.com")
    actor = Actor(alice.id, "corr-1")
    created = await team.create_workspace(actor, "  Tailspin ", "HTTP://LOCALHOST:3001/")
    now = team.clock.now()
    assert created.workspace == Workspace(2, "Tailspin", "http://localhost:3001", False)
    assert created.membership == Membership(alice.id, 2, "owner", now)
    assert created.event == AuditEvent(
        created.event.id, now, alice.id, "workspace_created", 2, "2", (), "corr-1"
    )
    assert await team.my_workspaces(actor) == (WorkspaceRole(created.workspace, "owner"),)
    assert await team.roles(2) == {alice.id: "owner"}


async def test_creating_the_first_workspace_creates_the_standard_roles() -> None:
    team = Team()
    alice = await team.person("alice@contoso.com")
    created = await team.create_workspace(Actor(alice.id), "First", FRONTEND)
    assert created.membership.role == "owner"
    roles = await team.admin.roles()
    assert [(r.name, r.rank) for r in roles] == [("owner", 30), ("editor", 20), ("viewer", 10)]
    assert [r.id for r in await team.admin.roles()] == [1, 2, 3]


@pytest.mark.parametrize(
    ("creators", "email", "code"),
    [
        ((), "alice@contoso.com", AdminErrorCode.FORBIDDEN),
        (("fabrikam.com",), "alice@contoso.com", AdminErrorCode.FORBIDDEN),
        (("*",), None, AdminErrorCode.FORBIDDEN),
        (("contoso.com",), "alice@contoso.com", None),
    ],
)
async def test_the_operator_decides_who_creates_workspaces(creators, email, code) -> None:
    team = Team(policy=SignInPolicy(workspace_creators=creators))
    await team.setup()
    person = await team.person(email)
    before = team.snapshot()
    if code is None:
        assert (await team.create_workspace(Actor(person.id), "W", FRONTEND)).workspace.id == 2
    else:
        await refused(code, team.create_workspace(Actor(person.id), "W", FRONTEND))
        assert team.snapshot() == before


@pytest.mark.parametrize(
    ("actor", "name", "host", "code"),
    [
        ("alice", "W", "https://evil.example", AdminErrorCode.INVALID_REQUEST),
        ("alice", "W", "https://app.contoso.com/path", AdminErrorCode.INVALID_REQUEST),
        ("alice", "", FRONTEND, AdminErrorCode.INVALID_REQUEST),
        ("operator", "W", FRONTEND, AdminErrorCode.FORBIDDEN),
        ("ghost", "W", FRONTEND, AdminErrorCode.FORBIDDEN),
    ],
)
async def test_bad_workspace_creations_write_nothing(team: Team, actor, name, host, code) -> None:
    alice = await team.person("alice@contoso.com")
    who = {"alice": Actor(alice.id), "operator": Actor.operator(), "ghost": Actor("ghost")}[actor]
    before = team.snapshot()
    error = await refused(code, team.create_workspace(who, name, host))
    assert team.snapshot() == before
    if host == "https://evil.example":
        assert error.detail == "the host is not an allowed origin"


def test_an_allowed_host_is_spelt_as_the_allow_list_spells_it() -> None:
    assert allowed_host("https://APP.contoso.com:443", ORIGINS) == FRONTEND


async def test_my_workspaces_lists_only_mine_with_my_role(team: Team) -> None:
    globex = await team.admin.add_workspace("Globex", "https://g.example")
    viewer = await team.member("vic@contoso.com", "viewer", 1)
    async with team.db.unit_of_work() as uow:
        await uow.memberships.add(Membership(viewer.user_id, globex.id, "owner", team.clock.now()))
        await uow.commit()
    acme = Workspace(1, "Acme", FRONTEND)
    assert await team.my_workspaces(viewer) == (WorkspaceRole(acme, "viewer"), WorkspaceRole(globex, "owner"))
    assert await team.my_workspaces(Actor((await team.person("x@contoso.com")).id)) == ()
    assert await team.my_workspaces(Actor.operator()) == ()


async def test_an_owner_changes_the_workspace_and_each_change_is_audited(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    team.clock.advance(7)
    updated = await team.update(
        owner, 1,
        WorkspaceChanges(name=" Acme Two ", frontend_host="http://localhost:3001", editors_invite=True),
    )
    assert updated.workspace == Workspace(1, "Acme Two", "http://localhost:3001", True)
    assert updated.event == AuditEvent(
        updated.event.id, team.clock.now(), owner.user_id, "workspace_updated", 1, "1",
        (("editors_invite", "True"), ("frontend_host", "http://localhost:3001"), ("name", "Acme Two")),
        owner.correlation_id,
    )
    only_name = await team.update(owner, 1, WorkspaceChanges(name="Acme Three"))
    assert only_name.workspace == replace(updated.workspace, name="Acme Three")
    assert only_name.event is not None and only_name.event.details == (("name", "Acme Three"),)
    before = team.snapshot()
    unchanged = await team.update(owner, 1, WorkspaceChanges(name="Acme Three", editors_invite=True))
    assert unchanged.event is None and unchanged.workspace == only_name.workspace
    assert (await team.update(owner, 1, WorkspaceChanges())).event is None
    assert team.snapshot() == before
    async with team.db.unit_of_work() as uow:
        assert await uow.workspaces.get(1) == only_name.workspace


@pytest.mark.parametrize(
    ("role", "changes", "code"),
    [
        ("editor", WorkspaceChanges(name="X"), AdminErrorCode.FORBIDDEN),
        ("owner", WorkspaceChanges(frontend_host="https://evil.example"), AdminErrorCode.INVALID_REQUEST),
        ("owner", WorkspaceChanges(name=" "), AdminErrorCode.INVALID_REQUEST),
    ],
)
async def test_refused_workspace_changes_write_nothing(team: Team, role, changes, code) -> None:
    actor = await team.member("someone@contoso.com", role, 1)
    before = team.snapshot()
    await refused(code, team.update(actor, 1, changes))
    assert team.snapshot() == before


async def test_the_audit_trail_is_for_owners_newest_first(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    editor = await team.member("ed@contoso.com", "editor", 1)
    globex = await team.create_workspace(owner, "Globex", FRONTEND)
    team.clock.advance(1)
    first = (await team.invite(owner, 1, "a@contoso.com", "viewer")).event
    team.clock.advance(1)
    second = (await team.change(owner, 1, editor.user_id, "viewer")).event
    assert list(await team.audit(owner, 1)) == [second, first]
    assert list(await team.audit(owner, 1, limit=1)) == [second]
    assert list(await team.audit(owner, 1, limit=0)) == [second]  # at least one
    assert list(await team.audit(Actor.operator(), None)) == [second, first, globex.event]
    assert list(await team.audit(owner, globex.workspace.id)) == [globex.event]
    await refused(AdminErrorCode.FORBIDDEN, team.audit(editor, 1))
    await refused(AdminErrorCode.FORBIDDEN, team.audit(owner, None))
    await refused(AdminErrorCode.NOT_FOUND, team.audit(editor, globex.workspace.id))


async def test_the_audit_limit_is_capped_at_a_thousand(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    async with team.db.unit_of_work() as uow:
        for n in range(1005):
            await uow.audit.add(AuditEvent(f"e{n:05}", team.clock.now(), owner.user_id, "x", 1, "t"))
        await uow.commit()
    assert len(await team.audit(owner, 1, limit=5000)) == 1000
    assert len(await team.audit(owner, 1, limit=1000)) == 1000
    assert len(await team.audit(owner, 1, limit=999)) == 999
    assert len(await team.audit(owner, 1)) == 100


def test_the_invite_lifetime_is_positive_and_at_most_thirty_days() -> None:
    from datetime import timedelta

    assert SignInPolicy().invite_lifetime == timedelta(days=7)
    assert SignInPolicy().workspace_creators == ()
    assert SignInPolicy(invite_lifetime=timedelta(days=30)).invite_lifetime == timedelta(days=30)
    for bad in (timedelta(days=30, microseconds=1), timedelta(0), timedelta(seconds=-1)):
        with pytest.raises(ValueError, match="invite_lifetime must be positive and at most 30 days"):
            SignInPolicy(invite_lifetime=bad)
    assert SignInPolicy(invite_lifetime=timedelta(microseconds=1)).invite_lifetime.microseconds == 1


async def test_each_workspace_refusal_says_why_in_its_own_words(team: Team) -> None:
    alice = await team.person(None)  # no verified email: "*" lets her create nothing
    editor = await team.member("ed@contoso.com", "editor", 1)
    said = {
        "operator creates": await refused(
            AdminErrorCode.FORBIDDEN, team.create_workspace(Actor.operator(), "W", FRONTEND)),
        "not a creator": await refused(
            AdminErrorCode.FORBIDDEN, team.create_workspace(Actor(alice.id), "W", FRONTEND)),
        "editor changes": await refused(
            AdminErrorCode.FORBIDDEN, team.update(editor, 1, WorkspaceChanges(name="X"))),
        "every trail": await refused(AdminErrorCode.FORBIDDEN, team.audit(editor, None)),
        "editor reads": await refused(AdminErrorCode.FORBIDDEN, team.audit(editor, 1)),
    }
    assert {k: e.detail for k, e in said.items()} == {
        "operator creates": "the operator adds workspaces with `workspace add`",
        "not a creator": "you may not create workspaces",
        "editor changes": "only an owner may change the workspace",
        "every trail": "only the operator reads every trail",
        "editor reads": "only an owner may read the audit trail",
    }


async def test_the_operators_whole_trail_honours_the_limit(team: Team) -> None:
    owner = await team.member("olga@contoso.com", "owner", 1)
    async with team.db.unit_of_work() as uow:
        for n in range(150):
            await uow.audit.add(AuditEvent(f"e{n:05}", team.clock.now(), owner.user_id, "x", 1, "t"))
        await uow.commit()
    assert len(await team.audit(Actor.operator(), None, limit=3)) == 3
    assert len(await team.audit(Actor.operator(), None)) == 100


async def test_a_first_workspace_adds_only_the_standard_roles_that_are_missing() -> None:
    team = Team()
    async with team.db.unit_of_work() as uow:
        await uow.roles.add(Role(7, "editor", 20))
        await uow.commit()
    alice = await team.person("alice@contoso.com")
    created = await team.create_workspace(Actor(alice.id), "First", FRONTEND)
    assert created.membership.role == "owner"
    roles = await team.admin.roles()
    assert sorted((r.id, r.name, r.rank) for r in roles) == [
        (7, "editor", 20), (8, "owner", 30), (9, "viewer", 10)]
