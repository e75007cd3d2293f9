"""Random sequences of sign-ins, invites, workspace deletions, disables, logouts and clock
advances, with a simple model of what must hold after every step (design §3)."""
from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity, SignInKind
from core.model import InviteStatus, Membership, Session, User
from core.policy import CONSUMER_TENANT_ID, SignInPolicy
from core.ports import CachedSession
from core.usecases.administration import STANDARD_ROLES
from core.usecases.complete_signin import SignedIn
from tests.core.builders import TENANT_1, TENANT_2, aad, federated, local
from tests.core.world import ALLOWED_ORIGINS, FRONTEND, World

T = TypeVar("T")

# Each identity with the address the rules must compare it by (written out here, not
# computed by core.emails, so the model does not share the code it checks).
POOL: tuple[tuple[ExternalIdentity, str | None], ...] = (
    (aad("alice@contoso.com", tenant=TENANT_1, oid="alice-t1"), "alice@contoso.com"),
    (aad("  Alice@CONTOSO.com. ", tenant=TENANT_1, oid="alice-t1-second"), "alice@contoso.com"),
    (aad("alice@contoso.com", tenant=TENANT_2, oid="alice-t2"), "alice@contoso.com"),  # verified elsewhere
    (aad("alice@contoso.com", tenant=TENANT_2, oid="mallory-as-alice", verified=False),  # nOAuth
     "alice@contoso.com"),
    (aad("adm\u0131n@contoso.com", tenant=TENANT_2, oid="mallory-dotless", verified=False),
     "adm\u0131n@contoso.com"),
    (aad("alice@cont\u043eso.com", tenant=TENANT_2, oid="mallory-cyrillic"), "alice@xn--contso-zqf.com"),
    (aad("mallory@hostile.example", tenant=TENANT_2, oid="mallory"), "mallory@hostile.example"),
    (aad("kelly@contoso.com", tenant=TENANT_1, oid="kelly-t1"), "kelly@contoso.com"),
    (local("\u212aelly@contoso.com", oid="kelvin"), "\u212aelly@contoso.com"),
    (local("carol@contoso.com", oid="carol"), "carol@contoso.com"),
    (local("carol@contoso.com", oid="carol-unverified", verified=False), "carol@contoso.com"),
    (local("ALICE@contoso.com", oid="alice-local", verified=False), "alice@contoso.com"),
    (aad("bob@gmail.com", tenant=CONSUMER_TENANT_ID, oid="bob-msa"), "bob@gmail.com"),
    (aad("Bob@Outlook.com", tenant=CONSUMER_TENANT_ID, oid="bob-outlook"), "bob@outlook.com"),
    (federated("bob@gmail.com", oid="bob-google"), "bob@gmail.com"),
    (federated("BOB@gmail.com", oid="bob-google-verified", verified=True), "bob@gmail.com"),
    (federated("erin@yahoo.com", idp="facebook.com", oid="erin"), "erin@yahoo.com"),
    (aad(None, tenant=TENANT_1, oid="no-email"), None),
)
# Addresses invited, with their comparison form; the Alice spellings come up most.
INVITE_EMAILS: tuple[tuple[str, str], ...] = (
    ("alice@contoso.com", "alice@contoso.com"),
    (" ALICE@Contoso.com", "alice@contoso.com"),
    ("alice@contoso.com", "alice@contoso.com"),
    ("\uff41lice@contoso.com", "\uff41lice@contoso.com"),
    ("admin@contoso.com", "admin@contoso.com"),
    ("kelly@contoso.com", "kelly@contoso.com"),
    ("carol@contoso.com", "carol@contoso.com"),
    ("bob@gmail.com", "bob@gmail.com"),
    ("someone.else@contoso.com", "someone.else@contoso.com"),
)
RANKS = dict(STANDARD_ROLES)


def key(identity: ExternalIdentity) -> tuple[str, str]:
    return identity.issuer, identity.object_id


@dataclass
class ModelInvite:
    email: str
    workspace_id: int
    role: str
    status: InviteStatus
    expires_at: datetime | None
    applied_user_id: str | None = None


class SignInMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        # Tokens outlive the idle timeout here, so the session's own expiry is what closes it.
        policy = SignInPolicy(
            session_idle=timedelta(hours=1), session_absolute=timedelta(hours=4),
            token_lifetime=timedelta(hours=2),
        )
        self.world = World(policy=policy)
        self.run(self.world.standard_setup())
        self.run(self.world.admin.add_workspace("Tailspin", "https://tailspin.example"))
        # The model ("oracle") of what the store must say.
        self.workspaces = {1, 2, 3}
        self.hosts = {w.frontend_host for w in self.run(self.world.admin.workspaces())}
        self.account_user: dict[tuple[str, str], str] = {}
        self.verified_owner: dict[str, str] = {}
        self.users: set[str] = set()
        self.disabled: set[str] = set()
        self.invites: dict[str, ModelInvite] = {}
        self.tokens: list[SignedIn] = []

    def teardown(self) -> None:
        self.loop.close()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def now(self) -> datetime:
        return self.world.clock.now()

    def email_of(self, user_id: str) -> str | None:
        return next((e for e, u in self.verified_owner.items() if u == user_id), None)

    # -- rules ----------------------------------------------------------------------------
    @rule(entry=st.sampled_from(POOL), origin=st.sampled_from([*ALLOWED_ORIGINS, None]))
    def sign_in(self, entry: tuple[ExternalIdentity, str | None], origin: str | None) -> None:
        identity, email = entry
        trusted = email is not None and identity.email_verified
        known = self.account_user.get(key(identity))
        owner = self.verified_owner.get(email) if email else None
        before = self.world.rows()
        try:
            done = self.run(self.world.login(identity, frontend_host=origin))
        except SignInError as error:
            assert self.world.rows() == before, "a refused sign-in wrote something"
            assert error.frontend_origin == origin
            self.check_refusal(identity, error.code, known, owner, trusted)
            return
        assert done.user_id not in self.disabled, "a disabled user signed in"
        assert done.frontend_origin in {*ALLOWED_ORIGINS, *self.hosts, None}
        assert done.frontend_origin == origin or origin is None
        if known is not None:
            assert done.user_id == known, "an account moved to another user"
        elif trusted and owner is not None:
            assert done.user_id == owner, "a verified email did not find its user"
        else:
            assert done.user_id not in self.users, "an identity joined an existing user"
            self.users.add(done.user_id)
            if trusted:
                assert email is not None
                self.verified_owner[email] = done.user_id
        self.account_user[key(identity)] = done.user_id
        self.apply_invites(done.user_id)
        self.tokens.append(done)
        # The same identity again: the same user, and nothing new but a session.
        rows = self.world.rows()
        again = self.run(self.world.login(identity, frontend_host=origin))
        assert again.user_id == done.user_id
        assert self.world.rows() == {**rows, "sessions": rows["sessions"] + 1}
        self.tokens.append(again)

    def check_refusal(
        self, identity: ExternalIdentity, code: ErrorCode, known: str | None, owner: str | None,
        trusted: bool,
    ) -> None:
        if known is not None:
            assert code is ErrorCode.ACCOUNT_DISABLED and known in self.disabled
            return
        if owner is not None and not trusted:
            assert code is ErrorCode.ACCOUNT_CONFLICT
            return
        if owner is not None and owner in self.disabled and code is ErrorCode.ACCOUNT_DISABLED:
            return
        assert code is ErrorCode.PROVIDER_NOT_REGISTERED, f"unexpected {code}"
        assert not (identity.kind is SignInKind.AZURE_AD and trusted)

        async def provider() -> object:
            async with self.world.db.unit_of_work() as uow:
                return await uow.providers.by_issuer(identity.provider_key)

        assert self.run(provider()) is None

    def apply_invites(self, user_id: str) -> None:
        email = self.email_of(user_id)
        for invite in self.invites.values():
            applicable = (
                invite.status is InviteStatus.ACCEPTED
                and (invite.expires_at is None or invite.expires_at > self.now())
                and invite.workspace_id in self.workspaces
            )
            if email is not None and invite.email == email and applicable:
                invite.status, invite.applied_user_id = InviteStatus.APPLIED, user_id

    @rule(
        address=st.sampled_from(INVITE_EMAILS),
        workspace_id=st.sampled_from([1, 1, 2, 3]),
        role=st.sampled_from(sorted(RANKS)),
        state=st.sampled_from(["pending", "accepted", "accepted", "revoked"]),
        expires_in=st.sampled_from([None, None, timedelta(0), timedelta(minutes=30)]),
    )
    def invite(
        self, address: tuple[str, str], workspace_id: int, role: str, state: str,
        expires_in: timedelta | None,
    ) -> None:
        raw, normalised = address
        expires_at = None if expires_in is None else self.now() + expires_in
        try:
            made = self.run(self.world.admin.invite(raw, workspace_id, role, accepted=state == "accepted",
                                                    expires_at=expires_at))
        except SignInError as error:
            assert error.code is ErrorCode.INVALID_REQUEST and workspace_id not in self.workspaces
            return
        assert workspace_id in self.workspaces and made.email == normalised
        self.invites[made.id] = ModelInvite(made.email, workspace_id, role, made.status, expires_at)
        if state == "revoked":
            self.run(self.world.admin.revoke_invite(made.id))
            self.invites[made.id].status = InviteStatus.REVOKED

    @rule(role=st.sampled_from(sorted(RANKS)))
    def invite_alice_to_the_first_workspace(self, role: str) -> None:
        """Alice's invites to one workspace pile up, so roles meet roles already held."""
        self.invite(("alice@contoso.com", "alice@contoso.com"), 1, role, "accepted", None)

    @precondition(lambda self: bool(self.invites))
    @rule(data=st.data(), accept=st.booleans())
    def accept_or_revoke_invite(self, data: st.DataObject, accept: bool) -> None:
        invite_id = data.draw(st.sampled_from(sorted(self.invites)))
        invite = self.invites[invite_id]
        allowed = {InviteStatus.PENDING} if accept else {InviteStatus.PENDING, InviteStatus.ACCEPTED}
        move = self.world.admin.accept_invite if accept else self.world.admin.revoke_invite
        try:
            self.run(move(invite_id))
        except SignInError as error:
            assert error.code is ErrorCode.INVALID_REQUEST and invite.status not in allowed
            return
        assert invite.status in allowed
        invite.status = InviteStatus.ACCEPTED if accept else InviteStatus.REVOKED

    @rule(workspace_id=st.sampled_from([1, 2, 3]))
    def delete_workspace(self, workspace_id: int) -> None:
        async def remove() -> None:
            async with self.world.db.unit_of_work() as uow:
                await uow.workspaces.remove(workspace_id)
                await uow.commit()

        self.run(remove())
        self.workspaces.discard(workspace_id)

    @precondition(lambda self: bool(self.users))
    @rule(data=st.data(), by_email=st.booleans())
    def disable(self, data: st.DataObject, by_email: bool) -> None:
        user_id = data.draw(st.sampled_from(sorted(self.users)))
        email = self.email_of(user_id)
        who = user_id
        if by_email and email:  # a non-ASCII local part is never case-folded: shout the domain only
            local_part, _, domain = email.rpartition("@")
            who = f"{local_part}@{domain.upper()}"
        done = self.run(self.world.disable(who))
        assert done.user_id == user_id
        self.disabled.add(user_id)

    @precondition(lambda self: bool(self.tokens))
    @rule(data=st.data())
    def logout(self, data: st.DataObject) -> None:
        signed_in = data.draw(st.sampled_from(self.tokens))
        try:
            out = self.run(self.world.logout(signed_in.token))
        except SignInError as error:
            assert error.code is ErrorCode.INVALID_TOKEN
            return
        assert out.session_id == signed_in.session_id and signed_in.user_id not in self.disabled
        try:
            self.run(self.world.authenticate(signed_in.token))
        except SignInError as error:
            assert error.code is ErrorCode.INVALID_TOKEN
        else:
            raise AssertionError("a token still works after its logout")

    @precondition(lambda self: bool(self.tokens))
    @rule(data=st.data())
    def authenticate(self, data: st.DataObject) -> None:
        signed_in = data.draw(st.sampled_from(self.tokens))
        try:
            current = self.run(self.world.authenticate(signed_in.token))
        except SignInError as error:
            assert error.code is ErrorCode.INVALID_TOKEN
            return
        assert current.session.user_id not in self.disabled
        assert current.session.open_at(self.now())

    @precondition(lambda self: bool(self.tokens))
    @rule(data=st.data())
    def refresh(self, data: st.DataObject) -> None:
        signed_in = data.draw(st.sampled_from(self.tokens))
        try:
            refreshed = self.run(self.world.refresh(signed_in.token))
        except SignInError as error:
            assert error.code is ErrorCode.INVALID_TOKEN
            return
        assert signed_in.user_id not in self.disabled
        session = self.run(self.session(signed_in.session_id))
        assert session.open_at(self.now())
        assert refreshed.expires_at <= session.expires_at and session.idle_expires_at <= session.expires_at
        self.tokens.append(replace(signed_in, token=refreshed.token, expires_at=refreshed.expires_at))

    @precondition(lambda self: bool(self.tokens))
    @rule()
    def stay_active(self) -> None:
        """A busy browser: most of an idle period passes, then the newest token is refreshed,
        so sessions live long enough to meet their absolute expiry."""
        self.world.clock.advance(self.world.policy.session_idle * 0.9)
        self.refresh(_Fixed(self.tokens[-1]))  # type: ignore[arg-type]

    @precondition(lambda self: bool(self.tokens))
    @rule(data=st.data())
    def cache_says_open(self, data: st.DataObject) -> None:
        """A restored or failed-over cache that has forgotten a revocation."""
        signed_in = data.draw(st.sampled_from(self.tokens))
        session = self.run(self.session(signed_in.session_id))
        entry = CachedSession(session.id, session.user_id, session.expires_at, revoked=False)
        self.run(self.world.cache.put(entry, timedelta(hours=4)))

    async def session(self, session_id: str) -> Session:
        async with self.world.db.unit_of_work() as uow:
            found = await uow.sessions.get(session_id)
        assert found is not None
        return found

    @rule(seconds=st.sampled_from([1, 600, 1800, 3600, 3 * 3600]))
    def advance_clock(self, seconds: int) -> None:
        self.world.clock.advance(seconds)

    # -- invariants -----------------------------------------------------------------------
    @invariant()
    def store_agrees_with_the_model(self) -> None:
        users, accounts, memberships, open_sessions, invites = self.run(self.snapshot())
        assert {u.id for u in users} == self.users
        verified = [u.email for u in users if u.email is not None]
        assert len(verified) == len(set(verified)), "two users share a verified email"
        assert {u.email: u.id for u in users if u.email} == self.verified_owner
        for user in users:
            assert user.disabled == (user.id in self.disabled)
            if user.email is None:  # created from an untrusted (or no) email
                assert len(accounts[user.id]) == 1, "an identity joined a user of an untrusted email"
                assert memberships[user.id] == [], "an untrusted email collected an invite"
            if user.disabled:
                assert open_sessions[user.id] == 0, "a disabled user has an open session"
        for user_id, held in accounts.items():
            for issuer, object_id in held:
                assert self.account_user[(issuer, object_id)] == user_id
        assert set(self.account_user) == {k for held in accounts.values() for k in held}
        for invite_id, invite in invites.items():
            model = self.invites[invite_id]
            assert (invite.status, invite.applied_user_id) == (model.status, model.applied_user_id)
            if invite.status is InviteStatus.APPLIED:
                assert self.email_of(invite.applied_user_id or "") == invite.email
        for user_id, held_memberships in memberships.items():
            expected: dict[int, str] = {}
            for model in self.invites.values():
                if model.applied_user_id == user_id and model.workspace_id in self.workspaces:
                    best = expected.get(model.workspace_id)
                    if best is None or RANKS[model.role] > RANKS[best]:
                        expected[model.workspace_id] = model.role
            assert {m.workspace_id: m.role for m in held_memberships} == expected

    async def snapshot(
        self,
    ) -> tuple[list[User], dict[str, list[tuple[str, str]]], dict[str, list[Membership]], dict[str, int],
               dict[str, Any]]:
        async with self.world.db.unit_of_work() as uow:
            users = list(await uow.users.list())
            accounts = {
                u.id: [(a.issuer, a.object_id) for a in await uow.accounts.for_user(u.id)] for u in users
            }
            memberships = {u.id: list(await uow.memberships.for_user(u.id)) for u in users}
            now = self.now()
            open_sessions = {u.id: len(await uow.sessions.open_for_user(u.id, now)) for u in users}
            invites = {i.id: i for i in await uow.invites.list()}
        return users, accounts, memberships, open_sessions, invites


SignInMachine.TestCase.settings = settings(settings.default, stateful_step_count=40)
TestSignInMachine = SignInMachine.TestCase


def test_machine_runs_as_many_examples_as_the_loaded_profile_asks() -> None:
    assert TestSignInMachine.settings.max_examples == settings.default.max_examples
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        assert TestSignInMachine.settings.max_examples >= 200


def test_disabled_owner_reached_by_a_new_verified_identity_is_refused() -> None:
    machine = SignInMachine()
    try:
        machine.sign_in(POOL[0], FRONTEND)
        machine.disable(_Fixed(next(iter(machine.users))), by_email=True)
        machine.sign_in(POOL[1], FRONTEND)
        machine.store_agrees_with_the_model()
    finally:
        machine.teardown()


class _Fixed:
    """Stands in for hypothesis's `data` when a rule is driven by hand."""

    def __init__(self, value: object) -> None:
        self.value = value

    def draw(self, strategy: object) -> object:
        return self.value


