"""The part of the unit-of-work contract for role mappings (app roles and groups to
workspace roles) and for memberships that remember where their role comes from."""

from __future__ import annotations

from dataclasses import replace

from adapters.contracts.records import Person, membership, new_id
from adapters.contracts.uow_support import UnitOfWorkFixtures, committed, refused_as_duplicate
from adapters.contracts.uow_workspaces import _workspaces
from core.model import GrantOrigin, MappingSource, RoleMapping
from core.ports.unit_of_work import UnitOfWorkFactory

GROUP = "0b1e7a2c-0000-4000-8000-00000000000a"


def mapping(
    provider_id: str, workspace_id: int, value: str = "Workspace.Editor", **changes: object
) -> RoleMapping:
    values: dict[str, object] = {
        "id": new_id(),
        "provider_id": provider_id,
        "source": MappingSource.APP_ROLE,
        "value": value,
        "workspace_id": workspace_id,
        "role": "editor",
    }
    return RoleMapping(**{**values, **changes})  # type: ignore[arg-type]


class RoleMappingContract(UnitOfWorkFixtures):
    async def test_role_mappings_round_trip_in_order(self, uow_factory: UnitOfWorkFactory) -> None:
        first, second = await _workspaces(uow_factory, 2)
        alice, bob = Person(), Person("bob@contoso.com")
        group = mapping(alice.provider.id, first, GROUP, source=MappingSource.GROUP, role="owner")
        role = mapping(alice.provider.id, first)
        later = mapping(alice.provider.id, second)
        other = mapping(bob.provider.id, first)
        await committed(
            uow_factory,
            alice.add,
            bob.add,
            *(lambda uow, m=m: uow.role_mappings.add(m) for m in (later, other, group, role)),
        )
        async with uow_factory() as uow:
            assert list(await uow.role_mappings.for_provider(alice.provider.id)) == [role, group, later]
            assert list(await uow.role_mappings.for_provider("no-such-provider")) == []
            listed = list(await uow.role_mappings.list())
        assert sorted(listed, key=lambda m: m.id) == sorted([role, group, later, other], key=lambda m: m.id)
        assert [m for m in listed if m.provider_id == alice.provider.id] == [role, group, later]

    async def test_one_mapping_per_provider_source_value_and_workspace(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        (workspace,) = await _workspaces(uow_factory, 1)
        alice = Person()
        first = mapping(alice.provider.id, workspace)
        await committed(uow_factory, alice.add, lambda uow: uow.role_mappings.add(first))
        await refused_as_duplicate(
            uow_factory, lambda uow: uow.role_mappings.add(replace(first, id=new_id(), role="owner"))
        )
        group = replace(first, id=new_id(), source=MappingSource.GROUP)
        await committed(uow_factory, lambda uow: uow.role_mappings.add(group))

    async def test_remove_a_mapping(self, uow_factory: UnitOfWorkFactory) -> None:
        (workspace,) = await _workspaces(uow_factory, 1)
        alice = Person()
        kept, gone = mapping(alice.provider.id, workspace), mapping(alice.provider.id, workspace, "Other")
        await committed(
            uow_factory,
            alice.add,
            lambda uow: uow.role_mappings.add(kept),
            lambda uow: uow.role_mappings.add(gone),
        )
        async with uow_factory() as uow:
            assert await uow.role_mappings.remove(gone.id) is True
            assert await uow.role_mappings.remove(gone.id) is False
            await uow.commit()
        async with uow_factory() as uow:
            assert list(await uow.role_mappings.for_provider(alice.provider.id)) == [kept]

    async def test_memberships_keep_their_origin_and_base_role(self, uow_factory: UnitOfWorkFactory) -> None:
        first, second = await _workspaces(uow_factory, 2)
        alice = Person()
        direct = membership(alice.user, first, "viewer")
        mapped = replace(
            membership(alice.user, second, "owner"), origin=GrantOrigin.MAPPING, base_role="viewer"
        )
        await committed(
            uow_factory,
            alice.add,
            lambda uow: uow.memberships.add(direct),
            lambda uow: uow.memberships.add(mapped),
        )
        async with uow_factory() as uow:
            assert list(await uow.memberships.for_user(alice.user.id)) == [direct, mapped]
        raised = replace(direct, role="editor", origin=GrantOrigin.MAPPING, base_role="viewer")
        back = replace(mapped, role="viewer", origin=GrantOrigin.DIRECT, base_role=None)
        await committed(
            uow_factory, lambda uow: uow.memberships.update(raised), lambda uow: uow.memberships.update(back)
        )
        async with uow_factory() as uow:
            assert list(await uow.memberships.for_user(alice.user.id)) == [raised, back]

    async def test_remove_a_membership(self, uow_factory: UnitOfWorkFactory) -> None:
        first, second = await _workspaces(uow_factory, 2)
        alice = Person()
        kept, gone = membership(alice.user, first), membership(alice.user, second)
        await committed(
            uow_factory,
            alice.add,
            lambda uow: uow.memberships.add(kept),
            lambda uow: uow.memberships.add(gone),
        )
        async with uow_factory() as uow:
            await uow.memberships.remove(alice.user.id, second)
            await uow.memberships.remove(alice.user.id, second)  # not an error
            await uow.memberships.remove(alice.user.id, 999)
            await uow.commit()
        async with uow_factory() as uow:
            assert list(await uow.memberships.for_user(alice.user.id)) == [kept]
