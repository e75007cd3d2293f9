"""Error replies in Microsoft's shapes: Azure AD (AADSTS), B2C (AADB2C) and Graph."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

# Azure AD codes: (OAuth error, message). Messages follow Microsoft's wording.
AAD_ERRORS: dict[int, tuple[str, str]] = {
    50011: (
        "invalid_request",
        "The redirect URI '{redirect_uri}' specified in the request does not match "
        "the redirect URIs configured for the application '{client_id}'.",
    ),
    50058: ("login_required", "A silent sign-in request was sent but no user is signed in."),
    50034: (
        "invalid_grant",
        "The user account {user} does not exist in the {tenant} directory. To sign into this "
        "application, the account must be added to the directory.",
    ),
    50057: (
        "invalid_grant",
        "The user account is disabled. The user object in Active Directory backing this account "
        "has been disabled.",
    ),
    50173: (
        "invalid_grant",
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
        "The user might have changed or reset their password. The grant was issued on "
        "'{issued}' and the TokensValidFrom date (before which tokens are not valid) for this "
        "user is '{valid_from}'.",
    ),
    54005: (
        "invalid_grant",
        "OAuth2 Authorization code was already redeemed, please retry with a new "
        "valid code or use an existing refresh token.",
    ),
    65004: ("access_denied", "User declined to consent to access the app."),
    70000: ("invalid_grant", "Provided grant is invalid or malformed."),
    70003: ("unsupported_grant_type", "The app requested an unsupported grant type '{grant_type}'."),
    70008: (
        "invalid_grant",
        "The provided authorization code or refresh token has expired due to "
        "inactivity. Send a new interactive authorization request for this user and resource.",
    ),
    90002: (
        "invalid_tenant",
        "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
        "and are signing into the correct cloud.",
    ),
    500112: (
        "invalid_grant",
        "The reply address '{redirect_uri}' does not match the reply address "
        "'{expected}' provided when requesting Authorization code.",
    ),
    500011: (
        "invalid_resource",
        "The resource principal named {resource} was not found in the tenant named {tenant}.",
    ),
    501481: (
        "invalid_grant",
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    ),
    700016: (
        "unauthorized_client",
        "Application with identifier '{client_id}' was not found in the directory '{tenant}'.",
    ),
    700054: (
        "unsupported_response_type",
        "response_type '{response_type}' is not enabled for the application.",
    ),
    900144: ("invalid_request", "The request body must contain the following parameter: '{parameter}'."),
    1002012: (
        "invalid_scope",
        "The provided value for scope {scope} is not valid. Client credential flows "
        "must have a scope value with /.default suffixed to the resource identifier "
        "(application ID URI).",
    ),
    7000215: (
        "invalid_client",
        "Invalid client secret provided. Ensure the secret being sent in the request "
        "is the client secret value, not the client secret ID, for a secret added to app '{client_id}'.",
    ),
    7000218: (
        "invalid_client",
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
    9002313: ("invalid_grant", "Invalid request. Request is malformed or invalid."),
}

# B2C codes: (OAuth error, message).
B2C_ERRORS: dict[int, tuple[str, str]] = {
    90006: (
        "redirect_uri_mismatch",
        "The redirect URI '{redirect_uri}' provided in the request is not "
        "registered for the client id '{client_id}'.",
    ),
    90079: ("invalid_request", "Clients must send a client_secret when redeeming a confidential grant."),
    90080: (
        "invalid_grant",
        "The provided grant has expired. Please re-authenticate and try again. "
        "Current time: {current}, Grant issued time: {issued}, Grant expiration time: {expires}",
    ),
    90081: (
        "invalid_client",
        "The specified client_secret does not match the expected value for this "
        "client. Please correct the client_secret and try again.",
    ),
    90088: (
        "invalid_grant",
        "The provided grant has not been issued for this endpoint. Actual Value : "
        "{actual} and Expected Value : {expected}",
    ),
    90090: ("invalid_grant", "The provided JWE is not a valid 5 segment token."),
    90091: ("access_denied", "The user has cancelled entering self-asserted information."),
    90117: ("unauthorized_client", "The scope '{scope}' provided in the request is not supported."),
    90118: ("access_denied", "The user has forgotten their password."),
    90183: ("invalid_grant", "The supplied code_verifier is invalid."),
    90273: (
        "access_denied",
        "An invalid response was received : 'Error: access_denied, "
        "Error Description: The user has cancelled the sign-in at the external identity provider.'",
    ),
    90129: ("invalid_grant", "The provided grant has been revoked. Please reauthenticate and try again."),
    99002: (
        "invalid_request",
        "This user does not exist and profile '{policy}' does not allow the user to be created.",
    ),
}


def timestamp(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _format(template: str, details: dict[str, Any]) -> str:
    try:
        return template.format(**details)
    except (KeyError, IndexError):
        return template


def aad_error(code: int, now: float, origin: str, **details: Any) -> dict[str, Any]:
    """The JSON body of an Azure AD token-endpoint error (also used for authorize redirects)."""
    error, template = AAD_ERRORS[code]
    trace_id, correlation_id, stamp = str(uuid.uuid4()), str(uuid.uuid4()), timestamp(now)
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {_format(template, details)}\r\nTrace ID: {trace_id}"
        f"\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}",
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"{origin}/error?code={code}",
    }


def b2c_error(code: int, now: float, **details: Any) -> dict[str, Any]:
    """The JSON body of a B2C error: only `error` and `error_description`, as B2C sends."""
    error, template = B2C_ERRORS[code]
    return {
        "error": error,
        "error_description": f"AADB2C{code}: {_format(template, details)}\r\nCorrelation ID: "
        f"{uuid.uuid4()}\r\nTimestamp: {timestamp(now)}\r\n",
    }


def authorize_error_params(body: dict[str, Any]) -> dict[str, str]:
    """Query parameters of an error redirect (no trace fields beyond the description)."""
    params = {"error": body["error"], "error_description": body["error_description"]}
    if "error_uri" in body:
        params["error_uri"] = body["error_uri"]
    return params


GRAPH_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Authorization_RequestDenied",
    404: "Request_ResourceNotFound",
    429: "TooManyRequests",
    503: "ServiceUnavailable",
}


def graph_error(status: int, message: str, now: float, code: str | None = None) -> dict[str, Any]:
    """A Microsoft Graph error body."""
    return {
        "error": {
            "code": code or GRAPH_CODES.get(status, "generalException"),
            "message": message,
            "innerError": {
                "date": dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": str(uuid.uuid4()),
                "client-request-id": str(uuid.uuid4()),
            },
        }
    }
