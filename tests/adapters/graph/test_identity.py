"""The deterministic email choice and sign-in kind (no network)."""

from __future__ import annotations

import pytest

from adapters.graph.identity import azure_ad_identity, b2c_identity, edov_is_true
from core.errors import ErrorCode, SignInError
from core.identity import SignInKind

OID = "a11ce000-0000-4000-8000-00000000a11c"
TID = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
AAD = {"iss": f"https://login.example/{TID}/v2.0", "tid": TID, "oid": OID, "name": "Alice"}
B2C_ISS = "https://b2c.example/b2c0ffee-4d3c-4b2a-8e1f-7a6b5c4d3e2f/v2.0/"
B2C = {"iss": B2C_ISS, "oid": OID, "name": "Bob"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        ("true", True),
        ("True", True),
        ("1", True),
        (1, True),
        (False, False),
        ("false", False),
        (0, False),
        (None, False),
        ("yes", False),
        (2, False),
    ],
)
def test_xms_edov_formats(value: object, expected: bool) -> None:
    assert edov_is_true(value) is expected


def test_the_token_email_with_edov_is_verified() -> None:
    identity = azure_ad_identity(
        {**AAD, "email": "alice@contoso.com", "xms_edov": True}, {"mail": "other@x.com"}
    )
    assert (identity.email, identity.email_verified) == ("alice@contoso.com", True)


def test_the_token_email_without_edov_is_unverified() -> None:
    identity = azure_ad_identity({**AAD, "email": "alice@contoso.com"}, {"mail": "alice@contoso.com"})
    assert (identity.email, identity.email_verified) == ("alice@contoso.com", False)


def test_graph_mail_is_the_fallback_and_never_verified() -> None:
    identity = azure_ad_identity({**AAD, "xms_edov": True}, {"mail": "alice@contoso.com"})
    assert (identity.email, identity.email_verified) == ("alice@contoso.com", False)


def test_the_upn_and_other_mails_are_never_an_email() -> None:
    profile = {"userPrincipalName": "alice@contoso.com", "otherMails": ["alice@contoso.com"]}
    identity = azure_ad_identity(
        {**AAD, "preferred_username": "alice@contoso.com", "xms_edov": True}, profile
    )
    assert identity.email is None and not identity.email_verified
    assert identity.display_name == "Alice" and identity.kind is SignInKind.AZURE_AD


def test_a_b2c_email_sign_in_is_local_and_verified() -> None:
    profile = {
        "identities": [
            {
                "signInType": "userPrincipalName",
                "issuer": "t.onmicrosoft.com",
                "issuerAssignedId": "x@t.onmicrosoft.com",
            },
            {
                "signInType": "emailAddress",
                "issuer": "t.onmicrosoft.com",
                "issuerAssignedId": "bob@example.org",
            },
        ],
        "displayName": "Bob Example",
    }
    identity = b2c_identity({**B2C, "emails": ["someone@else.org"]}, profile)
    assert identity.kind is SignInKind.LOCAL and identity.idp is None
    assert (identity.email, identity.email_verified) == ("bob@example.org", True)
    assert identity.tenant_id == "b2c0ffee-4d3c-4b2a-8e1f-7a6b5c4d3e2f"
    assert identity.display_name == "Bob Example"


def test_a_b2c_user_name_sign_in_is_local_and_unverified() -> None:
    profile = {
        "identities": [{"signInType": "userName", "issuer": "t.onmicrosoft.com", "issuerAssignedId": "bob"}]
    }
    identity = b2c_identity({**B2C, "emails": ["bob@example.org"]}, profile)
    assert identity.kind is SignInKind.LOCAL
    assert (identity.email, identity.email_verified) == ("bob@example.org", False)


def test_a_b2c_federated_sign_in_takes_the_tokens_idp_and_is_unverified() -> None:
    profile = {"identities": [{"signInType": "federated", "issuer": "facebook.com", "issuerAssignedId": "1"}]}
    identity = b2c_identity({**B2C, "idp": "google.com", "emails": ["carol@gmail.com"]}, profile)
    assert identity.kind is SignInKind.FEDERATED and identity.idp == "google.com"
    assert (identity.email, identity.email_verified) == ("carol@gmail.com", False)


