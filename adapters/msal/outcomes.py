"""What Microsoft's answers and MSAL's exceptions mean for the sign-in (see docs/microsoft.md).

Only codes and fixed words go into `SignInError` messages: an `error_description` may echo
a redirect URI or a user name, so it is never copied.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import requests
from msal.exceptions import MsalServiceError

from core.errors import ErrorCode, GrantRevoked, SignInError

_CODE = re.compile(r"^\s*(AADSTS\d+|AADB2C\d+)")
_CANCELLED = {"AADB2C90091", "AADB2C90273"}
_PASSWORD_RESET = {"AADB2C90118"}
# Token endpoint: the code expired or was already used (Azure AD), "grant has expired" (B2C).
_EXPIRED_GRANT = {"AADSTS70008", "AADSTS54005", "AADB2C90080"}
_EXPIRED_CODES = {70008, 54005}
_OUR_CONFIGURATION = {"invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope"}
_MICROSOFT_BUSY = {"temporarily_unavailable", "server_error"}


def microsoft_code(description: object) -> str | None:
    """The `AADSTS...` / `AADB2C...` code an `error_description` starts with."""
    match = _CODE.match(description) if isinstance(description, str) else None
    return match.group(1) if match else None


def authorize_error(reply: Mapping[str, str]) -> SignInError:
    """An error reply from the authorize endpoint (the browser came back with `error`)."""
    code = microsoft_code(reply.get("error_description"))
    label = code or "no code"
    if code in _PASSWORD_RESET:
        return SignInError(ErrorCode.PASSWORD_RESET, "the user asked for a password reset")
    if code in _CANCELLED:
        return SignInError(ErrorCode.CANCELLED, f"the user cancelled ({label})")
    if reply.get("error") in _MICROSOFT_BUSY:
        return SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"authorize endpoint busy ({label})")
    return SignInError(ErrorCode.ACCESS_DENIED, f"authorize endpoint refused ({label})")


def token_error(result: Mapping[str, Any]) -> SignInError:
    """An error answer (a JSON body with `error`) from the token endpoint."""
    error = result.get("error")
    code = microsoft_code(result.get("error_description"))
    numbers = result.get("error_codes")
    numbers = set(numbers) if isinstance(numbers, list) else set()
    label = f"{error if isinstance(error, str) else 'error'}, {code or 'no code'}"
    if code in _EXPIRED_GRANT or numbers & _EXPIRED_CODES:
        return SignInError(ErrorCode.LOGIN_EXPIRED, f"code expired or already used ({label})")
    if error == "invalid_grant":
        return SignInError(ErrorCode.INVALID_REQUEST, f"code refused ({label})")
    if error in _OUR_CONFIGURATION:
        return SignInError(ErrorCode.SERVER_ERROR, f"app registration refused ({label})")
    if error in _MICROSOFT_BUSY:
        return SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"token endpoint busy ({label})")
    return SignInError(ErrorCode.ACCESS_DENIED, f"token endpoint refused ({label})")


def exception_outcome(error: BaseException, *, redeeming: bool) -> SignInError:
    """An exception out of MSAL. While redeeming a code, after our own state and reply
    checks, a `RuntimeError` is MSAL's nonce check and a data error is a malformed ID token
    (non-JSON answers are stopped earlier, by the HTTP session)."""
    name = type(error).__name__
    # MsalServiceError: MSAL's throttling layer raising for a 5xx answer.
    if isinstance(error, requests.RequestException | MsalServiceError | OSError | TimeoutError):
        return SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"Microsoft unreachable ({name})")
    if redeeming and isinstance(error, RuntimeError):
        return SignInError(ErrorCode.INVALID_TOKEN, "nonce mismatch (MSAL)")
    if redeeming and isinstance(error, ValueError | IndexError | KeyError | TypeError | AttributeError):
        return SignInError(ErrorCode.INVALID_TOKEN, f"malformed token response ({name})")
    if isinstance(error, ValueError):  # MSAL could not load the discovery document
        return SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"authority unusable ({name})")
    return SignInError(ErrorCode.SERVER_ERROR, f"unexpected MSAL failure ({name})")


# A refresh token refused (`invalid_grant` / `interaction_required`): why, by code. Azure AD
# (see docs/microsoft.md for the sources) and B2C.
_REVOKED_REASONS = {
    "AADSTS50057": "account_disabled",       # UserDisabled
    "AADSTS50034": "account_deleted",        # UserAccountNotFound
    "AADSTS50173": "sessions_revoked",       # FreshTokenNeeded: grant revoked (password change, revoke)
    "AADSTS50133": "password_changed",       # SsoArtifactRevoked: session invalid after a password change
    "AADSTS700082": "grant_expired",         # refresh token expired by inactivity
    "AADSTS70008": "grant_expired",          # expired grant
    "AADSTS70043": "grant_expired",          # sign-in frequency (Conditional Access)
    "AADSTS50076": "interaction_required",   # MFA now required
    "AADSTS50079": "interaction_required",   # MFA registration required
    "AADSTS53003": "interaction_required",   # blocked by Conditional Access
    "AADB2C90129": "sessions_revoked",       # the grant has been revoked
    "AADB2C90080": "grant_expired",          # the grant has expired
    "AADB2C99002": "account_deleted",        # the user does not exist
}
_REVOKED_ERRORS = {"invalid_grant", "interaction_required"}


def renewal_error(result: Mapping[str, Any]) -> GrantRevoked | SignInError:
    """An error answer of the token endpoint to a refresh-token grant: the grant refused
    (the session must close), or a failure that says nothing about the account."""
    error = result.get("error")
    code = microsoft_code(result.get("error_description"))
    if error in _REVOKED_ERRORS:
        return GrantRevoked(_REVOKED_REASONS.get(code or "", "grant_invalid"), code)
    label = f"{error if isinstance(error, str) else 'error'}, {code or 'no code'}"
    if error in _OUR_CONFIGURATION:
        return SignInError(ErrorCode.SERVER_ERROR, f"app registration refused the renewal ({label})")
    if error in _MICROSOFT_BUSY:
        return SignInError(ErrorCode.TEMPORARILY_UNAVAILABLE, f"token endpoint busy ({label})")
    return SignInError(ErrorCode.ACCESS_DENIED, f"token endpoint refused the renewal ({label})")
