"""Authorization codes and refresh tokens the sandbox has issued."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import uuid
from dataclasses import dataclass, field

from .authorities import Realm
from .directory import User

CODE_LIFETIME = 600  # seconds, as Azure AD
REFRESH_LIFETIME = {"aad": 90 * 86400, "b2c": 14 * 86400, "external": 90 * 86400}


@dataclass
class Grant:
    """What a code or refresh token stands for."""

    client_id: str
    user: User
    realm: Realm
    scopes: tuple[str, ...]
    issued_at: float
    redirect_uri: str = ""
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    auth_time: float = 0.0
    redeemed: bool = field(default=False)
    # Microsoft's session (the `sid` claim): one per sign-in at the authorize page, kept by
    # every token renewed from it; ended by the sign-out hook.
    sid: str = field(default_factory=lambda: str(uuid.uuid4()))


def pkce_matches(grant: Grant, verifier: str | None) -> bool:
    """True when no challenge was sent, or the verifier answers it (S256 or plain)."""
    if not grant.code_challenge:
        return True
    if not verifier:
        return False
    if (grant.code_challenge_method or "plain").upper() == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    return secrets.compare_digest(expected, grant.code_challenge)


class GrantStore:
    """Codes (single use, ten minutes) and refresh tokens, keyed by their opaque value."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}
        self._ended: set[str] = set()

    def issue_code(self, grant: Grant) -> str:
        code = "1.sbx." + secrets.token_urlsafe(48)
        with self._lock:
            self._forget_old(grant.issued_at)
            self._codes[code] = grant
        return code

    def code(self, code: str | None) -> Grant | None:
        with self._lock:
            return self._codes.get(code or "")

    def issue_refresh_token(self, grant: Grant) -> str:
        token = "1.sbx-rt." + secrets.token_urlsafe(64)
        with self._lock:
            self._refresh[token] = grant
        return token

    def refresh_token(self, token: str | None) -> Grant | None:
        with self._lock:
            return self._refresh.get(token or "")

    def sessions_of(self, oid: str) -> list[Grant]:
        """One grant per Microsoft session (`sid`) of the user still going, by first issue."""
        with self._lock:
            grants = [g for g in (*self._codes.values(), *self._refresh.values()) if g.sid not in self._ended]
        seen: dict[str, Grant] = {}
        for grant in sorted(grants, key=lambda g: g.auth_time):
            if grant.user.oid == oid and grant.sid not in seen:
                seen[grant.sid] = grant
        return list(seen.values())

    def end_sessions(self, sids: set[str]) -> None:
        """Forget the codes of ended Microsoft sessions (their refresh tokens stay valid, as
        Azure AD's do after a sign-out)."""
        with self._lock:
            self._ended |= sids
            for code in [c for c, g in self._codes.items() if g.sid in sids]:
                del self._codes[code]

    def _forget_old(self, now: float) -> None:
        # Keep redeemed and expired codes for a while so that reuse reports AADSTS54005.
        # Codes are kept in the order they were issued: the stale ones are the first few, so
        # stop at the first fresh one (a scan of every code made each issue slower than the last).
        stale = []
        for code, grant in self._codes.items():
            if now - grant.issued_at <= 24 * 3600:
                break
            stale.append(code)
        for code in stale:
            del self._codes[code]
