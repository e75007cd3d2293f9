"""What the service knows about one Microsoft authority (an Azure AD tenant or audience, or
a B2C policy) and the app registered with it. Built by the settings, one per provider."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from core.policy import CONSUMER_TENANT_ID

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
GRAPH_APP_SCOPE = "https://graph.microsoft.com/.default"
_DEFAULT_SCOPES = {"aad": ("User.Read",), "b2c": (), "external": ("User.Read",)}


def is_guid(value: object) -> bool:
    """A lower-case GUID, as Azure writes tenant and object ids."""
    return isinstance(value, str) and GUID.match(value) is not None


def issuer_tenant(issuer: str) -> str | None:
    """The tenant GUID an issuer URL names (`https://host/{tid}/v2.0[/]`)."""
    segments = [s for s in urlsplit(issuer).path.split("/") if s]
    return segments[0] if segments and is_guid(segments[0]) else None


@dataclass(frozen=True)
class AuthorityConfig:
    """One configured authority.

    - `name`: how the core and the login URL name it (`aad`, `b2c`, ...).
    - `kind`: `aad` (Azure AD / Entra ID), `b2c` (an Azure AD B2C user flow or custom policy) or
      `external` (an Entra External ID tenant, `https://{subdomain}.ciamlogin.com/{tenant}`).
    - `authority`: the https authority URL, e.g. `https://login.microsoftonline.com/organizations`,
      `https://login.microsoftonline.com/{tenant-id}` or
      `https://{name}.b2clogin.com/{name}.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN` or
      `https://{name}.ciamlogin.com/{tenant-id or name.onmicrosoft.com}` (exactly one path segment).
    - `client_id`, `client_secret`: the confidential app registered there.
    - `scopes`: extra scopes for the authorization request (never openid/profile/offline_access,
      which MSAL adds); default `User.Read` for Azure AD and External ID (Graph `/me`), none for B2C.
    - `password_reset_policy`: B2C only, e.g. `B2C_1A_PASSWORDRESET`.
    - `allowed_tenants`: for multi-tenant Azure AD, the tenant ids allowed to sign in (None: any).
    - `allow_personal_accounts`: whether the consumer tenant (personal Microsoft accounts) may.
    - `graph_authority`: B2C only, the tenant authority the app gets Graph app tokens from
      (client credentials), e.g. `https://login.microsoftonline.com/{name}.onmicrosoft.com`.

    Example::

        AuthorityConfig("aad", "aad", "https://login.microsoftonline.com/organizations",
                        client_id="...", client_secret="...")
    """

    name: str
    kind: Literal["aad", "b2c", "external"]
    authority: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] | None = None
    password_reset_policy: str | None = None
    allowed_tenants: frozenset[str] | None = None
    allow_personal_accounts: bool = False
    graph_authority: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _DEFAULT_SCOPES:
            raise ValueError(f"authority {self.name!r}: kind must be 'aad', 'b2c' or 'external'")
        for label, url in (("authority", self.authority), ("graph_authority", self.graph_authority)):
            if url is not None and (urlsplit(url).scheme != "https" or not urlsplit(url).hostname):
                raise ValueError(f"authority {self.name!r}: {label} must be an https URL")
        if not self.client_id or not self.client_secret:
            raise ValueError(f"authority {self.name!r}: client_id and client_secret are required")
        if self.password_reset_policy and self.kind != "b2c":
            raise ValueError(f"authority {self.name!r}: only a B2C authority has a password-reset policy")
        if self.allowed_tenants is not None:
            tenants = frozenset(t.lower() for t in self.allowed_tenants)
            if not all(is_guid(t) for t in tenants):
                raise ValueError(f"authority {self.name!r}: allowed_tenants must be tenant GUIDs")
            object.__setattr__(self, "allowed_tenants", tenants)
        object.__setattr__(self, "authority", self.authority.rstrip("/"))
        if self.kind == "b2c" and not b2c_policy(self.authority):
            raise ValueError(f"authority {self.name!r}: a B2C authority must name its policy")
        if self.kind == "external" and external_tenant(self.authority) is None:
            raise ValueError(
                f"authority {self.name!r}: an External ID authority is https://{{host}}/{{tenant}}, "
                "one segment"
            )
        if self.kind != "aad" and (self.allowed_tenants is not None or self.allow_personal_accounts):
            raise ValueError(f"authority {self.name!r}: only an Azure AD authority has tenant rules")
        if self.scopes is None:
            object.__setattr__(self, "scopes", _DEFAULT_SCOPES[self.kind])
        else:
            object.__setattr__(self, "scopes", tuple(self.scopes))

    @property
    def reset_authority(self) -> str | None:
        """The authority URL of the password-reset policy (path or `?p=` form, as configured)."""
        if not self.password_reset_policy:
            return None
        parts = urlsplit(self.authority)
        query = dict(parse_qsl(parts.query))
        if "p" in query:
            query["p"] = self.password_reset_policy
            return urlunsplit(parts._replace(query=urlencode(query)))
        base = parts.path.rstrip("/").rsplit("/", 1)[0]
        return urlunsplit(parts._replace(path=f"{base}/{self.password_reset_policy}"))

    def tenant_allowed(self, tid: str) -> bool:
        """Whether a token from tenant `tid` may sign in here."""
        if tid == CONSUMER_TENANT_ID and not self.allow_personal_accounts:
            return False
        return self.allowed_tenants is None or tid in self.allowed_tenants


def b2c_policy(authority: str) -> str | None:
    """The policy a B2C authority URL names: `?p={policy}`, else its last path segment
    after the tenant (`/{tenant}/{policy}`); None when it names none."""
    parts = urlsplit(authority.rstrip("/"))
    query = dict(parse_qsl(parts.query))
    if query.get("p"):
        return query["p"]
    segments = [s for s in parts.path.split("/") if s]
    return segments[1] if len(segments) >= 2 else None


def external_tenant(authority: str) -> str | None:
    """The tenant an External ID authority names (`https://{host}/{tenant}`: a tenant id or
    `{name}.onmicrosoft.com`); None when it names none, or more than a tenant."""
    parts = urlsplit(authority.rstrip("/"))
    segments = [s for s in parts.path.split("/") if s]
    if parts.query or len(segments) != 1:
        return None
    return segments[0]


def discovery_url(authority: str) -> str:
    """The OpenID discovery document of an authority URL (B2C path or `?p=` form)."""
    parts = urlsplit(authority.rstrip("/"))
    path = parts.path.rstrip("/") + "/v2.0/.well-known/openid-configuration"
    return urlunsplit(parts._replace(path=path))
