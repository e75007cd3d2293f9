"""What the core needs from Microsoft: the authorization-code flow (MSAL) and the profile
(Microsoft Graph). Adapters map every failure to a `SignInError`; nothing else escapes."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from core.identity import AuthorizationRequest, ExternalIdentity, LoginFlow, RedeemedLogin


class IdentityGateway(Protocol):
    """Starts and finishes authorization-code flows with the configured authorities, which
    are known by name (`aad`, `b2c`, ...)."""

    def authorities(self) -> tuple[str, ...]:
        """The names of the configured authorities; the first is the default."""
        ...

    def can_reset_password(self, authority: str) -> bool:
        """Whether `authority` has a password-reset policy the service can start."""
        ...

    async def begin(
        self, authority: str, redirect_uri: str, *, password_reset: bool = False
    ) -> AuthorizationRequest:
        """Start a flow (state, nonce, PKCE) for `authority`, or for its password-reset policy.
        Raises `SignInError(invalid_request)` for an unknown authority and
        `SignInError(temporarily_unavailable)` when Microsoft cannot be reached."""
        ...

    async def redeem(self, flow: LoginFlow, reply: Mapping[str, str]) -> RedeemedLogin:
        """Finish `flow` with the browser's callback parameters: redeem the code and validate
        the ID token (signature, `alg`, `iss`, `aud`, times, nonce, required claims).

        Raises `SignInError` with: `invalid_request` (state mismatch, neither code nor
        error), `access_denied` / `cancelled` / `password_reset` (an error reply),
        `invalid_token` (any failed validation), `login_expired` (code expired or already
        used), `temporarily_unavailable` (network, timeout, 5xx)."""
        ...

    async def renew(self, authority: str, refresh_token: str) -> RedeemedLogin:
        """Redeem a refresh token kept for a session (Microsoft re-confirms the account):
        the new tokens, with the claims of the new ID token validated like a sign-in's
        (signature, `alg`, `iss`, `aud`, times; no nonce, as a renewal has none). The
        result's `refresh_token` is None when Microsoft did not issue a new one.

        Raises `core.errors.GrantRevoked` when Microsoft refuses the grant
        (`invalid_grant`, `interaction_required`: disabled, deleted, password reset,
        tokens revoked, expired) and `SignInError` for anything else: `invalid_request`
        (unknown authority), `invalid_token` (the new ID token fails validation),
        `server_error` (our registration refused), `temporarily_unavailable` (network,
        timeout, 5xx, throttling). Every call is bounded in time."""
        ...

    def end_session_url(self, authority: str, post_logout_redirect_uri: str | None) -> str | None:
        """Microsoft's end-session URL for single sign-out, when the authority has one."""
        ...


class ProfileReader(Protocol):
    """Reads the signed-in person's profile (Graph) and builds the verified identity."""

    async def read(self, login: RedeemedLogin) -> ExternalIdentity:
        """The identity proven by `login`. The email counts as verified only when Microsoft
        vouches for it (Azure AD `xms_edov` true, a B2C local account). Raises
        `SignInError(invalid_token)` when the profile does not belong to the token's `oid`,
        `temporarily_unavailable` on throttling, timeouts, 5xx or malformed answers."""
        ...
