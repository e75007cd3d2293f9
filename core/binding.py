"""The flow-binding cookie: a login finishes only in the browser that started it.

The browser keeps a random secret in a cookie; the flow keeps only its SHA-256, so nothing
in the flow store can be replayed as the cookie.
"""
from __future__ import annotations

import hashlib
import hmac


def binding_hash(secret: str) -> str:
    """What the flow keeps of the browser's binding cookie: never the cookie itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def binding_matches(secret: str | None, expected_hash: str) -> bool:
    """Whether the cookie the callback brought is the one the flow was bound to (compared
    in constant time; no cookie never matches)."""
    if not secret:
        return False
    return hmac.compare_digest(binding_hash(secret), expected_hash)
