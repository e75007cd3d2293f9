"""The token endpoint: authorization_code (PKCE), refresh_token and client_credentials grants."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import replace
from typing import Any
from urllib.parse import unquote_plus

from litestar import Response

from .authorities import Realm
from .directory import Application, User
from .errors import aad_error, b2c_error, timestamp
from .faults import Fault
from .grants import CODE_LIFETIME, REFRESH_LIFETIME, Grant, pkce_matches
from .responses import NO_STORE, json_response
from .state import Sandbox
from .tokens import ACCESS_TOKEN_LIFETIME, GRAPH_RESOURCE, graph_app_token, user_token_response

# Which B2C code stands in for an Azure AD one (see docs/sandbox.md).
_B2C_EQUIVALENT = {
    50034: 99002,
    50057: 90129,
    50173: 90129,
    54005: 90080,
    70000: 90088,
    70008: 90080,
    500112: 90006,
    501481: 90183,
    7000215: 90081,
    7000218: 90079,
    9002313: 90090,
}


class TokenError(Exception):
    """An Azure AD code to answer with; the realm decides the dialect."""

    def __init__(self, code: int, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


def client_credentials_from(headers: dict[str, str], form: dict[str, str]) -> tuple[str, str | None]:
    """(client_id, secret) from client_secret_basic or client_secret_post."""
    auth = headers.get("authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, sep, secret = decoded.partition(":")
        if sep:
            return unquote_plus(client_id), unquote_plus(secret)
    return form.get("client_id", ""), form.get("client_secret")


def handle_token(
    sb: Sandbox, realm: Realm, headers: dict[str, str], form: dict[str, str], fault: Fault | None
) -> Response[Any]:
    try:
        app = _authenticate(sb, realm, headers, form)
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            body = user_token_response(sb, _redeem_code(sb, realm, app, form), fault, with_id_token=True)
        elif grant_type == "refresh_token":
            body = user_token_response(sb, _redeem_refresh(sb, realm, app, form), fault, with_id_token=True)
        elif grant_type == "client_credentials":
            body = _client_credentials(sb, realm, app, form)
        elif not grant_type:
            raise TokenError(900144, parameter="grant_type")
        else:
            raise TokenError(70003, grant_type=grant_type)
    except TokenError as exc:
        return _error_response(sb, realm, exc)
    return json_response(body, 200, NO_STORE)


def _error_response(sb: Sandbox, realm: Realm, exc: TokenError) -> Response[Any]:
    now = sb.now()
    b2c_code = _B2C_EQUIVALENT.get(exc.code) if realm.family == "b2c" else None
    if b2c_code is not None:
        issued = int(exc.details.get("issued", now))
        body = b2c_error(
            b2c_code,
            now,
            current=int(now),
            issued=issued,
            expires=issued + CODE_LIFETIME,
            **{k: v for k, v in exc.details.items() if k != "issued"},
        )
    else:
        body = aad_error(exc.code, now, sb.origin, **exc.details)
    status = 401 if body["error"] == "invalid_client" else 400
    return json_response(body, status, NO_STORE)


def _authenticate(sb: Sandbox, realm: Realm, headers: dict[str, str], form: dict[str, str]) -> Application:
    client_id, secret = client_credentials_from(headers, form)
    if not client_id:
        raise TokenError(900144, parameter="client_id")
    app = sb.directory.application(client_id)
    family = "b2c" if realm.b2c else ("external" if realm.family == "external" else "aad")
    if app is None or app.kind != family:
        raise TokenError(700016, client_id=client_id, tenant=realm.segment)
    if not secret:
        raise TokenError(7000218)
    if not secrets.compare_digest(secret.encode(), app.secret.encode()):
        raise TokenError(7000215, client_id=client_id)
    return app


def _redeem_code(sb: Sandbox, realm: Realm, app: Application, form: dict[str, str]) -> Grant:
    code = form.get("code")
    if not code:
        raise TokenError(900144, parameter="code")
    grant = sb.grants.code(code)
    if grant is None:
        raise TokenError(9002313)
    if (
        grant.client_id != app.client_id
        or grant.realm.tenant_id != realm.tenant_id
        or (grant.realm.policy != realm.policy)
    ):
        raise TokenError(70000, actual=realm.policy, expected=grant.realm.policy)
    if grant.redeemed:
        raise TokenError(54005, issued=grant.issued_at)
    grant.redeemed = True  # any attempt burns the code, as a guessed verifier must not get a retry
    if sb.now() - grant.issued_at > CODE_LIFETIME:
        raise TokenError(70008, issued=grant.issued_at)
    if form.get("redirect_uri", "") != grant.redirect_uri:
        raise TokenError(
            500112,
            redirect_uri=form.get("redirect_uri", ""),
            expected=grant.redirect_uri,
            client_id=app.client_id,
        )
    if not pkce_matches(grant, form.get("code_verifier")):
        raise TokenError(501481)
    return grant


def _redeem_refresh(sb: Sandbox, realm: Realm, app: Application, form: dict[str, str]) -> Grant:
    token = form.get("refresh_token")
    if not token:
        raise TokenError(900144, parameter="refresh_token")
    grant = sb.grants.refresh_token(token)
    if grant is None:
        raise TokenError(9002313)
    if grant.client_id != app.client_id or grant.realm.family != realm.family:
        raise TokenError(70000, actual=realm.policy, expected=grant.realm.policy)
    now = sb.now()
    if now - grant.issued_at > REFRESH_LIFETIME[realm.family]:
        raise TokenError(70008, issued=grant.issued_at)
    user = _current_user(sb, realm, grant)
    scopes = tuple(form["scope"].split()) if form.get("scope") else grant.scopes
    return replace(grant, user=user, scopes=scopes, issued_at=now, nonce=None, redeemed=False)


def _current_user(sb: Sandbox, realm: Realm, grant: Grant) -> User:
    """The account as it is now: deleted, disabled, or with tokens revoked since the sign-in
    this grant comes from, it refuses the grant (`invalid_grant`), as Microsoft does."""
    user = sb.directory.user_by_oid(grant.user.oid)
    if user is None:
        raise TokenError(50034, user=grant.user.username, tenant=realm.segment, policy=realm.policy)
    if user.disabled:
        raise TokenError(50057)
    if user.tokens_valid_from and grant.auth_time <= user.tokens_valid_from:
        raise TokenError(
            50173, issued=timestamp(grant.auth_time), valid_from=timestamp(user.tokens_valid_from)
        )
    return user


def _client_credentials(sb: Sandbox, realm: Realm, app: Application, form: dict[str, str]) -> dict[str, Any]:
    scope = form.get("scope", "")
    if not scope:
        raise TokenError(900144, parameter="scope")
    scopes = scope.split()
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        raise TokenError(1002012, scope=scope)
    tenant_id = realm.tenant_id
    if tenant_id is None:
        raise TokenError(90002, tenant=realm.segment)
    resource = scopes[0].removesuffix("/.default")
    if resource.rstrip("/") not in {GRAPH_RESOURCE, "00000003-0000-0000-c000-000000000000"}:
        raise TokenError(500011, resource=resource, tenant=tenant_id)
    token = graph_app_token(sb, app.client_id, tenant_id, int(sb.now()))
    return {
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "ext_expires_in": ACCESS_TOKEN_LIFETIME,
        "access_token": token,
    }
