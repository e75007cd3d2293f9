"""The pure rule that turns Microsoft's answer to a renewal into a session's fate."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import ErrorCode, GrantRevoked, SignInError
from core.identity import RedeemedLogin
from core.model import MicrosoftTokens, Session
from core.policy import SignInPolicy
from core.rules.revalidation import (
    RevalidationDecision,
    Verdict,
    confirmation_window,
    judge_renewal,
    unconfirmed_too_long,
)
from tests.core.builders import T0

POLICY = SignInPolicy(revalidate_interval=timedelta(minutes=15), max_unconfirmed=timedelta(hours=1))
OID = "a11ce000-0000-4000-8000-00000000a11c"
KEPT_TOKENS = MicrosoftTokens("old-at", "old-rt", "old-it")
TICK = timedelta(microseconds=1)


def session(
    confirmed_after: timedelta | None = None, tokens: MicrosoftTokens | None = KEPT_TOKENS
) -> Session:
    return Session(
        id="s-1", user_id="u-1", account_id="a-1", authority="aad",
        created_at=T0, idle_expires_at=T0 + timedelta(hours=2), expires_at=T0 + timedelta(hours=12),
        microsoft_tokens=tokens,
        confirmed_at=None if confirmed_after is None else T0 + confirmed_after,
    )


def renewed(
    oid: object = OID, refresh: str | None = "new-rt", id_token: str | None = "new-it"
) -> RedeemedLogin:
    return RedeemedLogin("aad", {"oid": oid, "sid": "ms-sid"}, "new-at", refresh, id_token)


def test_last_confirmed_is_the_confirmation_else_the_creation() -> None:
    assert session().last_confirmed == T0
    assert session(timedelta(minutes=20)).last_confirmed == T0 + timedelta(minutes=20)


@pytest.mark.parametrize(
    ("confirmed_after", "elapsed", "expected"),
    [
        (None, timedelta(hours=1) - TICK, False),
        (None, timedelta(hours=1), True),
        (timedelta(minutes=30), timedelta(minutes=90) - TICK, False),
        (timedelta(minutes=30), timedelta(minutes=90), True),
    ],
)
def test_unconfirmed_too_long_starts_at_exactly_max_unconfirmed(
    confirmed_after: timedelta | None, elapsed: timedelta, expected: bool
) -> None:
    assert unconfirmed_too_long(session(confirmed_after), POLICY, T0 + elapsed) is expected


def test_a_renewal_of_the_same_account_confirms_with_the_new_tokens() -> None:
    decision = judge_renewal(session(), OID, renewed(), POLICY, T0 + timedelta(hours=5))
    assert decision == RevalidationDecision(
        Verdict.CONFIRMED, "confirmed", MicrosoftTokens("new-at", "new-rt", "new-it")
    )
    assert decision.tokens == MicrosoftTokens("new-at", "new-rt", "new-it")


def test_a_refresh_or_id_token_not_sent_again_is_kept() -> None:
    decision = judge_renewal(session(), OID, renewed(refresh=None, id_token=None), POLICY, T0)
    assert decision.tokens == MicrosoftTokens("new-at", "old-rt", "old-it")
    bare = judge_renewal(session(tokens=None), OID, renewed(refresh=None, id_token=None), POLICY, T0)
    assert bare.verdict is Verdict.CONFIRMED
    assert bare.tokens == MicrosoftTokens("new-at", None, None)


@pytest.mark.parametrize(("account_oid", "token_oid"), [(OID, "00000000-0000-4000-8000-000000000bad"),
                                                        (None, OID), (OID, None)])
def test_a_renewal_for_another_account_closes(account_oid: str | None, token_oid: object) -> None:
    decision = judge_renewal(session(), account_oid, renewed(oid=token_oid), POLICY, T0)
    assert decision == RevalidationDecision(Verdict.CLOSED, "account_mismatch")
    assert decision.tokens is None


def test_a_refused_grant_closes_at_once_with_microsofts_reason() -> None:
    refused = GrantRevoked("account_disabled", "AADSTS50057")
    decision = judge_renewal(session(), OID, refused, POLICY, T0 + TICK)
    assert decision == RevalidationDecision(Verdict.CLOSED, "account_disabled", None, "AADSTS50057")


def test_an_id_token_that_fails_validation_closes() -> None:
    failed = SignInError(ErrorCode.INVALID_TOKEN, "signature")
    decision = judge_renewal(session(), OID, failed, POLICY, T0)
    assert decision == RevalidationDecision(Verdict.CLOSED, "invalid_token")


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE), "microsoft_unreachable"),
        (SignInError(ErrorCode.SERVER_ERROR), "renewal_refused"),
        (SignInError(ErrorCode.ACCESS_DENIED), "renewal_refused"),
        (None, "no_refresh_token"),
    ],
)
def test_no_answer_keeps_the_session_until_max_unconfirmed_then_closes(
    outcome: SignInError | None, reason: str
) -> None:
    just_before = judge_renewal(session(), OID, outcome, POLICY, T0 + timedelta(hours=1) - TICK)
    assert just_before == RevalidationDecision(Verdict.KEPT, reason)
    at_bound = judge_renewal(session(), OID, outcome, POLICY, T0 + timedelta(hours=1))
    assert at_bound == RevalidationDecision(Verdict.CLOSED, "unconfirmed_too_long")


def test_the_bound_counts_from_the_last_confirmation() -> None:
    recent = session(timedelta(minutes=50))
    unreachable = SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE)
    kept = judge_renewal(recent, OID, unreachable, POLICY, T0 + timedelta(minutes=110) - TICK)
    closed = judge_renewal(recent, OID, unreachable, POLICY, T0 + timedelta(minutes=110))
    assert (kept.verdict, closed.verdict) == (Verdict.KEPT, Verdict.CLOSED)


def test_confirmation_window_is_one_interval_either_side() -> None:
    assert confirmation_window(POLICY, T0) == (T0 - timedelta(minutes=15), T0 + timedelta(minutes=15))


def test_policy_bounds_the_revalidation_settings() -> None:
    assert SignInPolicy(revalidate_interval=timedelta(hours=1), max_unconfirmed=timedelta(hours=1))
    with pytest.raises(ValueError, match="^max_unconfirmed must be at least revalidate_interval$"):
        SignInPolicy(revalidate_interval=timedelta(hours=1), max_unconfirmed=timedelta(hours=1) - TICK)
    with pytest.raises(ValueError, match="^revalidate_batch must be at least 1$"):
        SignInPolicy(revalidate_batch=0)
    assert SignInPolicy(revalidate_batch=1).revalidate_batch == 1
    for name in ("revalidate_interval", "max_unconfirmed"):
        with pytest.raises(ValueError, match=f"^{name} must be positive$"):
            SignInPolicy(**{name: timedelta(0)})  # type: ignore[arg-type]


def test_policy_defaults() -> None:
    policy = SignInPolicy()
    assert (policy.revalidate_interval, policy.max_unconfirmed, policy.revalidate_batch) == (
        timedelta(minutes=15), timedelta(hours=1), 100
    )


def test_a_refused_grant_says_its_reason_and_code_and_nothing_else() -> None:
    assert str(GrantRevoked("account_disabled", "AADSTS50057")) == "account_disabled (AADSTS50057)"
    assert str(GrantRevoked("grant_invalid")) == "grant_invalid"
    assert GrantRevoked("grant_invalid").microsoft_code is None
