"""`LocalPrincipals`, the in-process memory of the hot path: bounded in age and in size."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.principals import LocalPrincipals
from core.access import Grant, Principal
from core.model import Session, User

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def principal(session_id: str = "s1", user_id: str = "u1", at: datetime = T0) -> Principal:
    session = Session(session_id, user_id, "a1", "aad", at, at + timedelta(hours=2), at + timedelta(hours=12))
    user = User(user_id, "alice@contoso.com", "alice@contoso.com", "Alice", at)
    return Principal(session, user, (Grant(1, "editor", 20),), (("editor", 20),), at)


@pytest.mark.parametrize("age", [timedelta(0), timedelta(seconds=1), timedelta(seconds=5)])
def test_an_age_of_a_second_or_more_is_refused(age: timedelta) -> None:
    with pytest.raises(ValueError):
        LocalPrincipals(age)


def test_an_entry_vouches_only_while_younger_than_max_age() -> None:
    recent = LocalPrincipals(timedelta(milliseconds=500))
    recent.put(principal())
    assert recent.get("s1", T0 + timedelta(milliseconds=499)) is not None
    assert recent.get("s1", T0 + timedelta(milliseconds=500)) is None
    assert recent.get("s1", T0) is None  # aged out entries are gone


def test_an_entry_from_the_future_vouches_for_nothing() -> None:
    recent = LocalPrincipals()
    recent.put(principal(at=T0 + timedelta(seconds=1)))
    assert recent.get("s1", T0) is None


def test_size_is_bounded_least_recently_used_first() -> None:
    recent = LocalPrincipals(max_entries=2)
    recent.put(principal("s1"))
    recent.put(principal("s2"))
    assert recent.get("s1", T0) is not None  # s1 used: s2 is now the oldest
    recent.put(principal("s3"))
    assert len(recent) == 2
    assert recent.get("s2", T0) is None and recent.get("s1", T0) is not None


def test_forget_and_forget_user() -> None:
    recent = LocalPrincipals()
    recent.put(principal("s1", "u1"))
    recent.put(principal("s2", "u1"))
    recent.put(principal("s3", "u2"))
    recent.forget("s3")
    recent.forget("unknown")
    assert recent.get("s3", T0) is None
    recent.forget_user("u1")
    assert len(recent) == 0


def test_closed_sessions_are_remembered_until_given_and_drop_the_open_entry() -> None:
    recent = LocalPrincipals(max_closed=1)
    recent.put(principal("s1"))
    recent.put_closed("s1", T0 + timedelta(hours=1))
    assert recent.get("s1", T0) is None
    assert recent.closed("s1", T0 + timedelta(minutes=59))
    assert not recent.closed("s1", T0 + timedelta(hours=1))
    recent.put_closed("s2", T0 + timedelta(hours=1))
    recent.put_closed("s3", T0 + timedelta(hours=1))
    assert not recent.closed("s2", T0) and recent.closed("s3", T0)
    assert not recent.closed("never", T0)


def test_entries_too_old_to_vouch_are_dropped_by_later_puts_not_kept_until_read() -> None:
    """A session checked once and never again must not stay for `max_entries` puts: a soak
    grew every process by the principals of all its sessions."""
    recent = LocalPrincipals(timedelta(milliseconds=500), max_entries=10_000)
    recent.put(principal("s1", at=T0))
    recent.put(principal("s2", at=T0 + timedelta(milliseconds=300)))
    recent.put(principal("s3", at=T0 + timedelta(milliseconds=600)))
    assert len(recent) == 2  # s1 (600 ms old) is gone, s2 (300 ms) stays
    assert recent.get("s2", T0 + timedelta(milliseconds=600)) is not None
    for n in range(100):  # a stream of sessions, one put each 10 ms
        recent.put(principal(f"later-{n}", at=T0 + timedelta(milliseconds=1000 + 10 * n)))
    assert len(recent) == 50  # the last 500 ms of them, whatever max_entries allows
    recent.put(principal("past", at=T0))  # an entry from the future of the newest put
    assert len(recent) == 1 and recent.get("past", T0) is not None