def test_a_b2c_federated_sign_in_without_idp_claim_uses_the_identity_issuer() -> None:
    profile = {"identities": [{"signInType": "federated", "issuer": "facebook.com", "issuerAssignedId": "1"}]}
    assert b2c_identity(B2C, profile).idp == "facebook.com"


def test_a_b2c_profile_with_no_way_of_signing_in_is_refused() -> None:
    with pytest.raises(SignInError) as caught:
        b2c_identity(B2C, {"identities": [{"signInType": "userPrincipalName", "issuerAssignedId": "x@t"}]})
    assert caught.value.code is ErrorCode.INVALID_TOKEN


EXT_TID = "c1a40000-4e5f-4a6b-9c8d-7e6f5a4b3c2d"
EXT_ISS = f"https://{EXT_TID}.ciamlogin.com/{EXT_TID}/v2.0"
EXTERNAL = {"iss": EXT_ISS, "tid": EXT_TID, "oid": OID, "name": "Ines"}
EXT_DOMAIN = "posterlab.onmicrosoft.com"


def test_an_external_id_email_sign_in_is_local_and_verified_from_its_identity() -> None:
    from adapters.graph.identity import external_id_identity

    profile = {
        "mail": "other@example.net",
        "identities": [
            {"signInType": "userPrincipalName", "issuer": EXT_DOMAIN,
             "issuerAssignedId": f"{OID}@{EXT_DOMAIN}"},
            {"signInType": "emailAddress", "issuer": EXT_DOMAIN,
             "issuerAssignedId": "ines@example.net"},
        ],
    }
    identity = external_id_identity({**EXTERNAL, "email": "token@example.net"}, profile)
    assert identity.kind is SignInKind.LOCAL and identity.idp is None
    assert (identity.email, identity.email_verified) == ("ines@example.net", True)
    assert identity.issuer == EXTERNAL["iss"] and identity.tenant_id == EXT_TID
    assert identity.provider_key == EXTERNAL["iss"]


def test_an_external_id_user_name_sign_in_is_local_and_unverified() -> None:
    from adapters.graph.identity import external_id_identity

    profile = {"mail": "ines@example.net",
               "identities": [{"signInType": "userName", "issuer": EXT_DOMAIN, "issuerAssignedId": "ines"}]}
    identity = external_id_identity(EXTERNAL, profile)
    assert identity.kind is SignInKind.LOCAL
    assert (identity.email, identity.email_verified) == ("ines@example.net", False)


def test_an_external_id_social_sign_in_is_federated_and_never_verified() -> None:
    from adapters.graph.identity import external_id_identity

    profile = {"identities": [
        {"signInType": "emailAddress", "issuer": EXT_DOMAIN, "issuerAssignedId": "ines@example.net"},
        {"signInType": "federated", "issuer": "google.com", "issuerAssignedId": "1083"},
    ]}
    for token_claims in ({**EXTERNAL, "idp": "google.com", "email": "ines@example.net", "xms_edov": True},):
        identity = external_id_identity(token_claims, profile)
        assert identity.kind is SignInKind.FEDERATED and identity.idp == "google.com"
        assert (identity.email, identity.email_verified) == ("ines@example.net", False)
    only_federated = {"identities": [{"signInType": "federated", "issuer": "facebook.com"}], "mail": "x@y.z"}
    identity = external_id_identity(EXTERNAL, only_federated)
    assert identity.kind is SignInKind.FEDERATED
    assert (identity.idp, identity.email_verified) == ("facebook.com", False)


def test_an_external_id_profile_with_no_way_of_signing_in_is_refused() -> None:
    from adapters.graph.identity import external_id_identity

    with pytest.raises(SignInError) as caught:
        external_id_identity({**EXTERNAL, "email": "ines@example.net"}, {"identities": []})
    assert caught.value.code is ErrorCode.INVALID_TOKEN
