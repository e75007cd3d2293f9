from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.memory import FakeMicrosoft, ManualClock, RandomIds
from core.errors import ErrorCode, SignInError
from core.identity import AuthorizationRequest, ExternalIdentity, LoginFlow, SignInKind

LOCAL = ExternalIdentity(
    issuer="https://login.fake.invalid/tid-b2c/v2.0/",
    tenant_id="tid-b2c",
    object_id="oid-local",
    email="carol@example.com",
    email_verified=True,
    display_name="Carol",
    kind=SignInKind.LOCAL,
)
GOOGLE = ExternalIdentity(
    issuer=LOCAL.issuer,
    tenant_id=None,
    object_id="oid-google",
    email="dave@gmail.com",
    email_verified=False,
    display_name="Dave",
    kind=SignInKind.FEDERATED,
    idp="google.com",
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def microsoft(clock: ManualClock) -> FakeMicrosoft:
    return FakeMicrosoft(clock, RandomIds(), users={"carol": LOCAL, "dave": GOOGLE})


def flow_for(request: AuthorizationRequest, authority: str = "b2c") -> LoginFlow:
    return LoginFlow(request.state, authority, request.protocol, "hash", ManualClock().now())


async def error_of(call) -> ErrorCode:
    with pytest.raises(SignInError) as caught:
        await call
    return caught.value.code


async def test_the_authorize_url_carries_state_hashed_nonce_and_pkce(microsoft: FakeMicrosoft) -> None:
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    query = parse_qs(urlsplit(request.auth_uri).query)
    assert urlsplit(request.auth_uri).hostname == "login.fake.invalid"
    assert query["state"] == [request.state]
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"] != [request.protocol["nonce"]]
    assert query["redirect_uri"] == ["https://app.example.com/redirect"]


async def test_claims_follow_the_shape_of_each_sign_in_kind(microsoft: FakeMicrosoft) -> None:
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    local = await microsoft.redeem(flow_for(request), microsoft.reply_for(request, "carol"))
    assert local.claims["emails"] == ["carol@example.com"] and local.claims["tfp"]
    assert local.claims["nonce"] == request.protocol["nonce"]
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    federated = await microsoft.redeem(flow_for(request), microsoft.reply_for(request.state, "dave"))
    assert federated.claims["idp"] == "google.com" and "tid" not in federated.claims
    assert await microsoft.read(federated) == GOOGLE


async def test_a_code_expires(microsoft: FakeMicrosoft, clock: ManualClock) -> None:
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    reply = microsoft.reply_for(request, "carol")
    clock.advance(timedelta(minutes=6))
    assert await error_of(microsoft.redeem(flow_for(request), reply)) is ErrorCode.LOGIN_EXPIRED


async def test_a_code_of_another_flow_is_refused(microsoft: FakeMicrosoft) -> None:
    first = await microsoft.begin("b2c", "https://app.example.com/redirect")
    second = await microsoft.begin("b2c", "https://app.example.com/redirect")
    reply = {**microsoft.reply_for(first, "carol"), "state": second.state}
    assert await error_of(microsoft.redeem(flow_for(second), reply)) is ErrorCode.INVALID_REQUEST


async def test_a_tampered_nonce_is_an_invalid_token(microsoft: FakeMicrosoft) -> None:
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    reply = microsoft.reply_for(request, "carol")
    tampered = LoginFlow(
        request.state, "b2c", {**request.protocol, "nonce": "x"}, "hash", ManualClock().now()
    )
    assert await error_of(microsoft.redeem(tampered, reply)) is ErrorCode.INVALID_TOKEN


async def test_external_idp_cancel_is_cancelled(microsoft: FakeMicrosoft) -> None:
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    reply = {"error": "access_denied", "error_description": "AADB2C90273: cancelled", "state": request.state}
    assert await error_of(microsoft.redeem(flow_for(request), reply)) is ErrorCode.CANCELLED


async def test_injected_failures_hit_the_next_calls_only(microsoft: FakeMicrosoft) -> None:
    microsoft.fail_next("begin", times=2)
    for _ in range(2):
        code = await error_of(microsoft.begin("b2c", "https://app.example.com/redirect"))
        assert code is ErrorCode.TEMPORARILY_UNAVAILABLE
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    reply = microsoft.reply_for(request, "carol")
    microsoft.fail_next("redeem")
    assert await error_of(microsoft.redeem(flow_for(request), reply)) is ErrorCode.TEMPORARILY_UNAVAILABLE
    login = await microsoft.redeem(flow_for(request), reply)  # the failed call did not burn the code
    microsoft.fail_next("read", SignInError(ErrorCode.INVALID_TOKEN))
    assert await error_of(microsoft.read(login)) is ErrorCode.INVALID_TOKEN
    microsoft.fail_next("read")
    microsoft.clear_failures()
    assert await microsoft.read(login) == LOCAL


async def test_read_sees_profile_changes_made_at_microsoft(microsoft: FakeMicrosoft) -> None:
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    login = await microsoft.redeem(flow_for(request), microsoft.reply_for(request, "carol"))
    moved = ExternalIdentity(**{**LOCAL.__dict__, "email": "carol@new.example.com"})
    microsoft.add_user("carol", moved)
    assert await microsoft.read(login) == moved


async def test_password_reset_only_where_a_policy_exists(microsoft: FakeMicrosoft) -> None:
    assert microsoft.can_reset_password("b2c") and not microsoft.can_reset_password("aad")
    assert not microsoft.can_reset_password("nope")
    reset = await microsoft.begin("b2c", "https://app.example.com/redirect", password_reset=True)
    assert "p=B2C_1A_PASSWORDRESET" in reset.auth_uri
    code = await error_of(microsoft.begin("aad", "https://app.example.com/redirect", password_reset=True))
    assert code is ErrorCode.INVALID_REQUEST


def test_authorities_and_end_session_urls_are_configurable(clock: ManualClock) -> None:
    microsoft = FakeMicrosoft(clock, RandomIds(), authorities=("corp",), password_reset_authorities=("b2c",))
    assert microsoft.authorities() == ("corp",)
    assert not microsoft.can_reset_password("b2c")
    url = microsoft.end_session_url("corp", "https://app.example.com/")
    assert url is not None and url.startswith("https://login.fake.invalid/corp/")
    assert "post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2F" in url
    assert microsoft.end_session_url("b2c", None) is None


def test_reply_for_refuses_what_microsoft_would_not_do(microsoft: FakeMicrosoft) -> None:
    with pytest.raises(LookupError):
        microsoft.reply_for("never-begun", "carol")
    with pytest.raises(ValueError):
        microsoft.reply_for(AuthorizationRequest("s", "https://x", {"nonce": "n"}), "carol", "dance")  # type: ignore[arg-type]
    with pytest.raises(LookupError):
        microsoft.reply_for(
            AuthorizationRequest("s", "https://x", {"nonce": "n", "redirect_uri": "https://a.example/r"}),
            "mallory",
        )


@pytest.mark.parametrize("redirect_uri", ["https://evil.example/redirect", "", "ftp://app.example.com/r"])
async def test_its_page_refuses_a_redirect_uri_that_is_not_registered(
    clock: ManualClock, redirect_uri: str
) -> None:
    microsoft = FakeMicrosoft(clock, RandomIds(), users={"carol": LOCAL},
                              redirect_uris=("https://app.example.com/redirect",))
    request = await microsoft.begin("b2c", redirect_uri)
    with pytest.raises(LookupError, match="AADSTS50011"):
        microsoft.reply_for(request, "carol")


@pytest.mark.parametrize("redirect_uri", ["https://any.example/cb", "http://localhost:8000/redirect"])
async def test_without_a_registration_any_https_or_localhost_redirect_uri_is_accepted(
    microsoft: FakeMicrosoft, redirect_uri: str
) -> None:
    request = await microsoft.begin("b2c", redirect_uri)
    login = await microsoft.redeem(flow_for(request), microsoft.reply_for(request, "carol"))
    assert login.claims["oid"] == LOCAL.object_id


@pytest.mark.parametrize("redirect_uri", ["http://app.example.com/redirect", "/redirect", None])
async def test_without_a_registration_other_redirect_uris_are_refused(
    microsoft: FakeMicrosoft, redirect_uri: str | None
) -> None:
    request = await microsoft.begin("b2c", redirect_uri)  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="AADSTS50011"):
        microsoft.reply_for(request, "carol")


async def test_a_code_is_redeemed_only_with_the_redirect_uri_it_was_issued_for(
    microsoft: FakeMicrosoft,
) -> None:
    request = await microsoft.begin("b2c", "https://app.example.com/redirect")
    reply = microsoft.reply_for(request, "carol")
    other = dict(request.protocol, redirect_uri="https://app.example.com/other")
    flow = LoginFlow(request.state, "b2c", other, "hash", ManualClock().now())
    assert await error_of(microsoft.redeem(flow, reply)) is ErrorCode.INVALID_REQUEST
