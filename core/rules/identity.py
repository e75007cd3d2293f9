"""Rules 1-4: who is signing in, through which provider, into which directory."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from core.emails import email_domain, normalise_email
from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity, SignInKind
from core.model import IdentityProvider, ProviderKind, User, UserAccount, UserDirectory
from core.policy import CONSUMER_TENANT_ID, SignInPolicy

# Which provider kinds may serve a sign-in of each kind when found by email domain.
_KINDS_FOR = {
    SignInKind.AZURE_AD: {ProviderKind.EXTERNAL_AD, ProviderKind.MICROSOFT_ACCOUNT},
    SignInKind.LOCAL: {ProviderKind.LOCAL},
    SignInKind.FEDERATED: {ProviderKind.SOCIAL},
}


@dataclass(frozen=True)
class KnownRecords:
    """What the store holds that bears on one identity (loaded by the use case)."""

    account: UserAccount | None = None
    account_user: User | None = None
    provider_by_key: IdentityProvider | None = None
    provider_by_domain: IdentityProvider | None = None
    user_by_email: User | None = None
    directory_by_domain: UserDirectory | None = None
    default_directory: UserDirectory | None = None


@dataclass(frozen=True)
class Resolution:
    """Who signs in, and which records are new (to add) or changed (to update)."""

    user: User
    account: UserAccount
    new_user: bool = False
    new_account: bool = False
    new_provider: IdentityProvider | None = None
    new_directory: UserDirectory | None = None


def resolve_identity(
    identity: ExternalIdentity,
    known: KnownRecords,
    policy: SignInPolicy,
    now: datetime,
    new_id: Callable[[], str],
) -> Resolution:
    """Apply rules 1-4 to one identity. Raises `SignInError` with `account_disabled`,
    `account_conflict` (an untrusted email that names an existing user: nOAuth) or
    `provider_not_registered` (no provider serves this sign-in type and none may be
    created: the service refuses, not Microsoft)."""
    if known.account is not None:
        return _returning(identity, known, now)

    email = normalise_email(identity.email)
    domain = email_domain(email) if email else None
    provider = known.provider_by_key
    trusted = email is not None and (
        identity.email_verified or (provider is not None and provider.vouches_for(domain))
    )
    if email is not None and not trusted and known.user_by_email is not None:
        raise SignInError(ErrorCode.ACCOUNT_CONFLICT, "an unverified email names an existing user")

    new_directory: UserDirectory | None = None
    new_provider: IdentityProvider | None = None
    if provider is None and trusted:
        by_domain = known.provider_by_domain
        if by_domain is not None and by_domain.kind in _KINDS_FOR[identity.kind]:
            provider = by_domain
    if provider is None:
        if not (identity.kind is SignInKind.AZURE_AD and identity.email_verified and email):
            raise SignInError(ErrorCode.PROVIDER_NOT_REGISTERED, "no identity provider for this sign-in type")
        provider, new_directory = _new_tenant_provider(identity, domain, known, policy, now, new_id)
        new_provider = provider

    user = known.user_by_email if trusted else None
    if user is not None and user.disabled:
        raise SignInError(ErrorCode.ACCOUNT_DISABLED, "the user is disabled")
    new_user = user is None
    if user is None:
        user = User(
            id=new_id(),
            email=email if trusted else None,
            display_email=identity.email.strip() if identity.email else None,
            display_name=identity.display_name,
            created_at=now,
        )
    account = UserAccount(
        id=new_id(),
        user_id=user.id,
        issuer=identity.issuer,
        object_id=identity.object_id,
        tenant_id=identity.tenant_id,
        provider_id=provider.id,
        directory_id=provider.directory_id,
        email=identity.email,
        display_name=identity.display_name,
        created_at=now,
        last_login_at=now,
    )
    return Resolution(user, account, new_user, True, new_provider, new_directory)


def _returning(identity: ExternalIdentity, known: KnownRecords, now: datetime) -> Resolution:
    """Rule 1: the account decides the user; only the account's profile is refreshed."""
    assert known.account is not None
    user = known.account_user
    if user is None:  # an account always has its user; a store that says otherwise is broken
        raise SignInError(ErrorCode.SERVER_ERROR, "account without a user")
    if user.disabled:
        raise SignInError(ErrorCode.ACCOUNT_DISABLED, "the user is disabled")
    account = replace(
        known.account,
        email=identity.email,
        display_name=identity.display_name,
        last_login_at=now,
    )
    return Resolution(user, account)


def _new_tenant_provider(
    identity: ExternalIdentity,
    domain: str | None,
    known: KnownRecords,
    policy: SignInPolicy,
    now: datetime,
    new_id: Callable[[], str],
) -> tuple[IdentityProvider, UserDirectory | None]:
    """Rule 3: an Azure AD tenant seen for the first time, with an email it verified, gets a
    provider of its own in the directory of that email's domain (the default directory for
    consumer domains)."""
    consumer = policy.is_consumer_domain(domain) or identity.tenant_id == CONSUMER_TENANT_ID
    directory = known.default_directory if consumer else known.directory_by_domain
    new_directory = None
    if directory is None:
        directory = UserDirectory(
            id=new_id(),
            name=policy.default_directory_name if consumer else str(domain),
            domain=None if consumer else domain,
            created_at=now,
        )
        new_directory = directory
    claim_domain = not consumer and domain is not None and known.provider_by_domain is None
    provider = IdentityProvider(
        id=new_id(),
        name=f"Microsoft account ({domain})" if consumer else f"Azure AD ({domain})",
        kind=ProviderKind.MICROSOFT_ACCOUNT if consumer else ProviderKind.EXTERNAL_AD,
        issuer=identity.provider_key,
        directory_id=directory.id,
        domains=(domain,) if claim_domain and domain else (),
        created_at=now,
    )
    return provider, new_directory
