"""Building the core's `ExternalIdentity` from validated ID-token claims and a Graph profile.

The email choice is deterministic (docs/microsoft.md):

- Azure AD: the token's `email` claim when present, else Graph `mail`, else none; never the
  UPN, `preferred_username` or `otherMails`. Verified only when the token says `xms_edov`
  is true (JSON `true`, or the strings/numbers "true"/"1"/1) and the chosen email *is* the
  token's `email` claim.
- B2C local account (an identity with `signInType` `emailAddress`): that identity's
  `issuerAssignedId`, verified (B2C verified it at sign-up). `userName` sign-ins: the
  token's `emails[0]`, else Graph `mail`, unverified.
- B2C federated (Google, ...): the token's `emails[0]`, else Graph `mail`, unverified.
- Entra External ID local account (email + password or email one-time passcode: Graph
  `identities` has `signInType` `emailAddress` issued by the tenant itself): that identity's
  `issuerAssignedId`, verified (External ID proves the address with a one-time passcode at
  sign-up, and every passcode sign-in proves it again). A `userName` sign-in: the token's
  `email`, else Graph `mail`, unverified. Federated (the token names an `idp`, or Graph only
  a `federated` identity): the token's `email`, else Graph `mail`, unverified. `xms_edov` is
  not used: External ID local accounts' addresses are not a tenant's verified domains.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.msal.id_token import issuer_tenant
from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity, SignInKind

LOCAL_SIGN_IN_TYPES = ("emailAddress", "userName")  # in order of preference


def _email(value: object) -> str | None:
    if isinstance(value, str) and "@" in value and value.strip():
        return value.strip()
    return None


def edov_is_true(value: object) -> bool:
    """`xms_edov` as Azure AD sends it (a JSON boolean), tolerating "true"/"1"/1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in {"true", "1"}


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


def azure_ad_identity(claims: Mapping[str, Any], profile: Mapping[str, Any]) -> ExternalIdentity:
    token_email = _email(claims.get("email"))
    email = token_email or _email(profile.get("mail"))
    verified = email is not None and email == token_email and edov_is_true(claims.get("xms_edov"))
    idp = claims.get("idp")
    return ExternalIdentity(
        issuer=str(claims["iss"]),
        tenant_id=str(claims["tid"]),
        object_id=str(claims["oid"]),
        email=email,
        email_verified=verified,
        display_name=_display_name(profile, claims, email),
        kind=SignInKind.AZURE_AD,
        idp=idp if isinstance(idp, str) and idp else None,
        app_roles=app_roles(claims),
        groups=groups(claims),
    )


def _identities(profile: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = profile.get("identities")
    return [i for i in found if isinstance(i, Mapping)] if isinstance(found, Sequence) else []


def _local_identity(identities: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for sign_in_type in LOCAL_SIGN_IN_TYPES:
        for identity in identities:
            if identity.get("signInType") == sign_in_type:
                return identity
    return None


def _how_signed_in(
    claims: Mapping[str, Any], profile: Mapping[str, Any], fallback: str | None
) -> tuple[SignInKind, str | None, str | None, bool]:
    """How a B2C or External ID user signed in, and which email, verified or not: a local
    account's `emailAddress` identity is the one verified address (the tenant proved it at
    sign-up); a username, a federated sign-in or any other address is never verified."""
    identities = _identities(profile)
    token_idp = claims.get("idp") if isinstance(claims.get("idp"), str) and claims.get("idp") else None
    local = None if token_idp else _local_identity(identities)
    if local is not None:
        if local.get("signInType") == "emailAddress":
            email = _email(local.get("issuerAssignedId"))
            return SignInKind.LOCAL, None, email, email is not None
        return SignInKind.LOCAL, None, fallback, False
    federated = next((i for i in identities if i.get("signInType") == "federated"), None)
    idp = token_idp or (federated.get("issuer") if federated else None)
    if not isinstance(idp, str) or not idp:
        raise SignInError(ErrorCode.INVALID_TOKEN, "profile names no way of signing in")
    return SignInKind.FEDERATED, idp, fallback, False


def _customer_identity(
    claims: Mapping[str, Any],
    profile: Mapping[str, Any],
    issuer: str,
    tenant_id: str | None,
    token_email: str | None,
) -> ExternalIdentity:
    """The identity of a B2C or External ID user: those differ only in where the issuer,
    tenant and token email come from."""
    fallback = token_email or _email(profile.get("mail"))
    kind, idp, email, verified = _how_signed_in(claims, profile, fallback)
    return ExternalIdentity(
        issuer=issuer,
        tenant_id=tenant_id,
        object_id=str(claims["oid"]),
        email=email,
        email_verified=verified,
        display_name=_display_name(profile, claims, email),
        kind=kind,
        idp=idp,
        app_roles=app_roles(claims),
        groups=groups(claims),
    )


def b2c_identity(claims: Mapping[str, Any], profile: Mapping[str, Any]) -> ExternalIdentity:
    issuer = str(claims["iss"])
    tid = claims.get("tid") if isinstance(claims.get("tid"), str) else issuer_tenant(issuer)
    emails = claims.get("emails")
    token_email = _email(emails[0]) if isinstance(emails, list) and emails else None
    return _customer_identity(claims, profile, issuer, tid if isinstance(tid, str) else None, token_email)


def external_id_identity(claims: Mapping[str, Any], profile: Mapping[str, Any]) -> ExternalIdentity:
    tid = str(claims["tid"])
    token_email = _email(claims.get("email"))
    return _customer_identity(claims, profile, str(claims["iss"]), tid, token_email)
