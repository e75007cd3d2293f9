from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from core.binding import binding_hash
from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity, RedeemedLogin
from core.usecases.complete_signin import (
    CompleteSignIn,
    CompleteSignInInput,
    PasswordResetStarted,
    SignedIn,
)
from core.usecases.start_login import StartLoginInput
from tests.core.builders import aad, local
from tests.core.world import ALLOWED_ORIGINS, FRONTEND, REDIRECT_URI, World

ALICE = aad("alice@contoso.com")


async def failure(awaitable: object) -> SignInError:
    with pytest.raises(SignInError) as caught:
        await awaitable  # type: ignore[misc]
    return caught.value


# StartLogin ---------------------------------------------------------------------------------
async def test_start_login_keeps_a_flow_bound_to_the_browser_and_sends_it_to_microsoft(world: World) -> None:
    started, state = await world.begin("HTTPS://APP.CONTOSO.COM/", "/reports/7")
    assert f"state={state}" in started.auth_uri
    assert started.auth_uri.startswith("https://login.fake.invalid/aad/")
    assert started.frontend_origin == FRONTEND
    assert started.cookie_lifetime == world.policy.flow_lifetime
    flow = await world.flows.take(state)
    assert flow is not None
    assert flow.binding_hash == binding_hash(started.binding_secret) != started.binding_secret
    assert flow.frontend_origin == FRONTEND and flow.return_path == "/reports/7"
    assert flow.authority == "aad" and not flow.password_reset


async def test_start_login_refuses_an_origin_off_the_allow_list_before_storing_anything(world: World) -> None:
    error = await failure(world.begin("https://evil.example"))
    assert error.code is ErrorCode.INVALID_REQUEST and error.frontend_origin is None
    assert len(world.flows) == 0


async def test_start_login_refuses_an_unknown_provider_tied_to_the_origin(world: World) -> None:
    error = await failure(world.begin(FRONTEND, authority="facebook"))
    assert error.code is ErrorCode.INVALID_REQUEST and error.frontend_origin == FRONTEND
    assert error.detail == "unknown provider"
    assert len(world.flows) == 0


async def test_start_login_reports_microsoft_unreachable_tied_to_the_origin(world: World) -> None:
    world.microsoft.fail_next("begin")
    error = await failure(world.begin(FRONTEND))
    assert error.code is ErrorCode.TEMPORARILY_UNAVAILABLE and error.frontend_origin == FRONTEND
    assert len(world.flows) == 0


async def test_start_login_drops_an_unsafe_deep_link(world: World) -> None:
    _, state = await world.begin(FRONTEND, "/%2F%2Fevil.example")
    flow = await world.flows.take(state)
    assert flow is not None and flow.return_path is None


async def test_start_login_without_origin_or_provider_uses_the_default_authority(world: World) -> None:
    started = await world.start(StartLoginInput(REDIRECT_URI))
    assert started.frontend_origin is None
    assert "/aad/" in started.auth_uri


# CompleteSignIn -----------------------------------------------------------------------------
async def test_sign_in_lands_on_the_origin_it_started_from_with_a_working_token(world: World) -> None:
    done = await world.login(ALICE)
    assert done.frontend_origin == FRONTEND and done.authority == "aad"
    assert done.landing_path == "/no-workspace"
    assert done.expires_at == world.clock.now() + world.policy.token_lifetime
    current = await world.authenticate(done.token)
    assert current.session.id == done.session_id and current.session.user_id == done.user_id
    async with world.db.unit_of_work() as uow:
        session = await uow.sessions.get(done.session_id)
    assert session is not None and session.microsoft_tokens is not None
    assert session.microsoft_tokens.refresh_token


async def test_sign_in_follows_the_deep_link(world: World) -> None:
    done = await world.login(ALICE, return_path="/reports/7?tab=2")
    assert done.landing_path == "/reports/7?tab=2"


async def test_sign_in_without_origin_lands_in_the_invited_workspace_on_its_host(world: World) -> None:
    local = await world.admin.add_workspace("Local", "http://localhost:3001")
    await world.admin.invite("alice@contoso.com", local.id, "editor", accepted=True)
    done = await world.login(ALICE, frontend_host=None)
    assert (done.frontend_origin, done.host_not_allowed) == ("http://localhost:3001", False)
    assert done.landing_path == f"/workspace/{local.id}/home"


async def test_a_workspace_host_off_the_allow_list_is_replaced_by_the_first_allowed_origin(
    world: World,
) -> None:
    await world.admin.invite("alice@contoso.com", 2, "editor", accepted=True)  # app.fabrikam.com
    done = await world.login(ALICE, frontend_host=None)
    assert (done.frontend_origin, done.host_not_allowed) == (FRONTEND, True)
    assert done.landing_path == "/workspace/2/home"


