"""What the outside adapters hand the core: the login in flight and the identity it proved."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SignInKind(StrEnum):
    """How the person authenticated, as the token and Graph tell it."""

    AZURE_AD = "azure_ad"     # an account of the Azure AD tenant that issued the token
    LOCAL = "local"           # a B2C local account (email or user name + password)
    FEDERATED = "federated"   # an external IdP behind B2C (e.g. google.com)


@dataclass(frozen=True)
class ExternalIdentity:
    """A verified external identity: built by the adapters from a validated ID token and the
    Graph profile. `email_verified` is true only when Microsoft vouches for the address
    (Azure AD `xms_edov`, a B2C local account's verified sign-up email)."""

    issuer: str
    tenant_id: str | None
    object_id: str
    email: str | None
    email_verified: bool
    display_name: str
    kind: SignInKind
    idp: str | None = None
    # App-role values (the ID token's `roles`) and group object ids (its `groups`, or Graph
    # `transitiveMemberOf` when the token says there are too many to list): role mappings.
    app_roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def provider_key(self) -> str:
        """The sign-in type key an IdentityProvider is registered under."""
        if self.kind is SignInKind.FEDERATED and self.idp:
            return self.idp
        return self.issuer


@dataclass(frozen=True)
class AuthorizationRequest:
    """A started authorization-code flow: where to send the browser, and the protocol state
    (MSAL's flow dict, JSON-serialisable, opaque to the core) needed to finish it."""

    state: str = field(repr=False)
    auth_uri: str = field(repr=False)
    protocol: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class LoginFlow:
    """A login between its start and its callback; lives only in the flow store."""

    state: str = field(repr=False)
    authority: str
    protocol: Mapping[str, Any] = field(repr=False)
    binding_hash: str = field(repr=False)
    created_at: datetime
    frontend_origin: str | None = None
    return_path: str | None = None
    password_reset: bool = False


@dataclass(frozen=True)
class RedeemedLogin:
    """A redeemed code: the ID token's claims, already validated by the service (signature,
    issuer, audience, times, nonce), and the tokens Microsoft issued with it."""

    authority: str
    claims: Mapping[str, Any]
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SessionClaims:
    """What the service's own JWT says (nothing personal beyond the user id)."""

    subject: str
    session_id: str
    token_id: str
    issued_at: datetime
    expires_at: datetime
