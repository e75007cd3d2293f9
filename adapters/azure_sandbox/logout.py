"""The end-session endpoint: redirect only to an allow-listed `post_logout_redirect_uri`;
and front-channel logout: the URLs Microsoft's sign-out page loads for the apps the user
signed in to."""

from __future__ import annotations

from typing import Any

import jwt
from litestar import Response

from .authorities import Realm, registered
from .responses import html_response, redirect, with_params
from .state import Sandbox
from .tokens import issuer_of


def handle_logout(sb: Sandbox, realm: Realm, params: dict[str, str]) -> Response[Any]:
    target = params.get("post_logout_redirect_uri")
    if target and target in _allowed(sb, realm, params):
        state = params.get("state")
        return redirect(with_params(target, {"state": state}) if state else target)
    note = " The post_logout_redirect_uri is not registered for the application." if target else ""
    return html_response(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head>'
        f"<body><main><h1>You signed out of your account</h1><p>It's a good idea to close all browser "
        f"windows.{note}</p></main></body></html>"
    )


def _allowed(sb: Sandbox, realm: Realm, params: dict[str, str]) -> set[str]:
    """The requested URI when the app (from client_id or id_token_hint) registered it."""
    client_id = params.get("client_id") or _hint_audience(params.get("id_token_hint"))
    family = realm.family if realm.family in ("b2c", "external") else "aad"
    apps = [
        a
        for a in sb.directory.applications
        if a.kind == family and (not client_id or a.client_id == client_id)
    ]
    target = params.get("post_logout_redirect_uri", "")
    return {target} if any(registered(a.post_logout_redirect_uris, target) for a in apps) else set()


def _hint_audience(hint: str | None) -> str | None:
    if not hint:
        return None
    try:
        aud = jwt.decode(hint, options={"verify_signature": False}).get("aud")
    except jwt.InvalidTokenError:
        return None
    return aud if isinstance(aud, str) else None


def frontchannel_urls(sb: Sandbox, oid: str) -> list[str]:
    """End every Microsoft session of the user and return, for each one and its app's
    registered front-channel logout URL, that URL with `iss` and `sid` (OpenID Connect
    Front-Channel Logout 1.0, as Azure AD sends them)."""
    urls: list[str] = []
    grants = sb.grants.sessions_of(oid)
    for grant in grants:
        app = sb.directory.application(grant.client_id)
        if app is None or not app.frontchannel_logout_uri:
            continue
        iss = issuer_of(sb, grant)
        urls.append(with_params(app.frontchannel_logout_uri, {"iss": iss, "sid": grant.sid}))
    sb.grants.end_sessions({g.sid for g in grants})
    return urls
