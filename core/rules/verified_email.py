"""When is an email verified: the one room for the rule that guards against nOAuth.

Every profile reader (the Graph adapter, or an integrator's own) asks these functions which
address a sign-in carries and whether Microsoft vouches for it; none decides it alone. The
inputs are the validated ID token's claims and the directory profile (Graph's `mail`,
`identities`), as plain mappings; the answer is a `SignInEmail`. The rule (docs/microsoft.md):

- Azure AD (`azure_ad_email`): the token's `email` claim when present, else the profile's
  `mail`, else none; never the UPN, `preferred_username` or `otherMails`. Verified only when
  the token says `xms_edov` is true and the chosen email *is* the token's `email` (the token
  and the profile agree on the address the tenant verified).
- B2C and Entra External ID (`customer_email`): a local account (an identity with
  `signInType` `emailAddress`) carries that identity's `issuerAssignedId`, verified (the
  tenant proved it at sign-up). A `userName` sign-in carries the token's email, else the
  profile's `mail`, unverified. A federated sign-in (the token names an `idp`, or the
  profile only a `federated` identity) is never verified. `xms_edov` is not read here.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import ErrorCode, SignInError
from core.identity import SignInKind

LOCAL_SIGN_IN_TYPES = ("emailAddress", "userName")  # in order of preference


@dataclass(frozen=True)
class SignInEmail:
    """How the person signed in and the address that sign-in carries; `verified` only when
    Microsoft vouches for exactly this address."""

    kind: SignInKind
    email: str | None
    verified: bool
    idp: str | None = None


def email_text(value: object) -> str | None:
    """`value` as an address (trimmed), or None when it is not text with an `@`."""
    if isinstance(value, str) and "@" in value:  # an "@" is never blank: strip() keeps it
        return value.strip()
    return None


def edov_is_true(value: object) -> bool:
    """`xms_edov` as Azure AD sends it (a JSON boolean), tolerating "true"/"1"/1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in {"true", "1"}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def azure_ad_email(claims: Mapping[str, Any], profile: Mapping[str, Any]) -> SignInEmail:
    """An Azure AD sign-in's address: verified only by `xms_edov` on the token's own email."""
    token_email = email_text(claims.get("email"))
    email = token_email or email_text(profile.get("mail"))
    verified = email is not None and email == token_email and edov_is_true(claims.get("xms_edov"))
    return SignInEmail(SignInKind.AZURE_AD, email, verified, _text(claims.get("idp")))


def _identities(profile: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = profile.get("identities")
    return [i for i in found if isinstance(i, Mapping)] if isinstance(found, Sequence) else []


def _local_identity(identities: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for sign_in_type in LOCAL_SIGN_IN_TYPES:
        for identity in identities:
            if identity.get("signInType") == sign_in_type:
                return identity
    return None


def customer_email(
    claims: Mapping[str, Any], profile: Mapping[str, Any], token_email: object
) -> SignInEmail:
    """A B2C or External ID sign-in: how the user signed in and which address, verified only
    for a local account's `emailAddress` identity. `token_email` is the address the token
    carries, as the token has it (B2C: `emails[0]`; External ID: `email`). Raises `SignInError(invalid_token)`
    when neither the token nor the profile says how the user signed in."""
    fallback = email_text(token_email) or email_text(profile.get("mail"))
    identities = _identities(profile)
    token_idp = _text(claims.get("idp"))
    local = None if token_idp else _local_identity(identities)
    if local is not None:
        if local.get("signInType") == "emailAddress":
            email = email_text(local.get("issuerAssignedId"))
            return SignInEmail(SignInKind.LOCAL, email, email is not None)
        return SignInEmail(SignInKind.LOCAL, fallback, False)
    federated = next((i for i in identities if i.get("signInType") == "federated"), None)
    idp = token_idp or _text(federated.get("issuer") if federated else None)
    if idp is None:
        raise SignInError(ErrorCode.INVALID_TOKEN, "profile names no way of signing in")
    return SignInEmail(SignInKind.FEDERATED, fallback, False, idp)
