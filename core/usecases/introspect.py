"""Use case: token introspection for resource servers (RFC 7662).

The caller authenticates first (`InvalidClient` otherwise, before the token is even
looked at); then the token goes through the same check as forward-auth. Anything that is
not a valid token of an open session is simply *inactive*, with no reason given. When the
check cannot be made the error propagates: "inactive" would be a guess.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.access import Access
from core.errors import ErrorCode, SignInError
from core.usecases.check_access import CheckAccess
from core.usecases.clients import ResourceClients


@dataclass(frozen=True)
class Introspection:
    access: Access | None = None

    @property
    def active(self) -> bool:
        return self.access is not None


class Introspect:
    def __init__(self, clients: ResourceClients, check_access: CheckAccess) -> None:
        self._clients = clients
        self._check_access = check_access

    async def authenticate_only(self, client_id: str, client_secret: str) -> None:
        """Raises `InvalidClient` unless these are a registered client's credentials (a
        malformed request is answered as such only to an authenticated caller)."""
        await self._clients.authenticate(client_id, client_secret)

    async def __call__(self, client_id: str, client_secret: str, token: str) -> Introspection:
        """Raises `InvalidClient` for a caller that is not a registered client, and
        `SignInError(temporarily_unavailable)` when the check cannot be made."""
        await self._clients.authenticate(client_id, client_secret)
        try:
            return Introspection(await self._check_access(token))
        except SignInError as error:
            if error.code is ErrorCode.TEMPORARILY_UNAVAILABLE:
                raise
            return Introspection(None)
