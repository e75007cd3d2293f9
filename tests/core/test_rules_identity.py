from __future__ import annotations

from dataclasses import replace

import pytest

from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity
from core.model import ProviderKind
from core.policy import CONSUMER_TENANT_ID, SignInPolicy
from core.rules.identity import KnownRecords, Resolution, resolve_identity
from tests.core.builders import (
    B2C_ISSUER,
    T0,
    TENANT_2,
    aad,
    account,
    directory,
    federated,
    issuer_of,
    local,
    new_id,
    provider,
    user,
)

POLICY = SignInPolicy()
NOW = T0.replace(hour=12)


def resolve(identity: ExternalIdentity, known: KnownRecords | None = None) -> Resolution:
    return resolve_identity(identity, known or KnownRecords(), POLICY, NOW, new_id)


# Every refusal says why, in words a log line can carry (never the address or a token).
REASONS = {
    ErrorCode.ACCOUNT_DISABLED: "the user is disabled",
    ErrorCode.ACCOUNT_CONFLICT: "an unverified email names an existing user",
    ErrorCode.PROVIDER_NOT_REGISTERED: "no identity provider for this sign-in type",
    ErrorCode.SERVER_ERROR: "account without a user",
}


def refused(identity: ExternalIdentity, known: KnownRecords) -> ErrorCode:
    with pytest.raises(SignInError) as caught:
        resolve(identity, known)
    assert caught.value.detail == REASONS[caught.value.code]
    assert str(caught.value) == f"{caught.value.code.value}: {REASONS[caught.value.code]}"
    return caught.value.code


# Rule 1: object id first ---------------------------------------------------------------
def test_known_account_decides_the_user_and_only_its_profile_is_refreshed() -> None:
    alice = user("alice@contoso.com")
    before = aad("alice@contoso.com")
    changed = replace(before, email="someone.else@fabrikam.com", display_name="Renamed")
    result = resolve(changed, KnownRecords(account=account(alice, before), account_user=alice))
    assert result.user == alice
    assert not result.new_user and not result.new_account
    assert result.new_provider is None and result.new_directory is None
    assert result.account.user_id == alice.id
    assert result.account.email == "someone.else@fabrikam.com"
    assert result.account.display_name == "Renamed"
    assert result.account.last_login_at == NOW


def test_known_account_of_a_disabled_user_is_refused() -> None:
    alice = user(disabled=True)
    identity = aad("alice@contoso.com")
    known = KnownRecords(account=account(alice, identity), account_user=alice)
    assert refused(identity, known) is ErrorCode.ACCOUNT_DISABLED


def test_account_without_its_user_is_a_server_error() -> None:
    identity = aad("alice@contoso.com")
    assert refused(identity, KnownRecords(account=account(user(), identity))) is ErrorCode.SERVER_ERROR


# Rule 2: then email ----------------------------------------------------------------------
def test_verified_email_links_a_new_account_to_the_existing_user() -> None:
    alice = user("alice@contoso.com")
    tenant = provider(issuer_of(TENANT_2))
    result = resolve(aad("Alice@Contoso.com", tenant=TENANT_2),
                     KnownRecords(provider_by_key=tenant, user_by_email=alice))
    assert result.user == alice and not result.new_user
    assert result.new_account and result.account.user_id == alice.id
    assert result.account.provider_id == tenant.id


def test_untrusted_email_that_names_an_existing_user_is_an_account_conflict() -> None:
    tenant = provider(issuer_of(TENANT_2))
    known = KnownRecords(provider_by_key=tenant, user_by_email=user("alice@contoso.com"))
    unverified = aad("alice@contoso.com", tenant=TENANT_2, verified=False)
    assert refused(unverified, known) is ErrorCode.ACCOUNT_CONFLICT


def test_provider_trusted_for_the_domain_makes_an_unverified_email_trusted() -> None:
    alice = user("alice@contoso.com")
    tenant = provider(issuer_of(TENANT_2), domains=("contoso.com",), trusted=True)
    result = resolve(aad("alice@contoso.com", tenant=TENANT_2, verified=False),
                     KnownRecords(provider_by_key=tenant, user_by_email=alice))
    assert result.user == alice


def test_provider_trusted_for_another_domain_does_not_vouch() -> None:
    tenant = provider(issuer_of(TENANT_2), domains=("fabrikam.com",), trusted=True)
    known = KnownRecords(provider_by_key=tenant, user_by_email=user("alice@contoso.com"))
    unverified = aad("alice@contoso.com", tenant=TENANT_2, verified=False)
    assert refused(unverified, known) is ErrorCode.ACCOUNT_CONFLICT


def test_untrusted_email_without_a_match_creates_a_user_holding_it_as_display_data_only() -> None:
    tenant = provider(issuer_of(TENANT_2))
    result = resolve(aad("  Mallory@Contoso.com ", tenant=TENANT_2, verified=False),
                     KnownRecords(provider_by_key=tenant))
    assert result.new_user and result.new_account
    assert result.user.email is None and not result.user.email_verified
    assert result.user.display_email == "Mallory@Contoso.com"


def test_trusted_email_without_a_match_creates_a_user_with_the_normalised_email() -> None:
    result = resolve(aad("  Bob@Contoso.COM"), KnownRecords(provider_by_key=provider(issuer_of("t"))))
    assert result.new_user
    assert result.user.email == "bob@contoso.com"
    assert result.user.created_at == NOW


def test_identity_without_email_creates_a_user_without_email() -> None:
    result = resolve(local(None), KnownRecords(provider_by_key=provider(B2C_ISSUER, kind=ProviderKind.LOCAL)))
    assert result.user.email is None and result.user.display_email is None


