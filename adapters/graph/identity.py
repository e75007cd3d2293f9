"""Building the core's `ExternalIdentity` from validated ID-token claims and a Graph profile.

Which email a sign-in carries and whether it is verified is not decided here: that is the
core's rule (`core.rules.verified_email`, docs/microsoft.md), which every profile reader
asks. This module only adds what Graph and the token say besides: the issuer and tenant,
the display name, app roles and groups.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.microsoft.config import issuer_tenant
from core.identity import ExternalIdentity
from core.rules.verified_email import (
    SignInEmail,
    azure_ad_email,
    customer_email,
    edov_is_true,
)

__all__ = [
    "app_roles", "azure_ad_identity", "b2c_identity", "edov_is_true", "external_id_identity",
    "groups", "groups_overage",
]


def _display_name(profile: Mapping[str, Any], claims: Mapping[str, Any], email: str | None) -> str:
    for value in (profile.get("displayName"), claims.get("name")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return email or ""


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(v for v in value if isinstance(v, str) and v))


def app_roles(claims: Mapping[str, Any]) -> tuple[str, ...]:
    """The app-role values of the ID token's `roles` claim (anything else ignored)."""
    return _texts(claims.get("roles"))


def groups(claims: Mapping[str, Any]) -> tuple[str, ...]:
    """The group object ids of the ID token's `groups` claim, lower-cased."""
    return tuple(dict.fromkeys(g.lower() for g in _texts(claims.get("groups"))))


def groups_overage(claims: Mapping[str, Any]) -> bool:
    """Whether the token says the user is in too many groups to list them (`_claim_names`
    naming `groups`, or the implicit flow's `hasgroups`): Graph must be asked."""
    names = claims.get("_claim_names")
    return (isinstance(names, Mapping) and "groups" in names) or claims.get("hasgroups") is True


def _identity(
    claims: Mapping[str, Any],
    profile: Mapping[str, Any],
    signed_in: SignInEmail,
    issuer: str,
    tenant_id: str | None,
) -> ExternalIdentity:
    return ExternalIdentity(
        issuer=issuer,
        tenant_id=tenant_id,
        object_id=str(claims["oid"]),
        email=signed_in.email,
        email_verified=signed_in.verified,
        display_name=_display_name(profile, claims, signed_in.email),
        kind=signed_in.kind,
        idp=signed_in.idp,
        app_roles=app_roles(claims),
        groups=groups(claims),
    )


def azure_ad_identity(claims: Mapping[str, Any], profile: Mapping[str, Any]) -> ExternalIdentity:
    signed_in = azure_ad_email(claims, profile)
    return _identity(claims, profile, signed_in, str(claims["iss"]), str(claims["tid"]))


def b2c_identity(claims: Mapping[str, Any], profile: Mapping[str, Any]) -> ExternalIdentity:
    issuer = str(claims["iss"])
    tid = claims.get("tid") if isinstance(claims.get("tid"), str) else issuer_tenant(issuer)
    emails = claims.get("emails")
    token_email = emails[0] if isinstance(emails, list) and emails else None
    signed_in = customer_email(claims, profile, token_email)
    return _identity(claims, profile, signed_in, issuer, tid if isinstance(tid, str) else None)


def external_id_identity(claims: Mapping[str, Any], profile: Mapping[str, Any]) -> ExternalIdentity:
    signed_in = customer_email(claims, profile, claims.get("email"))
    return _identity(claims, profile, signed_in, str(claims["iss"]), str(claims["tid"]))
