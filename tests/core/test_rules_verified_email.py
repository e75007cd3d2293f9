"""The verified-email rule (core.rules.verified_email): examples and properties."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ErrorCode, SignInError
from core.identity import SignInKind
from core.rules.verified_email import (
    SignInEmail,
    azure_ad_email,
    customer_email,
    edov_is_true,
    email_text,
)

addresses = st.sampled_from(
    ["alice@contoso.com", " bob@example.org ", "ALICE@contoso.com", "x@y", "@", "mallory@evil.example"]
)
not_addresses = st.sampled_from([None, "", "   ", "alice", 7, True, ["a@b.c"], {"a": "b@c.d"}])
any_email = st.one_of(addresses, not_addresses)
edov_values = st.sampled_from([True, False, "true", "1", 1, 0, "false", None, "yes", 2, " TRUE "])
sign_in_types = st.sampled_from(["emailAddress", "userName", "federated", "userPrincipalName", None])
identity_entries = st.fixed_dictionaries(
    {"signInType": sign_in_types, "issuer": st.sampled_from(["t.onmicrosoft.com", "google.com", "", 5]),
     "issuerAssignedId": any_email},
)
profiles = st.fixed_dictionaries(
    {"mail": any_email, "userPrincipalName": addresses, "otherMails": st.lists(addresses, max_size=2)},
    optional={"identities": st.one_of(st.lists(identity_entries, max_size=4), st.just("emailAddress"))},
)
idps = st.sampled_from([None, "", "google.com", "facebook.com", 3])


def aad_claims(email: object, edov: object, **more: Any) -> dict[str, Any]:
    return {"email": email, "xms_edov": edov, "preferred_username": "alice@contoso.com", **more}


# -- examples -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("true", True), (" TRUE ", True), ("1", True), (1, True), (False, False),
     ("false", False), (0, False), (None, False), ("yes", False), (2, False), (1.0, False)],
)
def test_xms_edov_is_true_only_in_the_forms_azure_ad_sends(value: object, expected: bool) -> None:
    assert edov_is_true(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" a@b.c ", "a@b.c"), ("a@b", "a@b"), ("@", "@"), ("alice", None), ("", None), (None, None),
     (["a@b.c"], None)],
)
def test_an_email_is_text_with_an_at_sign_trimmed(value: object, expected: str | None) -> None:
    assert email_text(value) == expected


def test_azure_ad_verifies_the_tokens_email_with_edov() -> None:
    found = azure_ad_email(aad_claims(" alice@contoso.com ", True), {"mail": "other@x.com"})
    assert found == SignInEmail(SignInKind.AZURE_AD, "alice@contoso.com", True)
    assert found.idp is None


def test_azure_ad_falls_back_to_graph_mail_unverified() -> None:
    found = azure_ad_email(aad_claims(None, True), {"mail": " alice@contoso.com "})
    assert found == SignInEmail(SignInKind.AZURE_AD, "alice@contoso.com", False)


def test_azure_ad_keeps_the_guest_idp_claim() -> None:
    assert azure_ad_email(aad_claims(None, None, idp="live.com"), {}).idp == "live.com"
    assert azure_ad_email(aad_claims(None, None, idp=""), {}).idp is None
    assert azure_ad_email(aad_claims(None, None, idp=4), {}).idp is None


def test_a_local_email_identity_is_preferred_over_a_user_name() -> None:
    profile = {"identities": [
        {"signInType": "userName", "issuerAssignedId": "bob"},
        {"signInType": "emailAddress", "issuerAssignedId": " bob@example.org "},
    ]}
    found = customer_email({}, profile, "token@example.org")
    assert found == SignInEmail(SignInKind.LOCAL, "bob@example.org", True)
    assert found.idp is None


def test_a_local_email_identity_without_an_address_is_unverified_and_empty() -> None:
    profile = {"identities": [{"signInType": "emailAddress", "issuerAssignedId": "bob"}]}
    assert customer_email({}, profile, "bob@example.org") == SignInEmail(SignInKind.LOCAL, None, False)


def test_a_user_name_sign_in_carries_the_tokens_email_else_mail_unverified() -> None:
    profile = {"mail": "mail@example.org", "identities": [{"signInType": "userName"}]}
    from_token = SignInEmail(SignInKind.LOCAL, "t@example.org", False)
    assert customer_email({}, profile, " t@example.org ") == from_token
    assert customer_email({}, profile, "nobody") == SignInEmail(SignInKind.LOCAL, "mail@example.org", False)


def test_a_federated_sign_in_takes_the_tokens_idp_else_the_identitys_issuer() -> None:
    profile = {"identities": [{"signInType": "federated", "issuer": "facebook.com"},
                              {"signInType": "emailAddress", "issuerAssignedId": "c@gmail.com"}]}
    assert customer_email({"idp": "google.com"}, profile, "c@gmail.com") == SignInEmail(
        SignInKind.FEDERATED, "c@gmail.com", False, "google.com"
    )
    only = {"identities": [{"signInType": "federated", "issuer": "facebook.com"}]}
    assert customer_email({"idp": ""}, only, None) == SignInEmail(
        SignInKind.FEDERATED, None, False, "facebook.com"
    )


@pytest.mark.parametrize("identities", [[], [{"signInType": "federated", "issuer": ""}],
                                        [{"signInType": "userPrincipalName"}], "emailAddress", None])
def test_a_profile_naming_no_way_of_signing_in_is_an_invalid_token(identities: object) -> None:
    with pytest.raises(SignInError) as caught:
        customer_email({}, {"identities": identities}, "a@b.c")
    assert caught.value.code is ErrorCode.INVALID_TOKEN
    assert caught.value.detail == "profile names no way of signing in"


# -- properties -----------------------------------------------------------------------------

@given(email=any_email, edov=edov_values, profile=profiles)
def test_azure_ad_verifies_only_the_tokens_own_email_and_only_with_edov(
    email: object, edov: object, profile: dict[str, Any]
) -> None:
    found = azure_ad_email(aad_claims(email, edov), profile)
    assert found.kind is SignInKind.AZURE_AD
    token_email = email_text(email)
    assert found.email == (token_email or email_text(profile["mail"]))
    assert found.verified == (token_email is not None and edov_is_true(edov))
    assert found.email is None or found.email in {token_email, email_text(profile["mail"])}


@given(edov=edov_values, profile=profiles)
def test_azure_ad_never_verifies_an_address_the_token_does_not_carry(
    edov: object, profile: dict[str, Any]
) -> None:
    assert not azure_ad_email(aad_claims(None, edov), profile).verified


@given(claims_email=any_email, idp=idps, edov=edov_values, profile=profiles)
def test_a_customer_sign_in_is_verified_only_for_its_local_email_identity(
    claims_email: object, idp: object, edov: object, profile: dict[str, Any]
) -> None:
    claims = {"idp": idp, "xms_edov": edov}
    try:
        found = customer_email(claims, profile, claims_email)
    except SignInError as error:
        assert error.code is ErrorCode.INVALID_TOKEN
        return
    identities = profile.get("identities")
    identities = identities if isinstance(identities, list) else []
    proven = {email_text(i["issuerAssignedId"]) for i in identities if i["signInType"] == "emailAddress"}
    if found.verified:
        assert found.kind is SignInKind.LOCAL and found.email in proven and found.email is not None
    if isinstance(idp, str) and idp:
        assert (found.kind, found.idp, found.verified) == (SignInKind.FEDERATED, idp, False)
    if found.kind is SignInKind.FEDERATED:
        assert not found.verified and found.idp
        assert found.email == (email_text(claims_email) or email_text(profile["mail"]))
    # xms_edov plays no part outside Azure AD
    assert customer_email({"idp": idp, "xms_edov": not edov_is_true(edov)}, profile, claims_email) == found


@given(claims_email=any_email, profile=profiles)
def test_a_federated_token_is_never_verified_whatever_the_profile_says(
    claims_email: object, profile: dict[str, Any]
) -> None:
    found = customer_email({"idp": "google.com"}, profile, claims_email)
    assert found == SignInEmail(
        SignInKind.FEDERATED, email_text(claims_email) or email_text(profile["mail"]), False, "google.com"
    )