def test_unusable_email_counts_as_no_email() -> None:
    tenant = provider(issuer_of("t"))
    result = resolve(aad("not an address"), KnownRecords(provider_by_key=tenant, user_by_email=user()))
    assert result.new_user and result.user.email is None


def test_verified_email_of_a_disabled_user_is_refused() -> None:
    known = KnownRecords(provider_by_key=provider(issuer_of("t")), user_by_email=user(disabled=True))
    assert refused(aad("alice@contoso.com"), known) is ErrorCode.ACCOUNT_DISABLED


# Rule 3: provider by sign-in type, then by domain -----------------------------------------
def test_provider_found_by_domain_serves_a_trusted_sign_in_of_a_matching_kind() -> None:
    by_domain = provider("other-issuer", kind=ProviderKind.EXTERNAL_AD, domains=("contoso.com",), id="p-dom")
    result = resolve(aad("alice@contoso.com"), KnownRecords(provider_by_domain=by_domain))
    assert result.account.provider_id == "p-dom"
    assert result.new_provider is None


def test_provider_found_by_domain_is_ignored_for_an_untrusted_email() -> None:
    by_domain = provider("idp", kind=ProviderKind.SOCIAL, domains=("contoso.com",))
    known = KnownRecords(provider_by_domain=by_domain)
    identity = federated("alice@contoso.com", idp="unknown.idp")
    assert refused(identity, known) is ErrorCode.PROVIDER_NOT_REGISTERED


def test_provider_found_by_domain_of_another_kind_is_not_used() -> None:
    by_domain = provider("idp", kind=ProviderKind.SOCIAL, domains=("contoso.com",))
    known = KnownRecords(provider_by_domain=by_domain)
    assert refused(local("alice@contoso.com"), known) is ErrorCode.PROVIDER_NOT_REGISTERED


@pytest.mark.parametrize(
    "identity",
    [
        local("alice@contoso.com"),                           # no local provider registered
        federated("alice@contoso.com", verified=True),        # unknown idp
        aad("alice@contoso.com", verified=False),             # a tenant may not be created untrusted
        aad(None),                                            # nor without an email
    ],
)
def test_sign_in_type_without_a_provider_that_may_not_be_created_is_refused(
    identity: ExternalIdentity,
) -> None:
    assert refused(identity, KnownRecords()) is ErrorCode.PROVIDER_NOT_REGISTERED


def test_new_tenant_with_verified_email_gets_a_provider_and_a_directory_for_its_domain() -> None:
    result = resolve(aad("alice@contoso.com", tenant=TENANT_2))
    assert result.new_directory is not None and result.new_provider is not None
    assert result.new_directory.domain == "contoso.com" and result.new_directory.name == "contoso.com"
    assert result.new_provider.kind is ProviderKind.EXTERNAL_AD
    assert result.new_provider.issuer == issuer_of(TENANT_2)
    assert result.new_provider.domains == ("contoso.com",)
    assert not result.new_provider.trusted
    assert result.new_provider.directory_id == result.new_directory.id
    assert result.account.directory_id == result.new_directory.id
    assert result.new_provider.name == "Azure AD (contoso.com)"
    assert result.new_provider.created_at == result.new_directory.created_at == NOW


def test_new_tenant_joins_the_existing_directory_of_its_domain() -> None:
    existing = directory("contoso.com", id="dir-contoso")
    result = resolve(aad("alice@contoso.com", tenant=TENANT_2), KnownRecords(directory_by_domain=existing))
    assert result.new_directory is None
    assert result.new_provider is not None and result.new_provider.directory_id == "dir-contoso"


def test_new_tenant_does_not_claim_a_domain_another_provider_holds() -> None:
    social = provider("google.com", kind=ProviderKind.SOCIAL, domains=("contoso.com",))
    result = resolve(aad("alice@contoso.com", tenant=TENANT_2), KnownRecords(provider_by_domain=social))
    assert result.new_provider is not None and result.new_provider.domains == ()


@pytest.mark.parametrize(
    "identity",
    [aad("bob@gmail.com", tenant=TENANT_2), aad("bob@contoso.com", tenant=CONSUMER_TENANT_ID)],
)
def test_consumer_sign_in_never_gets_a_directory_of_its_own(identity: ExternalIdentity) -> None:
    result = resolve(identity)
    assert result.new_directory is not None and result.new_directory.domain is None
    assert result.new_directory.name == POLICY.default_directory_name
    assert result.new_provider is not None
    assert result.new_provider.kind is ProviderKind.MICROSOFT_ACCOUNT
    assert result.new_provider.domains == ()
    domain = identity.email.rpartition("@")[2] if identity.email else None
    assert result.new_provider.name == f"Microsoft account ({domain})"
    assert result.new_provider.created_at == result.new_directory.created_at == NOW


def test_consumer_sign_in_uses_the_existing_default_directory() -> None:
    default = directory(None, id="dir-default")
    result = resolve(aad("bob@outlook.com", tenant=TENANT_2), KnownRecords(default_directory=default))
    assert result.new_directory is None
    assert result.new_provider is not None and result.new_provider.directory_id == "dir-default"


def test_federated_sign_in_is_keyed_by_its_idp_and_falls_back_to_the_issuer() -> None:
    assert federated("a@gmail.com", idp="google.com").provider_key == "google.com"
    assert federated("a@gmail.com", idp=None).provider_key == B2C_ISSUER
    assert local("a@contoso.com").provider_key == B2C_ISSUER
    google = provider("google.com", kind=ProviderKind.SOCIAL, id="p-google")
    result = resolve(federated("a@gmail.com"), KnownRecords(provider_by_key=google))
    assert result.account.provider_id == "p-google"
