"""App roles and groups to workspace roles: the pure rule, at its boundaries."""

from __future__ import annotations

import pytest

from core.model import GrantOrigin, MappingSource, Membership, Role, RoleMapping
from core.rules.memberships import grant_invites
from core.rules.role_mappings import MappingGrants, apply_role_mappings, mapped_roles
from tests.core.builders import ROLES, T0, invite, user

GROUP_A = "0b1e7a2c-0000-4000-8000-00000000000a"
GROUP_B = "0b1e7a2c-0000-4000-8000-00000000000b"
M = GrantOrigin.MAPPING
D = GrantOrigin.DIRECT


def rule(
    value: str, workspace: int, role: str, source: MappingSource = MappingSource.APP_ROLE
) -> RoleMapping:
    return RoleMapping(f"m-{value}-{workspace}-{role}", "p-1", source, value, workspace, role)


def member(workspace: int, role: str, origin: GrantOrigin = D, base: str | None = None) -> Membership:
    return Membership("u-1", workspace, role, T0, origin, base)


def apply(held: list[Membership], wanted: dict[int, str]) -> MappingGrants:
    return apply_role_mappings("u-1", held, wanted, ROLES, T0)


# -- which roles the identity's app roles and groups map to ---------------------------------


def test_app_roles_and_groups_map_to_the_highest_role_per_workspace() -> None:
    mappings = [
        rule("Reader", 1, "viewer"),
        rule("Writer", 1, "editor"),
        rule(GROUP_A, 1, "owner", MappingSource.GROUP),
        rule(GROUP_B, 2, "viewer", MappingSource.GROUP),
        rule("Writer", 3, "editor"),
    ]
    assert mapped_roles(mappings, ["Reader", "Writer"], [GROUP_B], ROLES) == {
        1: "editor",
        2: "viewer",
        3: "editor",
    }
    assert mapped_roles(mappings, ["Reader"], [GROUP_A.upper()], ROLES) == {1: "owner"}
    assert mapped_roles(mappings, [], [], ROLES) == {}


def test_app_role_values_match_exactly_and_are_not_groups() -> None:
    mappings = [rule("Writer", 1, "editor"), rule(GROUP_A, 2, "owner", MappingSource.GROUP)]
    assert mapped_roles(mappings, ["writer", GROUP_A], ["Writer"], ROLES) == {}


def test_a_mapping_to_an_unknown_role_grants_nothing() -> None:
    assert mapped_roles([rule("Writer", 1, "admin")], ["Writer"], [], ROLES) == {}


def test_on_equal_rank_the_first_role_name_wins_whatever_the_order() -> None:
    roles = {**ROLES, "author": ROLES["editor"].__class__(9, "author", 20)}
    forward = [rule("A", 1, "editor"), rule("B", 1, "author")]
    assert mapped_roles(forward, ["A", "B"], [], roles) == {1: "author"}
    assert mapped_roles(list(reversed(forward)), ["A", "B"], [], roles) == {1: "author"}


# -- applying them --------------------------------------------------------------------------


def test_a_role_gained_is_granted_by_the_mapping() -> None:
    grants = apply([], {2: "editor"})
    assert grants == MappingGrants(added=(member(2, "editor", M),), memberships=(member(2, "editor", M),))


def test_a_role_lost_that_the_mapping_granted_is_removed() -> None:
    held = member(2, "editor", M)
    assert apply([held], {}) == MappingGrants(removed=(held,), memberships=())


def test_a_mapped_role_follows_the_mapping_up_and_down() -> None:
    assert apply([member(2, "editor", M)], {2: "owner"}).changed == (member(2, "owner", M),)
    assert apply([member(2, "owner", M)], {2: "viewer"}).changed == (member(2, "viewer", M),)
    unchanged = apply([member(2, "owner", M)], {2: "owner"})
    assert unchanged == MappingGrants(memberships=(member(2, "owner", M),))


def test_invites_and_manual_grants_are_never_lowered_or_removed() -> None:
    direct = [member(1, "owner"), member(2, "editor"), member(3, "viewer")]
    grants = apply(direct, {1: "viewer", 2: "editor"})
    assert grants == MappingGrants(memberships=tuple(direct))


