from __future__ import annotations

from datetime import timedelta

import pytest

from core.model import Invite, InviteStatus, Role
from core.rules.landing import choose_landing, landing_path
from core.rules.memberships import grant_invites
from tests.core.builders import ROLES, T0, invite, membership, user

NOW = T0 + timedelta(days=1)


def test_accepted_invite_for_the_users_email_grants_its_role_and_is_applied() -> None:
    alice = user()
    offer = invite(workspace_id=7, role="editor")
    grants = grant_invites(alice, [offer], [], ROLES, NOW)
    assert [(m.workspace_id, m.role) for m in grants.added] == [(7, "editor")]
    assert grants.raised == ()
    [applied] = grants.applied
    assert applied.id == offer.id and applied.status is InviteStatus.APPLIED
    assert applied.applied_at == NOW and applied.applied_user_id == alice.id
    assert [(m.workspace_id, m.role) for m in grants.memberships] == [(7, "editor")]


@pytest.mark.parametrize(
    "offer",
    [
        invite("bob@contoso.com"),                                    # for another email
        invite(status=InviteStatus.PENDING),
        invite(status=InviteStatus.REVOKED),
        invite(status=InviteStatus.APPLIED),
        invite(expires_at=NOW),                                       # expired just now
        invite(expires_at=NOW - timedelta(seconds=1)),
        invite(role="janitor"),                                       # an unknown role
    ],
)
def test_invite_that_is_not_applicable_is_left_alone(offer: Invite) -> None:
    grants = grant_invites(user(), [offer], [], ROLES, NOW)
    assert grants.added == grants.raised == grants.applied == grants.memberships == ()


@pytest.mark.parametrize(
    "skipped",
    [
        invite(expires_at=NOW, workspace_id=5),                       # expired
        invite("bob@contoso.com", workspace_id=5),                    # for another email
        invite(role="janitor", workspace_id=5),                       # an unknown role
        invite(status=InviteStatus.REVOKED, workspace_id=5),
    ],
)
def test_an_invite_that_does_not_apply_does_not_stop_the_later_ones(skipped: Invite) -> None:
    alice = user()
    later = invite(workspace_id=7, role="editor", created=timedelta(minutes=1))
    grants = grant_invites(alice, [later, skipped], [], ROLES, NOW)
    assert [(m.workspace_id, m.role) for m in grants.added] == [(7, "editor")]
    assert [i.id for i in grants.applied] == [later.id]


def test_invite_expiring_later_is_applied() -> None:
    grants = grant_invites(user(), [invite(expires_at=NOW + timedelta(seconds=1))], [], ROLES, NOW)
    assert len(grants.applied) == 1


def test_user_without_a_verified_email_collects_no_invites() -> None:
    mallory = user(None)
    held = [membership(mallory, 2, "viewer")]
    grants = grant_invites(mallory, [invite()], held, ROLES, NOW)
    assert grants.added == grants.raised == grants.applied == ()
    assert grants.memberships == tuple(held)


def test_higher_role_raises_an_existing_membership() -> None:
    alice = user()
    grants = grant_invites(alice, [invite(role="owner")], [membership(alice, 1, "viewer")], ROLES, NOW)
    assert [(m.workspace_id, m.role) for m in grants.raised] == [(1, "owner")]
    assert grants.added == ()
    assert len(grants.applied) == 1


@pytest.mark.parametrize("offered", ["viewer", "editor"])
def test_existing_higher_or_equal_role_is_never_lowered_but_the_invite_is_applied(offered: str) -> None:
    alice = user()
    held = [membership(alice, 1, "editor")]
    grants = grant_invites(alice, [invite(role=offered)], held, ROLES, NOW)
    assert grants.added == grants.raised == ()
    assert [m.role for m in grants.memberships] == ["editor"]
    assert len(grants.applied) == 1


def test_membership_with_an_unknown_role_is_raised_by_any_invite() -> None:
    alice = user()
    grants = grant_invites(alice, [invite(role="viewer")], [membership(alice, 1, "legacy")], ROLES, NOW)
    assert [m.role for m in grants.raised] == ["viewer"]


def test_a_membership_whose_role_is_no_longer_defined_ranks_below_every_defined_role() -> None:
    alice = user()
    roles = {**ROLES, "guest": Role(4, "guest", 1)}
    grants = grant_invites(alice, [invite(role="guest")], [membership(alice, 1, "legacy")], roles, NOW)
    assert [(m.workspace_id, m.role) for m in grants.raised] == [(1, "guest")]


def test_several_invites_to_one_workspace_give_one_membership_with_the_highest_role() -> None:
    alice = user()
    offers = [
        invite(role="viewer", created=timedelta(minutes=1)),
        invite(role="owner", created=timedelta(minutes=2)),
        invite(role="editor", created=timedelta(minutes=3)),
    ]
    grants = grant_invites(alice, reversed(offers), [], ROLES, NOW)
    assert [(m.workspace_id, m.role) for m in grants.added] == [(1, "owner")]
    assert grants.raised == ()
    assert [i.id for i in grants.applied] == [i.id for i in offers]


def test_raised_twice_in_one_sign_in_stays_one_raise() -> None:
    alice = user()
    held = [membership(alice, 1, "viewer")]
    offers = [
        invite(role="editor", created=timedelta(minutes=1)),
        invite(role="owner", created=timedelta(minutes=2)),
    ]
    grants = grant_invites(alice, offers, held, ROLES, NOW)
    assert [(m.workspace_id, m.role) for m in grants.raised] == [(1, "owner")]


def test_invites_to_several_workspaces_each_grant_a_membership() -> None:
    alice = user()
    grants = grant_invites(alice, [invite(workspace_id=2), invite(workspace_id=1)], [], ROLES, NOW)
    assert sorted(m.workspace_id for m in grants.memberships) == [1, 2]


def test_landing_is_the_most_recent_workspace_else_the_lowest_else_none() -> None:
    alice = user(last_workspace_id=5)
    held = [membership(alice, 9, "viewer"), membership(alice, 5, "viewer"), membership(alice, 3, "viewer")]
    assert choose_landing(alice, held) == 5
    assert choose_landing(user(last_workspace_id=4), held) == 3
    assert choose_landing(user(), held) == 3
    assert choose_landing(alice, []) is None


def test_landing_path_prefers_the_deep_link_then_the_workspace_then_no_workspace() -> None:
    assert landing_path(3, "/reports/1") == "/reports/1"
    assert landing_path(3, None) == "/workspace/3/home"
    assert landing_path(3, "") == "/workspace/3/home"
    assert landing_path(None, None) == "/no-workspace"


def test_an_invite_above_a_mapped_role_makes_the_role_direct_and_forgets_the_base() -> None:
    from dataclasses import replace

    from core.model import GrantOrigin

    alice = user()
    mapped = replace(membership(alice, 1, "viewer"), origin=GrantOrigin.MAPPING, base_role="viewer")
    grants = grant_invites(alice, [invite(role="owner")], [mapped], ROLES, NOW)
    [raised] = grants.raised
    assert (raised.role, raised.origin, raised.base_role) == ("owner", GrantOrigin.DIRECT, None)
