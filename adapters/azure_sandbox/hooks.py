"""Test hooks under `/_sandbox/` (JSON): users, keys, faults, request log, clock."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, delete, get, post

from .directory import DirectoryError, user_from_mapping
from .faults import FaultError, fault_from_json, latency_from_json
from .logout import frontchannel_urls
from .responses import json_response
from .state import Sandbox


def _sb(request: Request[Any, Any, Any]) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


async def _body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise HookError(f"body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise HookError("body must be a JSON object")
    return data


class HookError(ValueError):
    pass


def _bad(message: str) -> Response[Any]:
    return json_response({"error": "bad_request", "message": message}, 400)


@get("/_sandbox/health", sync_to_thread=False)
def health(request: Request[Any, Any, Any]) -> Response[Any]:
    return json_response({"status": "ok", "origin": _sb(request).origin})


@get("/_sandbox/users", sync_to_thread=False)
def list_users(request: Request[Any, Any, Any]) -> Response[Any]:
    directory, tenant = _sb(request).directory, request.query_params.get("tenant")
    users = [u.to_json() for u in directory.all_users() if tenant is None or u.tenant == tenant]
    return json_response({"users": users})


@post("/_sandbox/users")
async def add_user(request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        user = _sb(request).directory.add_user(user_from_mapping(await _body(request)))
    except (HookError, DirectoryError, TypeError) as exc:
        return _bad(str(exc))
    return json_response(user.to_json(), 201)


def _account_change(request: Request[Any, Any, Any], username: str, **changes: Any) -> Response[Any]:
    try:
        user = _sb(request).directory.change_user(username, **changes)
    except KeyError:
        return json_response({"error": "not_found", "message": f"no user '{username}'"}, 404)
    return json_response(user.to_json(), 200)


@post("/_sandbox/users/{username:str}/disable")
async def disable_user(request: Request[Any, Any, Any], username: str) -> Response[Any]:
    """The account is disabled: sign-in and every refresh token refused (AADSTS50057)."""
    return _account_change(request, username, disabled=True)


@post("/_sandbox/users/{username:str}/enable")
async def enable_user(request: Request[Any, Any, Any], username: str) -> Response[Any]:
    return _account_change(request, username, disabled=False)


@post("/_sandbox/users/{username:str}/reset-password")
async def reset_password(request: Request[Any, Any, Any], username: str) -> Response[Any]:
    """An administrator reset the password: refresh tokens of earlier sign-ins are refused
    (AADSTS50173; B2C AADB2C90129)."""
    return _account_change(request, username, tokens_valid_from=_sb(request).now())


@post("/_sandbox/users/{username:str}/revoke-sessions")
async def revoke_sessions(request: Request[Any, Any, Any], username: str) -> Response[Any]:
    """Graph's `revokeSignInSessions`: the same effect on refresh tokens as a reset."""
    return _account_change(request, username, tokens_valid_from=_sb(request).now())


@delete("/_sandbox/users/{username:str}", status_code=200)
async def delete_user(request: Request[Any, Any, Any], username: str) -> Response[Any]:
    """The account is deleted: its refresh tokens are refused (AADSTS50034; B2C AADB2C99002)."""
    try:
        user = _sb(request).directory.remove_user(username)
    except KeyError:
        return json_response({"error": "not_found", "message": f"no user '{username}'"}, 404)
    return json_response(user.to_json(), 200)


@post("/_sandbox/users/{username:str}/assignments")
async def assign(request: Request[Any, Any, Any], username: str) -> Response[Any]:
    """Replace the user's app roles and groups: `{"app_roles": [...], "groups": [...]}`
    (either may be left out: unchanged). More than 200 groups puts the ID token in overage."""
    try:
        body = await _body(request)
    except HookError as exc:
        return _bad(str(exc))
    changes: dict[str, Any] = {}
    for name in ("app_roles", "groups"):
        if name in body:
            values = body[name]
            if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
                return _bad(f"{name} must be a list of strings")
            changes[name] = tuple(values)
    return _account_change(request, username, **changes)


@post("/_sandbox/users/{username:str}/signout")
async def sign_out(request: Request[Any, Any, Any], username: str) -> Response[Any]:
    """The user signs out at Microsoft: every Microsoft session (`sid`) of theirs ends, and
    the answer lists the front-channel logout URLs Microsoft's sign-out page would load in
    iframes (one per session and app with a registered front-channel logout URL), with
    `sid` and `iss`, for the caller to load as the browser would."""
    sb = _sb(request)
    user = sb.directory.user_named(username)
    if user is None:
        return json_response({"error": "not_found", "message": f"no user '{username}'"}, 404)
    return json_response({"frontchannel": frontchannel_urls(sb, user.oid)}, 200)


