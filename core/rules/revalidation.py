"""Following Microsoft after the sign-in: what a renewal attempt means for a session.

A session is re-confirmed by redeeming the Microsoft refresh token kept for it. Microsoft's
answer decides: new tokens confirm it, a refused grant closes it at once, and no answer
(Microsoft unreachable, no refresh token kept) leaves it as it is until the next attempt,
but never for longer than `SignInPolicy.max_unconfirmed` since Microsoft last vouched for
it: then it closes (fail closed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.errors import ErrorCode, GrantRevoked, SignInError
from core.identity import RedeemedLogin
from core.model import MicrosoftTokens, Session
from core.policy import SignInPolicy


class Verdict(StrEnum):
    CONFIRMED = "confirmed"   # Microsoft vouched again; the new tokens replace the kept ones
    KEPT = "kept"             # no answer; the session stays until the next attempt
    CLOSED = "closed"         # the session closes now


# Reasons (fixed words, for the security log) besides a `GrantRevoked.reason`.
CONFIRMED = "confirmed"
MICROSOFT_UNREACHABLE = "microsoft_unreachable"
RENEWAL_REFUSED = "renewal_refused"
NO_REFRESH_TOKEN = "no_refresh_token"
ACCOUNT_MISMATCH = "account_mismatch"
INVALID_TOKEN = "invalid_token"
UNCONFIRMED_TOO_LONG = "unconfirmed_too_long"
SESSION_CLOSED = "session_closed"  # closed meanwhile by something else (logout, disable)

RenewalOutcome = RedeemedLogin | GrantRevoked | SignInError | None


@dataclass(frozen=True)
class RevalidationDecision:
    verdict: Verdict
    reason: str
    tokens: MicrosoftTokens | None = field(default=None, repr=False)
    microsoft_code: str | None = None


def unconfirmed_too_long(session: Session, policy: SignInPolicy, now: datetime) -> bool:
    """Whether Microsoft has not vouched for the session for `max_unconfirmed` or more."""
    return now - session.last_confirmed >= policy.max_unconfirmed


def judge_renewal(
    session: Session,
    account_object_id: str | None,
    outcome: RenewalOutcome,
    policy: SignInPolicy,
    now: datetime,
) -> RevalidationDecision:
    """The decision for `session` after a renewal attempt that ended with `outcome`: the
    renewed login, the refusal (`GrantRevoked`), the failure (`SignInError`), or None when
    no attempt could be made (no refresh token kept). `account_object_id` is the object id
    of the session's account (None: the account is gone)."""
    if isinstance(outcome, RedeemedLogin):
        if account_object_id is None or outcome.claims.get("oid") != account_object_id:
            return RevalidationDecision(Verdict.CLOSED, ACCOUNT_MISMATCH)
        return RevalidationDecision(Verdict.CONFIRMED, CONFIRMED, _renewed_tokens(session, outcome))
    if isinstance(outcome, GrantRevoked):
        return RevalidationDecision(Verdict.CLOSED, outcome.reason, microsoft_code=outcome.microsoft_code)
    if isinstance(outcome, SignInError) and outcome.code is ErrorCode.INVALID_TOKEN:
        return RevalidationDecision(Verdict.CLOSED, INVALID_TOKEN)
    if outcome is None:
        reason = NO_REFRESH_TOKEN
    elif outcome.code is ErrorCode.TEMPORARILY_UNAVAILABLE:
        reason = MICROSOFT_UNREACHABLE
    else:
        reason = RENEWAL_REFUSED
    if unconfirmed_too_long(session, policy, now):
        return RevalidationDecision(Verdict.CLOSED, UNCONFIRMED_TOO_LONG)
    return RevalidationDecision(Verdict.KEPT, reason)


def _renewed_tokens(session: Session, login: RedeemedLogin) -> MicrosoftTokens:
    """The new tokens; a refresh or ID token Microsoft did not send again is kept."""
    kept = session.microsoft_tokens or MicrosoftTokens()
    return MicrosoftTokens(
        access_token=login.access_token,
        refresh_token=login.refresh_token or kept.refresh_token,
        id_token=login.id_token or kept.id_token,
    )


def confirmation_window(policy: SignInPolicy, now: datetime) -> tuple[datetime, datetime]:
    """For a sweep at `now`: sessions last confirmed before the first value are due, and
    a claimed one is leased until the second (an unanswered one is tried again then)."""
    return now - policy.revalidate_interval, now + policy.revalidate_interval
