"""How Microsoft's error answers and MSAL's exceptions map to sign-in errors."""

from __future__ import annotations

import pytest
import requests
from msal.exceptions import MsalServiceError

from adapters.msal.apps import UpstreamMalformed
from adapters.msal.outcomes import authorize_error, exception_outcome, renewal_error, token_error
from core.errors import ErrorCode, GrantRevoked, SignInError

TRAILER = "\r\nCorrelation ID: 1\r\nTimestamp: 2025-01-01 00:00:00Z"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            {"error": "access_denied", "error_description": "AADB2C90118: forgot." + TRAILER},
            ErrorCode.PASSWORD_RESET,
        ),
        (
            {"error": "access_denied", "error_description": "AADB2C90091: cancelled." + TRAILER},
            ErrorCode.CANCELLED,
        ),
        (
            {"error": "access_denied", "error_description": "AADB2C90273: cancelled at idp."},
            ErrorCode.CANCELLED,
        ),
        ({"error": "access_denied", "error_description": "AADSTS65004: declined."}, ErrorCode.ACCESS_DENIED),
        (
            {"error": "invalid_request", "error_description": "AADSTS50011: redirect URI."},
            ErrorCode.ACCESS_DENIED,
        ),
        ({"error": "temporarily_unavailable"}, ErrorCode.TEMPORARILY_UNAVAILABLE),
        ({"error": "access_denied", "error_description": "see AADB2C90118 later"}, ErrorCode.ACCESS_DENIED),
    ],
)
def test_authorize_errors(reply: dict, expected: ErrorCode) -> None:
    assert authorize_error(reply).code is expected


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (
            {"error": "invalid_grant", "error_description": "AADSTS70008: expired.", "error_codes": [70008]},
            ErrorCode.LOGIN_EXPIRED,
        ),
        ({"error": "invalid_grant", "error_codes": [54005]}, ErrorCode.LOGIN_EXPIRED),
        (
            {"error": "invalid_grant", "error_description": "AADB2C90080: The provided grant has expired."},
            ErrorCode.LOGIN_EXPIRED,
        ),
        (
            {"error": "invalid_grant", "error_description": "AADSTS501481: verifier."},
            ErrorCode.INVALID_REQUEST,
        ),
        ({"error": "invalid_client", "error_description": "AADSTS7000215: secret."}, ErrorCode.SERVER_ERROR),
        ({"error": "temporarily_unavailable"}, ErrorCode.TEMPORARILY_UNAVAILABLE),
        (
            {"error": "interaction_required", "error_description": "AADSTS65001: consent."},
            ErrorCode.ACCESS_DENIED,
        ),
    ],
)
def test_token_endpoint_errors(result: dict, expected: ErrorCode) -> None:
    assert token_error(result).code is expected


@pytest.mark.parametrize(
    ("error", "redeeming", "expected"),
    [
        (requests.ConnectionError("down"), True, ErrorCode.TEMPORARILY_UNAVAILABLE),
        (requests.Timeout("slow"), True, ErrorCode.TEMPORARILY_UNAVAILABLE),
        (UpstreamMalformed("html"), True, ErrorCode.TEMPORARILY_UNAVAILABLE),
        (
            MsalServiceError("HTTP Error: 502", error=None, error_description=None),
            True,
            ErrorCode.TEMPORARILY_UNAVAILABLE,
        ),
        (RuntimeError("secret-nonce-value"), True, ErrorCode.INVALID_TOKEN),
        (IndexError("list index out of range"), True, ErrorCode.INVALID_TOKEN),
        (ValueError("bad base64"), True, ErrorCode.INVALID_TOKEN),
        (ValueError("discovery"), False, ErrorCode.TEMPORARILY_UNAVAILABLE),
        (ZeroDivisionError("secret-detail"), True, ErrorCode.SERVER_ERROR),
    ],
)
def test_exceptions(error: BaseException, redeeming: bool, expected: ErrorCode) -> None:
    outcome = exception_outcome(error, redeeming=redeeming)
    assert outcome.code is expected and str(error) not in outcome.detail


# -- a refresh token refused or not (re-validation, issue 18) ------------------------------


def _refusal(error: str, code: str | None) -> dict[str, object]:
    description = f"{code}: The grant was refused.\r\nTrace ID: t\r\nCorrelation ID: c" if code else "refused"
    return {"error": error, "error_description": description}


@pytest.mark.parametrize(
    ("error", "code", "reason"),
    [
        ("invalid_grant", "AADSTS50057", "account_disabled"),
        ("invalid_grant", "AADSTS50034", "account_deleted"),
        ("invalid_grant", "AADSTS50173", "sessions_revoked"),
        ("invalid_grant", "AADSTS50133", "password_changed"),
        ("invalid_grant", "AADSTS700082", "grant_expired"),
        ("invalid_grant", "AADSTS70008", "grant_expired"),
        ("invalid_grant", "AADSTS70043", "grant_expired"),
        ("invalid_grant", "AADB2C90129", "sessions_revoked"),
        ("invalid_grant", "AADB2C90080", "grant_expired"),
        ("invalid_request", "AADB2C99002", None),
        ("interaction_required", "AADSTS50076", "interaction_required"),
        ("interaction_required", "AADSTS50079", "interaction_required"),
        ("invalid_grant", "AADSTS53003", "interaction_required"),
        ("invalid_grant", "AADSTS9002313", "grant_invalid"),
        ("invalid_grant", None, "grant_invalid"),
    ],
)
def test_a_refused_refresh_token_names_its_reason(error: str, code: str | None, reason: str | None) -> None:
    outcome = renewal_error(_refusal(error, code))
    if reason is None:
        assert isinstance(outcome, SignInError) and outcome.code is ErrorCode.ACCESS_DENIED
        return
    assert isinstance(outcome, GrantRevoked)
    assert (outcome.reason, outcome.microsoft_code) == (reason, code)
    assert "refused" not in str(outcome)  # the description is never copied


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("invalid_client", ErrorCode.SERVER_ERROR),
        ("unauthorized_client", ErrorCode.SERVER_ERROR),
        ("invalid_scope", ErrorCode.SERVER_ERROR),
        ("temporarily_unavailable", ErrorCode.TEMPORARILY_UNAVAILABLE),
        ("server_error", ErrorCode.TEMPORARILY_UNAVAILABLE),
        ("something_else", ErrorCode.ACCESS_DENIED),
        (None, ErrorCode.ACCESS_DENIED),
    ],
)
def test_a_renewal_failure_that_says_nothing_about_the_account_is_not_a_refusal(
    error: str | None, expected: ErrorCode
) -> None:
    outcome = renewal_error({"error": error, "error_description": "AADSTS7000215: secret"})
    assert isinstance(outcome, SignInError) and outcome.code is expected
    assert "secret" not in str(outcome)
