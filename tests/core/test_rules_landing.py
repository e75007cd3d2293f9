"""Rule 6's origin and path (core.rules.landing): the one room for the landing."""
from __future__ import annotations

import pytest

from core.rules.landing import Landing, error_origin, land, landing_origin

A = "https://app.contoso.com"
B = "http://localhost:3001"
ALLOWED = (A, B)


def test_the_logins_origin_wins_over_the_workspace_host() -> None:
    assert land(B, 3, A, None, ALLOWED) == Landing(B, "/workspace/3/home")


def test_without_a_login_origin_the_workspace_host_is_used_when_allowed() -> None:
    assert land(None, 2, B, "/reports/1", ALLOWED) == Landing(B, "/reports/1")


def test_a_workspace_host_off_the_allow_list_gives_the_first_allowed_origin_and_says_so() -> None:
    assert land(None, 2, "https://evil.example", None, ALLOWED) == Landing(A, "/workspace/2/home", True)


def test_a_login_origin_no_longer_allowed_is_never_used() -> None:
    assert land("https://dropped.example", 1, B, None, ALLOWED) == Landing(A, "/workspace/1/home", True)


def test_no_origin_and_no_workspace_lands_on_the_first_allowed_origin_quietly() -> None:
    assert land(None, None, None, None, ALLOWED) == Landing(A, "/no-workspace", False)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [(B, (B, False)), ("HTTP://LOCALHOST:3001", (B, False)), ("https://x.example", (A, True)),
     (None, (A, False)), ("", (A, True))],
)
def test_a_candidate_origin_is_kept_only_when_allowed(
    candidate: str | None, expected: tuple[str, bool]
) -> None:
    assert landing_origin(candidate, ALLOWED) == expected


def test_a_failed_sign_in_goes_back_to_its_login_else_to_the_only_allowed_origin() -> None:
    assert error_origin(B, ALLOWED) == B
    assert error_origin(None, ALLOWED) is None
    assert error_origin(None, (B,)) == B
    assert error_origin(A, (B,)) == A


def test_a_sign_in_cannot_be_completed_without_an_allowed_origin_to_land_on() -> None:
    from core.usecases.complete_signin import CompleteSignIn

    with pytest.raises(ValueError, match="^at least one allowed origin is required$"):
        CompleteSignIn(*([None] * 9), allowed_origins=())  # type: ignore[arg-type]
