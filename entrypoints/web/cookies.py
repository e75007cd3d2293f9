"""The flow-binding cookie: one per login in flight, named after a hash of its state, so
two tabs' logins each keep their own."""
from __future__ import annotations

import hashlib

from litestar.datastructures import Cookie

from entrypoints.settings import Settings


def binding_cookie_name(settings: Settings, state: str) -> str:
    suffix = hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]
    # __Host- makes the browser refuse it unless Secure, host-only and Path=/.
    prefix = "__Host-signin-flow" if _secure(settings) else "signin-flow"
    return f"{prefix}-{suffix}"


def _secure(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


def binding_cookie(settings: Settings, state: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=binding_cookie_name(settings, state),
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(settings),
    )


def expired_binding_cookie(settings: Settings, state: str) -> Cookie:
    return binding_cookie(settings, state, "", 0)