async def test_sign_in_without_origin_nor_workspace_lands_on_the_first_allowed_origin(world: World) -> None:
    done = await world.login(ALICE, frontend_host=None)
    assert (done.frontend_origin, done.host_not_allowed) == (FRONTEND, False)
    assert done.landing_path == "/no-workspace"


async def test_replayed_callback_is_login_expired(world: World) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply = world.microsoft.reply_for(state, "alice")
    await world.finish(started, reply)
    rows = world.rows()
    error = await failure(world.finish(started, reply))
    assert error.code is ErrorCode.LOGIN_EXPIRED and error.authority is None  # no flow: unknown
    assert error.detail == "unknown, expired or already used state"
    assert world.rows() == rows


async def test_callback_after_the_flow_expired_is_login_expired(world: World) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply = world.microsoft.reply_for(state, "alice")
    world.clock.advance(world.policy.flow_lifetime)
    error = await failure(world.finish(started, reply))
    assert error.code is ErrorCode.LOGIN_EXPIRED
    assert world.rows()["users"] == 0


async def test_callback_without_state_is_an_invalid_request(world: World) -> None:
    error = await failure(world.complete(CompleteSignInInput({"code": "x"}, "secret", REDIRECT_URI)))
    assert error.code is ErrorCode.INVALID_REQUEST and error.frontend_origin is None
    assert error.detail == "callback without state"


@pytest.mark.parametrize("cookie", ["", "another-browsers-secret"])
async def test_callback_from_another_browser_is_refused_and_burns_the_flow(world: World, cookie: str) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply = world.microsoft.reply_for(state, "alice")
    error = await failure(world.finish(started, reply, binding_secret=cookie))
    assert error.code is ErrorCode.INVALID_REQUEST and error.frontend_origin == FRONTEND
    assert error.detail == "callback from another browser"
    assert world.rows()["users"] == 0
    again = await failure(world.finish(started, reply))
    assert again.code is ErrorCode.LOGIN_EXPIRED


@pytest.mark.parametrize(
    ("action", "code"),
    [("cancel", ErrorCode.CANCELLED), ("deny", ErrorCode.ACCESS_DENIED)],
)
async def test_error_reply_from_microsoft_is_mapped_and_tied_to_the_origin(
    world: World, action: str, code: ErrorCode
) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin(authority="b2c")
    error = await failure(world.finish(started, world.microsoft.reply_for(state, "alice", action)))  # type: ignore[arg-type]
    assert error.code is code and error.frontend_origin == FRONTEND
    assert error.authority == "b2c"  # what the login metrics count it under
    assert world.rows()["sessions"] == 0


async def test_forgotten_password_restarts_at_the_reset_policy_in_the_same_browser(world: World) -> None:
    identity = local("carol@contoso.com")
    world.microsoft.add_user("carol", identity)
    started, state = await world.begin(return_path="/reports/1", authority="b2c")
    reset = await world.finish(started, world.microsoft.reply_for(state, "carol", "forgot_password"))
    assert isinstance(reset, PasswordResetStarted)
    assert "B2C_1A_PASSWORDRESET" in reset.auth_uri and reset.frontend_origin == FRONTEND
    assert parse_qs(urlsplit(reset.auth_uri).query)["redirect_uri"] == [REDIRECT_URI]
    reset_state = reset.state
    done = await world.finish(started, world.microsoft.reply_for(reset_state, "carol"))
    assert isinstance(done, SignedIn)
    assert done.landing_path == "/reports/1" and done.frontend_origin == FRONTEND


async def test_forgotten_password_during_a_reset_is_reported(world: World) -> None:
    world.microsoft.add_user("carol", local("carol@contoso.com"))
    started, state = await world.begin(authority="b2c")
    reset = await world.finish(started, world.microsoft.reply_for(state, "carol", "forgot_password"))
    assert isinstance(reset, PasswordResetStarted)
    reset_state = reset.state
    again = world.microsoft.reply_for(reset_state, "carol", "forgot_password")
    error = await failure(world.finish(started, again))
    assert error.code is ErrorCode.PASSWORD_RESET and error.frontend_origin == FRONTEND


async def test_forgotten_password_at_an_authority_without_reset_policy_is_reported(world: World) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin(authority="aad")
    error = await failure(world.finish(started, world.microsoft.reply_for(state, "alice", "forgot_password")))
    assert error.code is ErrorCode.PASSWORD_RESET


@pytest.mark.parametrize("operation", ["redeem", "read"])
async def test_microsoft_unreachable_while_finishing_is_temporarily_unavailable(
    world: World, operation: str
) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply = world.microsoft.reply_for(state, "alice")
    world.microsoft.fail_next(operation)  # type: ignore[arg-type]
    error = await failure(world.finish(started, reply))
    assert error.code is ErrorCode.TEMPORARILY_UNAVAILABLE and error.frontend_origin == FRONTEND
    assert world.rows()["users"] == 0


