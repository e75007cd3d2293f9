"""How Microsoft's error answers and MSAL's exceptions map to sign-in errors."""

from __future__ import annotations

import pytest
import requests
from msal.exceptions import MsalServiceError

from adapters.msal.apps import UpstreamMalformed
from adapters.msal.outcomes import authorize_error, exception_outcome, token_error
from core.errors import ErrorCode

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
