"""Use cases of the `code` token delivery: the frontend gets a one-time code in the URL and
exchanges it once, within a minute, for the token (so the token never appears in a URL)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from core.errors import ErrorCode, SignInError
from core.ports import IdGenerator, TokenHandoff

CODE_LIFETIME = timedelta(seconds=60)


def _key(code: str) -> str:
    # Only a hash of the code is stored: a leaked store does not give usable codes.
    return hashlib.sha256(code.encode()).hexdigest()


class IssueHandoffCode:
    def __init__(self, handoff: TokenHandoff, ids: IdGenerator) -> None:
        self._handoff = handoff
        self._ids = ids

    async def __call__(self, token: str) -> str:
        code = self._ids.secret()
        await self._handoff.put(_key(code), token, CODE_LIFETIME)
        return code


class RedeemHandoffCode:
    def __init__(self, handoff: TokenHandoff) -> None:
        self._handoff = handoff

    async def __call__(self, code: str) -> str:
        """The token; `SignInError(invalid_request)` for an unknown, used or expired code."""
        if not code or len(code) > 200:
            raise SignInError(ErrorCode.INVALID_REQUEST, "malformed code")
        token = await self._handoff.take(_key(code))
        if token is None:
            raise SignInError(ErrorCode.INVALID_REQUEST, "unknown, used or expired code")
        return token
