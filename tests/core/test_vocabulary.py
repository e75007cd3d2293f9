from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.errors import ErrorCode, SignInError
from core.model import MicrosoftTokens, ProviderKind, Session
from core.policy import SignInPolicy
from tests.core.builders import T0, provider, user


def test_sign_in_error_carries_its_code_and_keeps_the_first_origin_it_is_tied_to() -> None:
    error = SignInError(ErrorCode.LOGIN_EXPIRED, "state unknown")
    assert str(error) == "login_expired: state unknown"
    assert str(SignInError(ErrorCode.SERVER_ERROR)) == "server_error"
    assert error.at(None).frontend_origin is None
    tied = error.at("https://a.example")
    assert tied.frontend_origin == "https://a.example" and tied is not error
    assert error.frontend_origin is None  # at() leaves the error it was asked of alone
    assert (tied.code, tied.detail, str(tied)) == (error.code, error.detail, str(error))
    assert tied.at("https://b.example").frontend_origin == "https://a.example"


def test_an_error_tied_to_an_origin_keeps_its_type_its_fields_and_its_cause() -> None:
    from core.errors import OriginNotAllowed

    cause = ValueError("boom")
    refused = OriginNotAllowed("https://evil.example")
    refused.__cause__ = cause
    tied = refused.at("https://a.example")
    assert isinstance(tied, OriginNotAllowed) and tied.origin == "https://evil.example"
    assert tied.__cause__ is cause and tied.args == refused.args


def test_error_codes_are_the_outside_interfaces_strings() -> None:
    assert {code.value for code in ErrorCode} == {
        "invalid_request", "login_expired", "access_denied", "provider_not_registered",
        "cancelled", "password_reset",
        "invalid_token", "account_conflict", "account_disabled", "temporarily_unavailable",
        "server_error",
    }


def test_microsoft_tokens_never_print() -> None:
    tokens = MicrosoftTokens("access-secret", "refresh-secret", "id-secret")
    assert "secret" not in repr(tokens)
    session = Session("s", "u", "a", "aad", T0, T0, T0, microsoft_tokens=tokens)
    assert "secret" not in repr(session)


def test_session_is_open_until_revoked_or_idle_or_absolute_expiry() -> None:
    session = Session("s", "u", "a", "aad", T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    assert session.open_at(T0)
    assert not session.open_at(T0 + timedelta(hours=1))
    assert not replace(session, idle_expires_at=T0 + timedelta(hours=3)).open_at(T0 + timedelta(hours=2))
    assert not replace(session, revoked_at=T0).open_at(T0)


def test_user_is_verified_only_with_an_email_and_provider_vouches_only_when_trusted() -> None:
    assert user("a@contoso.com").email_verified
    assert not user(None).email_verified
    trusted = provider("iss", kind=ProviderKind.LOCAL, domains=("contoso.com",), trusted=True)
    assert trusted.vouches_for("contoso.com")
    assert not trusted.vouches_for("fabrikam.com")
    assert not trusted.vouches_for(None)
    assert not replace(trusted, trusted=False).vouches_for("contoso.com")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"flow_lifetime": timedelta(0)}, "flow_lifetime must be positive"),
        ({"session_idle": timedelta(seconds=-1)}, "session_idle must be positive"),
        ({"session_absolute": timedelta(0)}, "session_absolute must be positive"),
        ({"token_lifetime": timedelta(0)}, "token_lifetime must be positive"),
        ({"max_attempts": 0}, "max_attempts must be at least 1"),
    ],
)
def test_policy_refuses_non_positive_lifetimes_and_attempts(bad: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        SignInPolicy(**bad)  # type: ignore[arg-type]
    assert str(caught.value) == message  # the operator reads it when the service refuses to start


def test_policy_accepts_the_smallest_valid_values() -> None:
    tick = timedelta(microseconds=1)
    policy = SignInPolicy(flow_lifetime=tick, session_idle=tick, session_absolute=tick, token_lifetime=tick,
                          max_attempts=1)
    assert policy.max_attempts == 1 and policy.flow_lifetime == tick


def test_policy_knows_consumer_domains() -> None:
    policy = SignInPolicy()
    assert policy.is_consumer_domain("gmail.com")
    assert not policy.is_consumer_domain("contoso.com")
    assert not policy.is_consumer_domain(None)
    assert SignInPolicy(consumer_domains=frozenset({"contoso.com"})).is_consumer_domain("contoso.com")


def test_an_admin_error_carries_its_code_and_says_it_first() -> None:
    from core.errors import AdminError, AdminErrorCode

    refused = AdminError(AdminErrorCode.LAST_OWNER, "the workspace keeps one owner")
    assert (refused.code, refused.detail) == (AdminErrorCode.LAST_OWNER, "the workspace keeps one owner")
    assert str(refused) == "last_owner: the workspace keeps one owner"
    bare = AdminError(AdminErrorCode.NOT_FOUND)
    assert (str(bare), bare.detail) == ("not_found", "")