def test_a_mapping_raises_a_direct_role_and_gives_it_back_when_lost() -> None:
    raised = apply([member(1, "viewer")], {1: "owner"})
    assert raised.changed == (member(1, "owner", M, "viewer"),)
    lost = apply([member(1, "owner", M, "viewer")], {})
    assert lost == MappingGrants(changed=(member(1, "viewer"),), memberships=(member(1, "viewer"),))
    lowered_to_base = apply([member(1, "owner", M, "viewer")], {1: "viewer"})
    assert lowered_to_base.changed == (member(1, "viewer"),)
    below_base = apply([member(1, "owner", M, "editor")], {1: "viewer"})
    assert below_base.changed == (member(1, "editor"),)
    between = apply([member(1, "owner", M, "viewer")], {1: "editor"})
    assert between.changed == (member(1, "editor", M, "viewer"),)


def test_memberships_after_are_ordered_by_workspace_and_untouched_ones_kept() -> None:
    grants = apply([member(3, "viewer"), member(1, "editor", M)], {2: "viewer"})
    assert grants.added == (member(2, "viewer", M),) and grants.removed == (member(1, "editor", M),)
    assert [m.workspace_id for m in grants.memberships] == [2, 3]


def test_a_mapped_role_to_an_unknown_role_name_ranks_lowest() -> None:
    odd = member(1, "legacy")  # a direct role the roles table no longer knows
    assert apply([odd], {1: "viewer"}).changed == (member(1, "viewer", M, "legacy"),)


def test_a_role_no_longer_defined_ranks_below_even_the_lowest_defined_rank() -> None:
    roles = {**ROLES, "guest": Role(4, "guest", 1)}
    odd = member(1, "legacy")
    grants = apply_role_mappings("u-1", [odd], {1: "guest"}, roles, T0)
    assert grants.changed == (member(1, "guest", M, "legacy"),)


# -- invites meet mapped roles ----------------------------------------------------------------


def test_an_invite_above_a_mapped_role_makes_it_a_direct_grant() -> None:
    alice = user("alice@contoso.com")
    held = Membership(alice.id, 1, "viewer", T0, M, None)
    grants = grant_invites(
        alice, [invite("alice@contoso.com", workspace_id=1, role="owner")], [held], ROLES, T0
    )
    assert grants.raised == (Membership(alice.id, 1, "owner", T0, D, None),)
    after = apply_role_mappings(alice.id, grants.memberships, {}, ROLES, T0)
    assert after.memberships == (Membership(alice.id, 1, "owner", T0, D, None),)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_an_invite_not_above_a_mapped_role_leaves_it_to_the_mapping(role: str) -> None:
    alice = user("alice@contoso.com")
    held = Membership(alice.id, 1, "editor", T0, M, None)
    grants = grant_invites(alice, [invite("alice@contoso.com", workspace_id=1, role=role)], [held], ROLES, T0)
    assert grants.raised == () and grants.memberships == (held,)


def test_an_invite_above_a_role_a_mapping_raised_makes_it_a_plain_direct_grant() -> None:
    alice = user("alice@contoso.com")
    raised = Membership(alice.id, 1, "editor", T0, M, "viewer")  # a direct viewer the mapping raised
    offer = invite("alice@contoso.com", workspace_id=1, role="owner")
    grants = grant_invites(alice, [offer], [raised], ROLES, T0)
    assert grants.raised == (Membership(alice.id, 1, "owner", T0, D, None),)


def test_a_group_mapping_matches_whatever_the_case_of_either_side() -> None:
    mappings = [rule(GROUP_A.upper(), 1, "editor", MappingSource.GROUP)]
    assert mapped_roles(mappings, [], [GROUP_A], ROLES) == {1: "editor"}
    assert mapped_roles(mappings, [], [GROUP_A.upper()], ROLES) == {1: "editor"}


def test_a_workspace_left_as_it_is_does_not_stop_the_ones_after_it() -> None:
    grants = apply([member(1, "viewer", M)], {1: "viewer", 2: "editor"})
    assert grants.added == (member(2, "editor", M),) and grants.changed == grants.removed == ()
    assert grants.memberships == (member(1, "viewer", M), member(2, "editor", M))