async def test_profile_of_another_object_id_is_an_invalid_token(world: World) -> None:
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply = world.microsoft.reply_for(state, "alice")
    world.microsoft.add_user("alice", replace(ALICE, object_id="someone-else"))
    error = await failure(world.finish(started, reply))
    assert error.code is ErrorCode.INVALID_TOKEN and error.frontend_origin == FRONTEND
    assert world.rows()["users"] == 0


class _BrokenProfiles:
    async def read(self, login: RedeemedLogin) -> ExternalIdentity:
        raise RuntimeError("a bug in an adapter")


async def test_unexpected_failure_is_a_server_error_tied_to_the_origin(world: World) -> None:
    complete = CompleteSignIn(
        world.flows, world.microsoft, _BrokenProfiles(), world.record, world.tokens, world.cache,
        world.clock, world.ids, world.policy, ALLOWED_ORIGINS,
    )
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply: Mapping[str, str] = world.microsoft.reply_for(state, "alice")
    error = await failure(complete(CompleteSignInInput(reply, started.binding_secret, REDIRECT_URI)))
    assert error.code is ErrorCode.SERVER_ERROR and error.frontend_origin == FRONTEND
    assert error.authority == "aad"
    assert error.detail == "unexpected failure"  # the cause goes to the log, chained, not into the text
    assert isinstance(error.__cause__, RuntimeError)


class _RecordingGateway:
    """The fake Microsoft, remembering what each redemption gave."""

    def __init__(self, microsoft: object) -> None:
        self._microsoft = microsoft
        self.redeemed: list[RedeemedLogin] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._microsoft, name)

    async def redeem(self, flow: object, reply: Mapping[str, str]) -> RedeemedLogin:
        login = await self._microsoft.redeem(flow, reply)  # type: ignore[attr-defined]
        self.redeemed.append(login)
        return login


async def test_each_microsoft_token_is_kept_in_its_own_slot_with_the_session(world: World) -> None:
    gateway = _RecordingGateway(world.microsoft)
    complete = CompleteSignIn(
        world.flows, gateway, world.microsoft, world.record, world.tokens, world.cache,  # type: ignore[arg-type]
        world.clock, world.ids, world.policy, ALLOWED_ORIGINS,
    )
    world.microsoft.add_user("alice", ALICE)
    started, state = await world.begin()
    reply = world.microsoft.reply_for(state, "alice")
    done = await complete(CompleteSignInInput(reply, started.binding_secret, REDIRECT_URI))
    assert isinstance(done, SignedIn)
    [login] = gateway.redeemed
    async with world.db.unit_of_work() as uow:
        session = await uow.sessions.get(done.session_id)
    assert session is not None and session.microsoft_tokens is not None
    kept = session.microsoft_tokens
    assert len({login.access_token, login.refresh_token, login.id_token}) == 3
    assert (kept.access_token, kept.refresh_token, kept.id_token) == (
        login.access_token, login.refresh_token, login.id_token
    )


class _BrokenFlowStore:
    async def take(self, state: str) -> None:
        raise ConnectionError("the flow store is down")


async def test_a_flow_store_failing_before_the_flow_is_known_is_a_server_error_without_origin(
    world: World,
) -> None:
    complete = CompleteSignIn(
        _BrokenFlowStore(), world.microsoft, world.microsoft, world.record, world.tokens,  # type: ignore[arg-type]
        world.cache, world.clock, world.ids, world.policy, ALLOWED_ORIGINS,
    )
    started, state = await world.begin()
    error = await failure(complete(CompleteSignInInput({"state": state, "code": "c"}, started.binding_secret,
                                                       REDIRECT_URI)))
    assert error.code is ErrorCode.SERVER_ERROR and error.frontend_origin is None
    assert isinstance(error.__cause__, ConnectionError)


async def test_conflicting_sign_in_is_reported_to_the_origin_it_started_from(world: World) -> None:
    await world.login(ALICE)
    error = await failure(world.login(aad("alice@contoso.com", tenant="t2", oid="x", verified=False)))
    assert error.code is ErrorCode.ACCOUNT_CONFLICT and error.frontend_origin == FRONTEND


async def test_disabled_user_cannot_sign_in_again(world: World) -> None:
    await world.login(ALICE)
    await world.disable("alice@contoso.com")
    world.clock.advance(timedelta(minutes=1))
    error = await failure(world.login(ALICE))
    assert error.code is ErrorCode.ACCOUNT_DISABLED and error.frontend_origin == FRONTEND


def test_the_binding_cookie_matches_only_its_own_flow() -> None:
    from core.binding import binding_matches

    assert binding_matches("s3cret", binding_hash("s3cret"))
    assert not binding_matches("other", binding_hash("s3cret"))
    assert not binding_matches("", binding_hash(""))  # no cookie never matches, whatever is kept
    assert not binding_matches(None, binding_hash(""))
    assert binding_hash("s3cret") == "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0"
