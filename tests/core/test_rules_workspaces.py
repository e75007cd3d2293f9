"""The workspace rules (core/rules/workspaces.py, core/rules/invites.py), value by value."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest

from core.errors import AdminError, AdminErrorCode
from core.model import InviteStatus, Membership, Role, Workspace
from core.rules.invites import (
    MAX_TOKEN,
    InviteState,
    accept_token,
    accepted,
    check_acceptable,
    granted,
    invite_state,
    split_token,
    token_digest,
)
from core.rules.workspaces import (
    MAX_NAME,
    Actor,
    Standing,
    check_invite,
    check_list_members,
    check_manage_invites,
    check_removal,
    check_revoke,
    check_role_change,
    clean_workspace_name,
    may_create_workspace,
    may_manage_invites,
    owners_among,
    rank_of,
)
from tests.core.builders import ROLES, T0, invite, membership, user

NOW = T0 + timedelta(days=1)
WS = Workspace(1, "Acme", "https://app.example.com")
OPEN_WS = replace(WS, editors_invite=True)
ME, OTHER = "me", "other"


def standing(role: str | None, who: str = ME) -> Standing:
    if role is None:
        return Standing(Actor.operator(), None)
    return Standing(Actor(who, "corr"), ROLES[role])


def refused(code: AdminErrorCode, call, *args) -> AdminError:
    with pytest.raises(AdminError) as caught:
        call(*args)
    assert caught.value.code is code
    return caught.value


# -- actors and standings ----------------------------------------------------------------
def test_the_operator_is_an_actor_without_a_user_and_has_no_ceiling() -> None:
    operator = Actor.operator()
    assert (operator.user_id, operator.correlation_id, operator.is_operator) == (None, "cli", True)
    assert Actor.operator("x").correlation_id == "x"
    assert Actor("u").is_operator is False and Actor("u").correlation_id == "-"
    assert standing(None).rank is None and standing("viewer").rank == 10
    assert standing(None).is_("owner") and standing(None).is_("viewer")
    assert standing("owner").is_("owner") and not standing("owner").is_("editor")
    assert standing("viewer").is_self(ME) and not standing("viewer").is_self(OTHER)
    assert not standing(None).is_self(ME)


def test_rank_of_an_unknown_role_is_zero() -> None:
    assert [rank_of(ROLES, n) for n in ("owner", "editor", "viewer", "janitor")] == [30, 20, 10, 0]


# -- invites -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "workspace", "allowed"),
    [
        (None, WS, True), ("owner", WS, True), ("editor", WS, False), ("viewer", WS, False),
        (None, OPEN_WS, True), ("owner", OPEN_WS, True), ("editor", OPEN_WS, True),
        ("viewer", OPEN_WS, False),
    ],
)
def test_who_manages_invites(role: str | None, workspace: Workspace, allowed: bool) -> None:
    assert may_manage_invites(standing(role), workspace) is allowed
    if allowed:
        check_manage_invites(standing(role), workspace)
    else:
        error = refused(AdminErrorCode.FORBIDDEN, check_manage_invites, standing(role), workspace)
        assert error.detail == "your role may not manage this workspace's invites"


@pytest.mark.parametrize(
    ("actor", "offered", "code"),
    [
        ("owner", "owner", None), ("owner", "editor", None), ("owner", "viewer", None),
        (None, "owner", None),
        ("editor", "editor", None), ("editor", "viewer", None),
        ("editor", "owner", AdminErrorCode.ROLE_TOO_HIGH),
        ("viewer", "viewer", AdminErrorCode.FORBIDDEN),
    ],
)
def test_an_invite_never_grants_above_the_inviters_role(
    actor: str | None, offered: str, code: AdminErrorCode | None
) -> None:
    for check in (check_invite, lambda s, w, r: check_revoke(s, w, r.rank)):
        if code is None:
            check(standing(actor), OPEN_WS, ROLES[offered])
        else:
            refused(code, check, standing(actor), OPEN_WS, ROLES[offered])


def test_a_role_one_rank_above_the_inviters_is_refused() -> None:
    just_above = Role(9, "lead", 21)
    error = refused(AdminErrorCode.ROLE_TOO_HIGH, check_invite, standing("editor"), OPEN_WS, just_above)
    assert error.detail == "an invite may not grant a role above your own"
    check_invite(standing("editor"), OPEN_WS, Role(9, "peer", 20))
    check_revoke(standing("editor"), OPEN_WS, 20)
    error = refused(AdminErrorCode.ROLE_TOO_HIGH, check_revoke, standing("editor"), OPEN_WS, 21)
    assert error.detail == "an invite for a role above your own"


# -- members -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "allowed"), [(None, True), ("owner", True), ("editor", True), ("viewer", False)]
)
def test_owners_and_editors_list_members(role: str | None, allowed: bool) -> None:
    if allowed:
        check_list_members(standing(role))
    else:
        error = refused(AdminErrorCode.FORBIDDEN, check_list_members, standing(role))
        assert error.detail == "your role may not list this workspace's members"


def test_owners_are_counted_by_role_name() -> None:
    roles = ["owner", "editor", "owner", "viewer"]
    people = [membership(user(id=f"u{n}"), 1, r) for n, r in enumerate(roles)]
    assert owners_among(people) == 2
    assert owners_among([]) == 0


# The reason each refusal gives: the command line prints it to the operator and the log
# keeps it (it never names a token or an address).
REASONS = {
    (AdminErrorCode.LAST_OWNER, "role"): "a workspace keeps at least one owner",
    (AdminErrorCode.LAST_OWNER, "removal"): "a workspace keeps at least one owner",
    (AdminErrorCode.FORBIDDEN, "role"): "only an owner may change another member's role",
    (AdminErrorCode.FORBIDDEN, "removal"): "only an owner may remove another member",
    (AdminErrorCode.OWN_ROLE, "role"): "nobody raises their own role",
    (AdminErrorCode.ROLE_TOO_HIGH, "role"): "a role above your own",
    (AdminErrorCode.ROLE_TOO_HIGH, "removal"): "a member above your own role",
}


def member(role: str, who: str = OTHER):
    return membership(user(id=who), 1, role)


@pytest.mark.parametrize(
    ("actor", "target", "who", "to", "owners", "code"),
    [
        # an owner changes others, up to their own role
        ("owner", "viewer", OTHER, "owner", 1, None),
        ("owner", "owner", OTHER, "viewer", 2, None),
        ("owner", "owner", OTHER, "viewer", 1, AdminErrorCode.LAST_OWNER),
        (None, "owner", OTHER, "editor", 1, AdminErrorCode.LAST_OWNER),
        (None, "owner", OTHER, "editor", 2, None),
        # only owners change others
        ("editor", "viewer", OTHER, "viewer", 1, AdminErrorCode.FORBIDDEN),
        ("viewer", "viewer", OTHER, "editor", 1, AdminErrorCode.FORBIDDEN),
        # oneself: down yes, up never
        ("viewer", "viewer", ME, "editor", 1, AdminErrorCode.OWN_ROLE),
        ("editor", "editor", ME, "owner", 1, AdminErrorCode.OWN_ROLE),
        ("editor", "editor", ME, "viewer", 1, None),
        ("editor", "editor", ME, "editor", 1, None),
        ("owner", "owner", ME, "editor", 2, None),
        ("owner", "owner", ME, "editor", 1, AdminErrorCode.LAST_OWNER),
        ("owner", "owner", ME, "owner", 1, None),
    ],
)
def test_role_changes(actor, target, who, to, owners, code) -> None:
    args = (standing(actor), member(target, who), ROLES[to], ROLES, owners)
    if code is None:
        check_role_change(*args)
    else:
        assert refused(code, check_role_change, *args).detail == REASONS[code, "role"]


def test_an_owner_never_sets_or_touches_a_role_above_their_own() -> None:
    roles = {**ROLES, "admin": Role(9, "admin", 40)}
    for target, to in (("viewer", "admin"), ("admin", "viewer")):
        error = refused(AdminErrorCode.ROLE_TOO_HIGH, check_role_change, standing("owner"), member(target),
                        roles[to], roles, 1)
        assert error.detail == REASONS[AdminErrorCode.ROLE_TOO_HIGH, "role"]
    check_role_change(standing(None), member("viewer"), roles["admin"], roles, 1)


@pytest.mark.parametrize(
    ("actor", "target", "who", "owners", "code"),
    [
        ("owner", "editor", OTHER, 1, None),
        ("owner", "owner", OTHER, 2, None),
        ("owner", "owner", OTHER, 1, AdminErrorCode.LAST_OWNER),
        (None, "owner", OTHER, 1, AdminErrorCode.LAST_OWNER),
        (None, "viewer", OTHER, 1, None),
        ("editor", "viewer", OTHER, 1, AdminErrorCode.FORBIDDEN),
        ("viewer", "viewer", ME, 1, None),            # anybody may leave
        ("owner", "owner", ME, 2, None),
        ("owner", "owner", ME, 1, AdminErrorCode.LAST_OWNER),
    ],
)
def test_removals(actor, target, who, owners, code) -> None:
    args = (standing(actor), member(target, who), ROLES, owners)
    if code is None:
        check_removal(*args)
    else:
        assert refused(code, check_removal, *args).detail == REASONS[code, "removal"]


def test_an_owner_cannot_remove_a_member_above_their_own_role() -> None:
    roles = {**ROLES, "admin": Role(9, "admin", 40)}
    error = refused(AdminErrorCode.ROLE_TOO_HIGH, check_removal, standing("owner"), member("admin"), roles, 1)
    assert error.detail == REASONS[AdminErrorCode.ROLE_TOO_HIGH, "removal"]
    check_removal(standing(None), member("admin"), roles, 1)


# -- workspaces --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("email", "disabled", "creators", "allowed"),
    [
        ("a@contoso.com", False, (), False),
        ("a@contoso.com", False, ("*",), True),
        ("a@contoso.com", False, ("contoso.com",), True),
        ("a@contoso.com", False, ("fabrikam.com", "contoso.com"), True),
        ("a@contoso.com", False, ("fabrikam.com",), False),
        ("a@sub.contoso.com", False, ("contoso.com",), False),
        (None, False, ("*",), False),
        ("a@contoso.com", True, ("*",), False),
    ],
)
def test_who_may_create_a_workspace(email, disabled, creators, allowed) -> None:
    assert may_create_workspace(user(email, disabled=disabled), creators) is allowed


@pytest.mark.parametrize(
    ("raw", "clean"),
    [(" Acme ", "Acme"), ("a", "a"), ("x" * MAX_NAME, "x" * MAX_NAME), ("Café Ünïcode", "Café Ünïcode")],
)
def test_workspace_names_are_trimmed(raw: str, clean: str) -> None:
    assert clean_workspace_name(raw) == clean


@pytest.mark.parametrize(
    "raw", ["", "   ", "x" * (MAX_NAME + 1), "a\nb", "a\x00", "tab\there", "del\x7f", "us\x1fsep"]
)
def test_bad_workspace_names_are_refused(raw: str) -> None:
    error = refused(AdminErrorCode.INVALID_REQUEST, clean_workspace_name, raw)
    assert error.detail == "a workspace name has 1 to 100 characters"
    assert MAX_NAME == 100


# -- invite states and accept tokens -------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "expires", "state"),
    [
        (InviteStatus.PENDING, None, InviteState.PENDING),
        (InviteStatus.PENDING, NOW + timedelta(microseconds=1), InviteState.PENDING),
        (InviteStatus.PENDING, NOW, InviteState.EXPIRED),
        (InviteStatus.ACCEPTED, None, InviteState.ACCEPTED),
        (InviteStatus.ACCEPTED, NOW, InviteState.EXPIRED),
        (InviteStatus.ACCEPTED, NOW + timedelta(seconds=1), InviteState.ACCEPTED),
        (InviteStatus.APPLIED, NOW - timedelta(days=9), InviteState.ACCEPTED),
        (InviteStatus.REVOKED, None, InviteState.REVOKED),
        (InviteStatus.REVOKED, NOW - timedelta(days=9), InviteState.REVOKED),
    ],
)
def test_invite_states(status: InviteStatus, expires, state: InviteState) -> None:
    assert invite_state(invite(status=status, expires_at=expires), NOW) is state


def test_an_accept_token_is_the_invite_id_and_the_secret_and_only_a_bound_hash_is_kept() -> None:
    assert accept_token("inv-1", "s3cret") == "inv-1.s3cret"
    assert split_token("inv-1.s3cret") == ("inv-1", "s3cret")
    assert split_token(" inv-1.s3.cret ") == ("inv-1", "s3.cret")
    assert token_digest("inv-1", "s3cret") == hashlib.sha256(b"inv-1:s3cret").hexdigest()
    assert token_digest("inv-2", "s3cret") != token_digest("inv-1", "s3cret")


@pytest.mark.parametrize("token", ["", "nodot", ".secret", "id.", "   ", "a." + "x" * MAX_TOKEN])
def test_what_is_not_an_accept_token(token: str) -> None:
    assert refused(AdminErrorCode.INVITE_INVALID, split_token, token).detail == "not an accept token"


def test_a_token_of_exactly_the_maximum_length_is_split() -> None:
    token = "a." + "x" * (MAX_TOKEN - 2)
    assert split_token(token) == ("a", "x" * (MAX_TOKEN - 2))


def linked(secret: str = "s", **changes):
    values = {"status": InviteStatus.PENDING, "expires_at": NOW + timedelta(days=1), **changes}
    offer = invite(id="inv-1", **values)
    return replace(offer, token_hash=token_digest(offer.id, secret))


def test_the_invited_verified_address_accepts() -> None:
    offer = linked()
    assert check_acceptable(offer, "s", user(), NOW) is offer


@pytest.mark.parametrize(
    ("offer", "secret", "who", "code"),
    [
        (None, "s", user(), AdminErrorCode.INVITE_INVALID),
        (replace(linked(), token_hash=None), "s", user(), AdminErrorCode.INVITE_INVALID),
        (linked(), "wrong", user(), AdminErrorCode.INVITE_INVALID),
        (replace(linked(), id="inv-2"), "s", user(), AdminErrorCode.INVITE_INVALID),  # bound to its id
        (linked(status=InviteStatus.REVOKED), "wrong", user(), AdminErrorCode.INVITE_INVALID),
        (linked(status=InviteStatus.REVOKED), "s", user(), AdminErrorCode.INVITE_REVOKED),
        (linked(status=InviteStatus.APPLIED), "s", user(), AdminErrorCode.INVITE_USED),
        (linked(status=InviteStatus.ACCEPTED), "s", user(), AdminErrorCode.INVITE_USED),
        (replace(linked(), expires_at=NOW), "s", user(), AdminErrorCode.INVITE_EXPIRED),
        (linked(), "s", user(None), AdminErrorCode.EMAIL_UNVERIFIED),
        (linked(), "s", user("bob@contoso.com"), AdminErrorCode.EMAIL_MISMATCH),
        (replace(linked(), expires_at=NOW), "s", user("bob@contoso.com"), AdminErrorCode.INVITE_EXPIRED),
    ],
)
def test_refused_accepts_and_their_order(offer, secret, who, code) -> None:
    error = refused(code, check_acceptable, offer, secret, who, NOW)
    assert error.detail == {
        AdminErrorCode.INVITE_INVALID: "no invite for this token",
        AdminErrorCode.INVITE_REVOKED: "the invite was revoked",
        AdminErrorCode.INVITE_USED: "the invite was accepted already",
        AdminErrorCode.INVITE_EXPIRED: "the invite has expired",
        AdminErrorCode.EMAIL_UNVERIFIED: "the signed-in user has no verified email",
        AdminErrorCode.EMAIL_MISMATCH: "the invite is for another address",
    }[code]


def test_accepting_records_the_invite_applied_by_the_user() -> None:
    done = accepted(linked(), user(id="u-9"), NOW)
    assert (done.status, done.applied_at, done.applied_user_id) == (InviteStatus.APPLIED, NOW, "u-9")
    assert done.token_hash == linked().token_hash


def test_accepting_grants_raises_or_keeps_a_role_never_lowers_it() -> None:
    alice = user()
    offer = linked(role="editor")
    fresh = granted(alice, offer, None, ROLES["editor"], ROLES, NOW)
    assert fresh == Membership(alice.id, 1, "editor", NOW)
    low = membership(alice, 1, "viewer")
    assert granted(alice, offer, low, ROLES["editor"], ROLES, NOW) == replace(low, role="editor")
    same = membership(alice, 1, "editor")
    assert granted(alice, offer, same, ROLES["editor"], ROLES, NOW) is same
    high = membership(alice, 1, "owner")
    assert granted(alice, offer, high, ROLES["editor"], ROLES, NOW) is high
    gone = membership(alice, 1, "janitor")  # a role that no longer exists counts for nothing
    assert granted(alice, offer, gone, ROLES["editor"], ROLES, NOW) == replace(gone, role="editor")
