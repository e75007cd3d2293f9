"""The end-session endpoint: redirect only to an allow-listed `post_logout_redirect_uri`."""

from __future__ import annotations

from typing import Any

import jwt
from litestar import Response

from .authorities import Realm, registered
from .responses import html_response, redirect, with_params
from .state import Sandbox


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
    family = "b2c" if realm.family == "b2c" else "aad"
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
