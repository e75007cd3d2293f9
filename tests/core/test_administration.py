from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import ErrorCode, SignInError
from core.model import InviteStatus, ProviderKind, UserDirectory
from core.usecases.administration import STANDARD_ROLES
from tests.core.builders import T0, aad
from tests.core.world import World


async def failure(awaitable: object) -> SignInError:
    with pytest.raises(SignInError) as caught:
        await awaitable  # type: ignore[misc]
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    return caught.value


async def test_workspaces_get_increasing_ids_and_a_clean_host(world: World) -> None:
    added = await world.admin.add_workspace("  Tailspin ", "https://tailspin.example/")
    assert (added.id, added.name, added.frontend_host) == (3, "Tailspin", "https://tailspin.example")
    assert [w.id for w in await world.admin.workspaces()] == [1, 2, 3]


async def test_a_removed_workspace_takes_its_members_and_nobody_lands_in_it(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 2, "editor", accepted=True)
    alice = await world.login(aad("alice@contoso.com"))
    assert alice.landing_path == "/workspace/2/home"
    removed = await world.admin.remove_workspace(2)
    assert (removed.id, removed.name) == (2, "Fabrikam")
    assert [w.id for w in await world.admin.workspaces()] == [1]
    assert (await world.login(aad("alice@contoso.com"))).landing_path == "/no-workspace"
    error = await failure(world.admin.remove_workspace(2))
    assert error.detail == "no such workspace"


HOST = "the host must be an origin such as https://app.example.com"


@pytest.mark.parametrize(
    ("name", "host", "message"),
    [("  ", "https://a.example", "a workspace needs a name"), ("A", "https://a.example/home", HOST),
     ("A", "a.example", HOST), ("A", "ftp://a.example", HOST)],
)
async def test_workspace_needs_a_name_and_a_bare_origin(
    world: World, name: str, host: str, message: str
) -> None:
    rows = world.rows()
    assert (await failure(world.admin.add_workspace(name, host))).detail == message
    assert world.rows() == rows


async def test_a_workspace_host_keeps_its_spelling_without_the_trailing_slash(world: World) -> None:
    assert (await world.admin.add_workspace("Fox", "https://FOX.BOX/")).frontend_host == "https://FOX.BOX"


async def test_ensure_roles_is_idempotent_and_adds_only_missing_roles(world: World) -> None:
    assert [r.name for r in await world.admin.roles()] == [name for name, _ in STANDARD_ROLES]
    roles = await world.admin.ensure_roles([*STANDARD_ROLES, ("auditor", 5)])
    assert [(r.name, r.rank) for r in roles][-1] == ("auditor", 5)
    assert len({r.id for r in roles}) == 4
    assert await world.admin.ensure_roles() == roles


async def test_invite_stores_the_normalised_address_pending_or_accepted(world: World) -> None:
    expires = world.clock.now() + timedelta(days=7)
    pending = await world.admin.invite("  Bob@Contoso.COM ", 1, "editor", expires_at=expires)
    accepted = await world.admin.invite("carol@contoso.com", 2, "viewer", accepted=True)
    assert pending.email == "bob@contoso.com" and pending.status is InviteStatus.PENDING
    assert pending.expires_at == expires and pending.created_at == world.clock.now()
    assert accepted.status is InviteStatus.ACCEPTED
    assert [i.id for i in await world.admin.invites()] == [pending.id, accepted.id]


@pytest.mark.parametrize(
    ("email", "workspace", "role", "message"),
    [("not-an-email", 1, "viewer", "not a valid email address"),
     ("bob@contoso.com", 99, "viewer", "no workspace 99"),
     ("bob@contoso.com", 1, "janitor", "no role named 'janitor'")],
)
async def test_invite_refuses_a_bad_address_workspace_or_role(
    world: World, email: str, workspace: int, role: str, message: str
) -> None:
    rows = world.rows()
    assert (await failure(world.admin.invite(email, workspace, role))).detail == message
    assert world.rows() == rows


async def test_invite_moves_from_pending_to_accepted_or_revoked_only(world: World) -> None:
    invite = await world.admin.invite("bob@contoso.com", 1, "viewer")
    accepted = await world.admin.accept_invite(invite.id)
    assert accepted.status is InviteStatus.ACCEPTED
    assert (await failure(world.admin.accept_invite(invite.id))).detail == f"invite {invite.id} is accepted"
    revoked = await world.admin.revoke_invite(invite.id)
    assert revoked.status is InviteStatus.REVOKED
    assert (await failure(world.admin.revoke_invite(invite.id))).detail == f"invite {invite.id} is revoked"
    await failure(world.admin.accept_invite(invite.id))
    assert (await failure(world.admin.accept_invite("nope"))).detail == "no invite nope"
    assert {i.id: i.status for i in await world.admin.invites()}[invite.id] is InviteStatus.REVOKED


async def test_applied_invite_can_no_longer_be_revoked(world: World) -> None:
    invite = await world.admin.invite("alice@contoso.com", 1, "viewer", accepted=True)
    await world.record(aad("alice@contoso.com"))
    await failure(world.admin.revoke_invite(invite.id))


async def test_provider_joins_the_directory_of_its_first_own_domain(world: World) -> None:
    provider = await world.admin.add_provider(
        "Fabrikam", ProviderKind.EXTERNAL_AD, "  https://fabrikam/issuer ",
        domains=["outlook.com", "Fabrikam.COM.", "fabrikam.net"], trusted=True,
    )
    assert provider.issuer == "https://fabrikam/issuer"
    assert provider.domains == ("outlook.com", "fabrikam.com", "fabrikam.net") and provider.trusted
    async with world.db.unit_of_work() as uow:
        directory = await uow.directories.by_domain("fabrikam.com")
    assert directory is not None and directory.id == provider.directory_id
    again = await world.admin.add_provider("Other", ProviderKind.SOCIAL, "other", domains=["fabrikam.org"])
    assert again.directory_id != provider.directory_id
    assert [p.id for p in await world.admin.providers()][-2:] == [provider.id, again.id]


