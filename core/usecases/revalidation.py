"""Use cases that follow Microsoft after the sign-in: re-validating one session (at
refresh), sweeping the sessions due for it (in the background), and Microsoft's
front-channel sign-out.

Shape: load -> ask Microsoft (outside any transaction) -> decide (`core.rules.revalidation`)
-> persist in one guarded write -> commit -> tell the cache.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import ErrorCode, GrantRevoked, SignInError
from core.model import Session
from core.policy import SignInPolicy
from core.ports import (
    Clock,
    IdentityGateway,
    RecentPrincipals,
    RevocationFeed,
    SessionCache,
    UnitOfWorkFactory,
)
from core.rules.revalidation import (
    SESSION_CLOSED,
    RenewalOutcome,
    Verdict,
    confirmation_window,
    judge_renewal,
)
from core.usecases.sessions import spread_closure

MAX_MICROSOFT_SID = 256
MAX_ISSUER = 512


@dataclass(frozen=True)
class Revalidation:
    """What one re-validation did. `reason` is a fixed word (see `core.rules.revalidation`);
    `session` is the session after it (None when it was closed meanwhile)."""

    session_id: str
    user_id: str
    verdict: Verdict
    reason: str
    microsoft_code: str | None = None
    session: Session | None = field(default=None, repr=False)


class SessionClosedByMicrosoft(SignInError):
    """A refresh found that Microsoft no longer vouches for the session: it is closed."""

    def __init__(self, revalidation: Revalidation) -> None:
        super().__init__(ErrorCode.INVALID_TOKEN, f"session closed by re-validation ({revalidation.reason})")
        self.revalidation = revalidation


class RevalidateSession:
    """Ask Microsoft about one session by redeeming its kept refresh token, and act on the
    answer: replace its tokens, close it, or leave it as it is."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IdentityGateway,
        cache: SessionCache,
        clock: Clock,
        policy: SignInPolicy,
        recent: RecentPrincipals | None = None,
        feed: RevocationFeed | None = None,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._cache = cache
        self._clock = clock
        self._policy = policy
        self._recent = recent
        self._feed = feed

    async def __call__(self, session: Session) -> Revalidation:
        """Raises `SignInError(temporarily_unavailable)` only when the database cannot
        answer; every answer (or silence) of Microsoft is a `Revalidation`."""
        async with self._uow() as uow:
            accounts = await uow.accounts.for_user(session.user_id)
        account = next((a for a in accounts if a.id == session.account_id), None)
        outcome = await self._renew(session)
        now = self._clock.now()
        decision = judge_renewal(
            session, account.object_id if account else None, outcome, self._policy, now
        )
        after: Session | None = session
        verdict, reason = decision.verdict, decision.reason
        async with self._uow() as uow:
            if verdict is Verdict.CONFIRMED and decision.tokens is not None:
                after = await uow.sessions.confirm(session.id, decision.tokens, now, now)
                if after is None:  # closed meanwhile (logout, disable): never reopened
                    verdict, reason = Verdict.CLOSED, SESSION_CLOSED
            elif verdict is Verdict.CLOSED:
                after = await uow.sessions.revoke(session.id, now)
            await uow.commit()
        if verdict is Verdict.CLOSED and after is not None:
            await spread_closure((after,), now, self._cache, self._recent, self._feed)
        return Revalidation(session.id, session.user_id, verdict, reason, decision.microsoft_code, after)

    async def _renew(self, session: Session) -> RenewalOutcome:
        tokens = session.microsoft_tokens
        if tokens is None or not tokens.refresh_token:
            return None
        try:
            return await self._gateway.renew(session.authority, tokens.refresh_token)
        except (GrantRevoked, SignInError) as answer:
            return answer


class SweepSessions:
    """One pass of the background re-validation: claim at most `revalidate_batch` open
    sessions not confirmed for `revalidate_interval` (a lease, so that several processes
    never ask Microsoft about the same session at once) and re-validate each."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        revalidate: RevalidateSession,
        clock: Clock,
        policy: SignInPolicy,
    ) -> None:
        self._uow = uow
        self._revalidate = revalidate
        self._clock = clock
        self._policy = policy

    async def __call__(self) -> tuple[Revalidation, ...]:
        now = self._clock.now()
        due_before, lease_until = confirmation_window(self._policy, now)
        async with self._uow() as uow:
            claimed = await uow.sessions.claim_for_confirmation(
                now, due_before, lease_until, self._policy.revalidate_batch
            )
            await uow.commit()
        return tuple([await self._revalidate(session) for session in claimed])


@dataclass(frozen=True)
class FrontChannelLoggedOut:
    closed: tuple[Session, ...] = field(repr=False)


class FrontChannelLogout:
    """Microsoft signed the person out (its front-channel logout call names its session by
    `iss` and `sid`): close every session opened with that Microsoft session."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        cache: SessionCache,
        clock: Clock,
        recent: RecentPrincipals | None = None,
        feed: RevocationFeed | None = None,
    ) -> None:
        self._uow = uow
        self._cache = cache
        self._clock = clock
        self._recent = recent
        self._feed = feed

    async def __call__(self, issuer: str | None, microsoft_sid: str | None) -> FrontChannelLoggedOut:
        """Idempotent: a second call closes nothing more. Raises
        `SignInError(invalid_request)` for a missing, empty or oversized `iss` or `sid`."""
        too_long = len(issuer or "") > MAX_ISSUER or len(microsoft_sid or "") > MAX_MICROSOFT_SID
        if not issuer or not microsoft_sid or too_long:
            raise SignInError(ErrorCode.INVALID_REQUEST, "front-channel logout needs iss and sid")
        now = self._clock.now()
        async with self._uow() as uow:
            closed = tuple(await uow.sessions.revoke_by_microsoft_sid(issuer, microsoft_sid, now))
            await uow.commit()
        await spread_closure(closed, now, self._cache, self._recent, self._feed)
        return FrontChannelLoggedOut(closed)
