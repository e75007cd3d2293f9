"""Use cases of the `code` token delivery: the frontend gets a one-time code in the URL and
exchanges it once, within a minute, for the token (so the token never appears in a URL).

What the store holds is useless without the code: the lookup key is a domain-separated
SHA-256 of the code, and the value is the token sealed by `HandoffCipher` under a key
derived from the code (with separation of its own), so a reader of Redis gets neither a
code nor a token.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from core.errors import ErrorCode, SignInError
from core.ports import HandoffCipher, IdGenerator, TokenHandoff

CODE_LIFETIME = timedelta(seconds=60)
_LOOKUP_LABEL = b"azure-signin/handoff/v1/lookup\x00"


def lookup_key(code: str) -> str:
    """Where a code's sealed token is stored: never the code itself."""
    return hashlib.sha256(_LOOKUP_LABEL + code.encode()).hexdigest()


class IssueHandoffCode:
    def __init__(self, handoff: TokenHandoff, cipher: HandoffCipher, ids: IdGenerator) -> None:
        self._handoff = handoff
        self._cipher = cipher
        self._ids = ids

    async def __call__(self, token: str) -> str:
        code = self._ids.secret()
        await self._handoff.put(lookup_key(code), self._cipher.seal(code, token), CODE_LIFETIME)
        return code


class RedeemHandoffCode:
    def __init__(self, handoff: TokenHandoff, cipher: HandoffCipher) -> None:
        self._handoff = handoff
        self._cipher = cipher

    async def __call__(self, code: str) -> str:
        """The token; `SignInError(invalid_request)` for an unknown, used or expired code."""
        if not code or len(code) > 200:
            raise SignInError(ErrorCode.INVALID_REQUEST, "malformed code")
        sealed = await self._handoff.take(lookup_key(code))
        token = self._cipher.open(code, sealed) if sealed is not None else None
        if token is None:
            raise SignInError(ErrorCode.INVALID_REQUEST, "unknown, used or expired code")
        return token