async def test_provider_with_consumer_or_no_domains_joins_the_default_directory(world: World) -> None:
    providers = {p.issuer: p for p in await world.admin.providers()}
    local, google = providers[next(i for i in providers if "b2c" in i)], providers["google.com"]
    assert local.directory_id == google.directory_id
    async with world.db.unit_of_work() as uow:
        default = await uow.directories.default()
    assert default is not None and default.id == local.directory_id
    assert default.name == world.policy.default_directory_name
    rows = world.rows()
    later = await world.admin.add_provider("Microsoft accounts", ProviderKind.MICROSOFT_ACCOUNT, "msa")
    assert later.directory_id == default.id and world.rows()["directories"] == rows["directories"]


async def test_a_provider_joins_an_existing_directory_of_its_domain(world: World) -> None:
    async with world.db.unit_of_work() as uow:   # a directory whose provider an operator removed
        await uow.directories.add(UserDirectory("dir-northwind", "Northwind", "northwind.example", T0))
        await uow.commit()
    added = await world.admin.add_provider("NW", ProviderKind.SOCIAL, "nw", domains=["northwind.example"])
    assert added.directory_id == "dir-northwind"


async def test_a_provider_is_stored_with_its_name_kind_directory_and_time(world: World) -> None:
    world.clock.advance(60)
    added = await world.admin.add_provider("Tailspin", ProviderKind.EXTERNAL_AD, "https://tailspin/issuer",
                                           domains=["tailspin.example"])
    async with world.db.unit_of_work() as uow:
        stored = await uow.providers.by_issuer("https://tailspin/issuer")
        directory = await uow.directories.by_domain("tailspin.example")
    assert stored == added and directory is not None
    assert (stored.name, stored.kind) == ("Tailspin", ProviderKind.EXTERNAL_AD)
    assert stored.directory_id == directory.id
    assert stored.created_at == directory.created_at == world.clock.now()
    assert directory.name == "tailspin.example"


async def test_roles_get_consecutive_ids_from_1(world: World) -> None:
    assert [r.id for r in await world.admin.roles()] == [1, 2, 3]
    roles = await world.admin.ensure_roles([("auditor", 5), ("guest", 1)])
    assert [(r.id, r.name) for r in roles][-2:] == [(4, "auditor"), (5, "guest")]


TAKEN = "a provider with that issuer or domain exists already"


@pytest.mark.parametrize(
    ("issuer", "domains", "message"),
    [("google.com", (), TAKEN), ("new-issuer", ("gmail.com",), TAKEN),
     ("  ", (), "a provider needs an issuer"), ("new-issuer", ("bad domain",), "not a domain: 'bad domain'")],
)
async def test_provider_with_a_taken_issuer_or_domain_or_bad_input_is_refused(
    world: World, issuer: str, domains: tuple[str, ...], message: str
) -> None:
    rows = world.rows()
    error = await failure(world.admin.add_provider("X", ProviderKind.SOCIAL, issuer, domains=domains))
    assert error.detail == message
    assert world.rows() == rows


async def test_ensure_provider_adds_once_and_keeps_an_existing_one(world: World) -> None:
    made, added = await world.admin.ensure_provider("Local (new)", ProviderKind.LOCAL, " https://new/v2.0/ ")
    assert added and made.issuer == "https://new/v2.0/" and made.kind is ProviderKind.LOCAL
    rows = world.rows()
    again, added = await world.admin.ensure_provider("Other name", ProviderKind.SOCIAL, "https://new/v2.0/")
    assert not added and again == made and world.rows() == rows
    google, added = await world.admin.ensure_provider("G", ProviderKind.LOCAL, "google.com")
    assert not added and google.name != "G"  # an operator's own registration is kept as it is


async def test_ensure_provider_finds_the_winner_of_a_race(world: World) -> None:
    real = world.admin.add_provider

    async def lose_the_race(name: str, kind: ProviderKind, issuer: str) -> object:
        await real("Winner", kind, issuer)  # another process, between our look-up and our add
        return await real(name, kind, issuer)

    world.admin.add_provider = lose_the_race  # type: ignore[method-assign,assignment]
    found, added = await world.admin.ensure_provider("Loser", ProviderKind.LOCAL, "https://raced/v2.0")
    assert not added and found.name == "Winner"
    with pytest.raises(SignInError):  # a refusal that is not a race is not hidden
        await world.admin.ensure_provider("Bad", ProviderKind.LOCAL, "  ")


async def test_users_are_listed_in_creation_order(world: World) -> None:
    first = await world.record(aad("a@contoso.com", oid="a"))
    world.clock.advance(1)
    second = await world.record(aad("b@contoso.com", oid="b"))
    assert [u.id for u in await world.admin.users()] == [first.user.id, second.user.id]


async def test_find_user_by_any_spelling_of_the_verified_email_or_by_id(world: World) -> None:
    signed_in = await world.login(aad("alice@contoso.com", oid="alice"))
    found = await world.admin.find_user("  ALICE@contoso.com ")
    assert found.id == signed_in.user_id
    assert (await world.admin.find_user(signed_in.user_id)).email == "alice@contoso.com"
    for missing in ("bob@contoso.com", "no-such-id", "not@an@email"):
        error = await failure(world.admin.find_user(missing))
        assert error.detail == "no such user"