@get("/_sandbox/keys", sync_to_thread=False)
def list_keys(request: Request[Any, Any, Any]) -> Response[Any]:
    sb = _sb(request)
    return json_response(
        {family: [k.kid for k in sb.keys_for(family).published()] for family in ("aad", "b2c")}
    )


@post("/_sandbox/keys/rotate")
async def rotate_keys(request: Request[Any, Any, Any]) -> Response[Any]:
    """Rotate `family` (`aad`, `b2c`, or both when absent); JWKS keeps the previous key."""
    sb = _sb(request)
    try:
        family = (await _body(request)).get("family")
    except HookError as exc:
        return _bad(str(exc))
    if family not in {None, "aad", "b2c"}:
        return _bad("family must be 'aad' or 'b2c'")
    families = [family] if family else ["aad", "b2c"]
    now = sb.now()
    return json_response({f: sb.keys_for(f).rotate(now).kid for f in families}, 200)


@get("/_sandbox/faults", sync_to_thread=False)
def list_faults(request: Request[Any, Any, Any]) -> Response[Any]:
    return json_response({"faults": [f.to_json() for f in _sb(request).faults.pending()]})


@post("/_sandbox/faults")
async def add_fault(request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        fault = fault_from_json(await _body(request))
    except (HookError, FaultError) as exc:
        return _bad(str(exc))
    _sb(request).faults.add(fault)
    return json_response(fault.to_json(), 201)


@delete("/_sandbox/faults", status_code=204, sync_to_thread=False)
def clear_faults(request: Request[Any, Any, Any]) -> None:
    _sb(request).faults.clear()


@get("/_sandbox/latency", sync_to_thread=False)
def read_latency(request: Request[Any, Any, Any]) -> Response[Any]:
    standing = _sb(request).latency
    return json_response({"latency": standing.to_json() if standing else None})


@post("/_sandbox/latency")
async def set_latency(request: Request[Any, Any, Any]) -> Response[Any]:
    """Standing Microsoft latency: `{"min_ms": 50, "max_ms": 150, "endpoints": [...]}`
    (endpoints left out: every kind). Replaces any earlier one; faults' latency adds to it."""
    try:
        standing = latency_from_json(await _body(request))
    except (HookError, FaultError) as exc:
        return _bad(str(exc))
    _sb(request).latency = standing
    return json_response({"latency": standing.to_json()}, 201)


@delete("/_sandbox/latency", status_code=204, sync_to_thread=False)
def clear_latency(request: Request[Any, Any, Any]) -> None:
    _sb(request).latency = None


@get("/_sandbox/requests", sync_to_thread=False)
def list_requests(request: Request[Any, Any, Any]) -> Response[Any]:
    return json_response({"requests": _sb(request).requests.entries(request.query_params.get("kind"))})


@delete("/_sandbox/requests", status_code=204, sync_to_thread=False)
def clear_requests(request: Request[Any, Any, Any]) -> None:
    _sb(request).requests.clear()


@get("/_sandbox/clock", sync_to_thread=False)
def read_clock(request: Request[Any, Any, Any]) -> Response[Any]:
    sb = _sb(request)
    return json_response({"now": sb.now(), "offset": sb.clock_offset})


@post("/_sandbox/clock")
async def advance_clock(request: Request[Any, Any, Any]) -> Response[Any]:
    """Move the sandbox's clock forward by `advance` seconds (codes and tokens age with it)."""
    sb = _sb(request)
    try:
        advance = float((await _body(request)).get("advance", 0))
    except (HookError, TypeError, ValueError) as exc:
        return _bad(str(exc))
    sb.clock_offset += advance
    return json_response({"now": sb.now(), "offset": sb.clock_offset}, 200)


@delete("/_sandbox/clock", status_code=204, sync_to_thread=False)
def reset_clock(request: Request[Any, Any, Any]) -> None:
    _sb(request).clock_offset = 0.0


HOOK_HANDLERS = [
    health,
    list_users,
    add_user,
    disable_user,
    enable_user,
    reset_password,
    revoke_sessions,
    delete_user,
    assign,
    sign_out,
    list_keys,
    rotate_keys,
    list_faults,
    add_fault,
    clear_faults,
    read_latency,
    set_latency,
    clear_latency,
    list_requests,
    clear_requests,
    read_clock,
    advance_clock,
    reset_clock,
]
