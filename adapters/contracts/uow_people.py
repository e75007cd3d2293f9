"""Unit-of-work contract, part 2: users, accounts, directories and identity providers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.contracts.records import ISSUER, Person, account, at, directory, provider, user
from adapters.contracts.uow_support import UnitOfWorkFixtures, committed, refused_as_duplicate
from core.model import ProviderKind
from core.ports.unit_of_work import UnitOfWorkFactory


class UserAccountContract(UnitOfWorkFixtures):
    async def test_a_user_round_trips_with_aware_utc_times(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = user("alice@contoso.com", last_workspace_id=None)
        await committed(uow_factory, lambda uow: uow.users.add(alice))
        async with uow_factory() as uow:
            found = await uow.users.get(alice.id)
        assert found == alice
        assert found is not None and found.created_at.utcoffset() == timedelta(0)

    async def test_an_unknown_user_is_none(self, uow_factory: UnitOfWorkFactory) -> None:
        async with uow_factory() as uow:
            assert await uow.users.get("00000000-0000-0000-0000-000000000000") is None
            assert await uow.users.by_email("nobody@contoso.com") is None

    async def test_by_email_finds_the_verified_user(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = user("alice@contoso.com")
        await committed(uow_factory, lambda uow: uow.users.add(alice))
        async with uow_factory() as uow:
            assert await uow.users.by_email("alice@contoso.com") == alice

    async def test_by_email_never_finds_an_unverified_user(self, uow_factory: UnitOfWorkFactory) -> None:
        squatter = user("alice@contoso.com", verified=False)
        await committed(uow_factory, lambda uow: uow.users.add(squatter))
        async with uow_factory() as uow:
            assert await uow.users.by_email("alice@contoso.com") is None
            assert (await uow.users.get(squatter.id)) == squatter

    async def test_a_verified_email_belongs_to_one_user(self, uow_factory: UnitOfWorkFactory) -> None:
        first, second = user("alice@contoso.com"), user("alice@contoso.com")
        await refused_as_duplicate(
            uow_factory, lambda uow: uow.users.add(first), lambda uow: uow.users.add(second)
        )

    async def test_a_verified_email_taken_earlier_is_refused(self, uow_factory: UnitOfWorkFactory) -> None:
        await committed(uow_factory, lambda uow: uow.users.add(user("alice@contoso.com")))
        await refused_as_duplicate(uow_factory, lambda uow: uow.users.add(user("alice@contoso.com")))

    async def test_unverified_users_may_share_an_address_with_anyone(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        owner = user("alice@contoso.com")
        squatters = [user("alice@contoso.com", verified=False) for _ in range(2)]
        await committed(uow_factory, *(lambda uow, u=u: uow.users.add(u) for u in [owner, *squatters]))
        async with uow_factory() as uow:
            assert len(await uow.users.list()) == 3
            assert await uow.users.by_email("alice@contoso.com") == owner

    async def test_a_user_id_is_unique(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = user("alice@contoso.com")
        await committed(uow_factory, lambda uow: uow.users.add(alice))
        await refused_as_duplicate(
            uow_factory, lambda uow: uow.users.add(replace(alice, email="a2@contoso.com"))
        )

    async def test_users_are_listed_by_creation_time_then_id(self, uow_factory: UnitOfWorkFactory) -> None:
        late = user("late@contoso.com", created=60)
        early = [user(f"early{n}@contoso.com", created=0) for n in range(3)]
        await committed(uow_factory, *(lambda uow, u=u: uow.users.add(u) for u in [late, *early]))
        async with uow_factory() as uow:
            listed = await uow.users.list()
        assert list(listed) == [*sorted(early, key=lambda u: u.id), late]

    async def test_an_account_is_found_by_its_key_and_its_user(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        await committed(uow_factory, alice.add)
        async with uow_factory() as uow:
            assert await uow.accounts.by_key(alice.provider.issuer, alice.account.object_id) == alice.account
            assert await uow.accounts.by_key(alice.provider.issuer, "other-oid") is None
            assert await uow.accounts.by_key("https://elsewhere.example.com", alice.account.object_id) is None
            assert await uow.accounts.for_user(alice.user.id) == [alice.account]
            assert await uow.accounts.for_user(user("x@contoso.com").id) == []

    async def test_a_user_may_have_several_accounts(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        other_place = provider("https://other.example.com/v2.0", alice.directory.id)
        second = account(alice.user, other_place, object_id=alice.account.object_id)
        await committed(
            uow_factory,
            alice.add,
            lambda uow: uow.providers.add(other_place),
            lambda uow: uow.accounts.add(second),
        )
        async with uow_factory() as uow:
            assert {a.id for a in await uow.accounts.for_user(alice.user.id)} == {alice.account.id, second.id}

    async def test_issuer_and_object_id_are_one_account(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        await committed(uow_factory, alice.add)
        bob = Person("bob@contoso.com", place=alice.provider)
        clash = replace(bob.account, object_id=alice.account.object_id)
        await refused_as_duplicate(
            uow_factory, lambda uow: bob.add(uow, with_account=False), lambda uow: uow.accounts.add(clash)
        )

    async def test_update_replaces_the_account(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        await committed(uow_factory, alice.add)
        changed = replace(
            alice.account, email="alice@new.example.com", display_name="A", last_login_at=at(99)
        )
        await committed(uow_factory, lambda uow: uow.accounts.update(changed))
        async with uow_factory() as uow:
            assert await uow.accounts.by_key(changed.issuer, changed.object_id) == changed

    async def test_updating_an_unknown_account_is_a_key_error(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        await committed(uow_factory, lambda uow: alice.add(uow, with_account=False))
        with pytest.raises(KeyError):
            await committed(uow_factory, lambda uow: uow.accounts.update(alice.account))


class DirectoryProviderContract(UnitOfWorkFixtures):
    async def test_directories_are_found_by_domain(self, uow_factory: UnitOfWorkFactory) -> None:
        contoso, default = directory("contoso.com"), directory(None)
        await committed(
            uow_factory, lambda uow: uow.directories.add(contoso), lambda uow: uow.directories.add(default)
        )
        async with uow_factory() as uow:
            assert await uow.directories.by_domain("contoso.com") == contoso
            assert await uow.directories.by_domain("fabrikam.com") is None
            assert await uow.directories.default() == default

    async def test_there_is_no_default_directory_until_one_is_added(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        await committed(uow_factory, lambda uow: uow.directories.add(directory("contoso.com")))
        async with uow_factory() as uow:
            assert await uow.directories.default() is None

    async def test_a_domain_has_one_directory(self, uow_factory: UnitOfWorkFactory) -> None:
        await committed(uow_factory, lambda uow: uow.directories.add(directory("contoso.com")))
        await refused_as_duplicate(uow_factory, lambda uow: uow.directories.add(directory("contoso.com")))

    async def test_there_is_one_default_directory(self, uow_factory: UnitOfWorkFactory) -> None:
        await committed(uow_factory, lambda uow: uow.directories.add(directory(None)))
        await refused_as_duplicate(uow_factory, lambda uow: uow.directories.add(directory(None)))

    async def test_providers_are_found_by_id_issuer_and_each_domain(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        home = directory("contoso.com")
        contoso = provider(ISSUER, home.id, ("contoso.com", "contoso.co.uk"), kind=ProviderKind.EXTERNAL_AD)
        google = provider("google.com", home.id, kind=ProviderKind.SOCIAL, trusted=False, created_at=None)
        await committed(
            uow_factory,
            lambda uow: uow.directories.add(home),
            lambda uow: uow.providers.add(contoso),
            lambda uow: uow.providers.add(google),
        )
        async with uow_factory() as uow:
            assert await uow.providers.get(contoso.id) == contoso
            assert await uow.providers.by_issuer(ISSUER) == contoso
            assert await uow.providers.by_issuer("google.com") == google
            assert await uow.providers.by_domain("contoso.co.uk") == contoso
            assert await uow.providers.by_domain("gmail.com") is None
            assert {p.id for p in await uow.providers.list()} == {contoso.id, google.id}

    async def test_an_issuer_has_one_provider(self, uow_factory: UnitOfWorkFactory) -> None:
        home = directory("contoso.com")
        await committed(
            uow_factory,
            lambda uow: uow.directories.add(home),
            lambda uow: uow.providers.add(provider(ISSUER, home.id)),
        )
        await refused_as_duplicate(uow_factory, lambda uow: uow.providers.add(provider(ISSUER, home.id)))

    async def test_a_domain_has_one_provider(self, uow_factory: UnitOfWorkFactory) -> None:
        home = directory("contoso.com")
        first = provider(ISSUER, home.id, ("contoso.com", "contoso.co.uk"))
        await committed(
            uow_factory, lambda uow: uow.directories.add(home), lambda uow: uow.providers.add(first)
        )
        second = provider("https://other.example.com/v2.0", home.id, ("fabrikam.com", "contoso.co.uk"))
        await refused_as_duplicate(uow_factory, lambda uow: uow.providers.add(second))

    async def test_targeted_user_changes_touch_one_field_each(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        await committed(uow_factory, alice.add)
        async with uow_factory() as uow:
            workspace = await uow.workspaces.add("Acme", "https://acme.example")
            await uow.users.set_last_workspace(alice.user.id, workspace.id)
            await uow.users.disable(alice.user.id)
            await uow.users.disable(alice.user.id)  # twice is fine
            await uow.commit()
        async with uow_factory() as uow:
            found = await uow.users.get(alice.user.id)
        assert found == replace(alice.user, last_workspace_id=workspace.id, disabled=True)
        with pytest.raises(KeyError):
            await committed(uow_factory, lambda uow: uow.users.disable("no-such-user"))

    async def test_enable_clears_only_disabled(self, uow_factory: UnitOfWorkFactory) -> None:
        alice = Person()
        await committed(uow_factory, alice.add)
        async with uow_factory() as uow:
            workspace = await uow.workspaces.add("Acme", "https://acme.example")
            await uow.users.set_last_workspace(alice.user.id, workspace.id)
            await uow.users.disable(alice.user.id)
            await uow.commit()
        async with uow_factory() as uow:
            await uow.users.enable(alice.user.id)
            await uow.users.enable(alice.user.id)  # twice is fine
            await uow.commit()
        async with uow_factory() as uow:
            found = await uow.users.get(alice.user.id)
        assert found == replace(alice.user, last_workspace_id=workspace.id, disabled=False)
        with pytest.raises(KeyError):
            await committed(uow_factory, lambda uow: uow.users.enable("no-such-user"))
