"""The sandbox as an ASGI app (Litestar): Azure AD, B2C and Graph on one origin."""

from __future__ import annotations

import time
from typing import Any

from litestar import Litestar, Request, Response, get, route
from litestar.datastructures import State
from litestar.enums import HttpMethod
from litestar.middleware import DefineMiddleware

from . import authorize
from .authorities import parse_endpoint
from .directory import Directory, load_directory
from .discovery import discovery_document, jwks
from .errors import aad_error
from .graph import handle_graph
from .hooks import HOOK_HANDLERS
from .logout import handle_logout
from .requestlog import RequestLogMiddleware
from .responses import fault_prelude, json_response, redirect, with_params
from .state import Clock, Sandbox
from .token_endpoint import handle_token

DEFAULT_ORIGIN = "https://localhost:8443"


def _sb(request: Request[Any, Any, Any]) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


def _query(request: Request[Any, Any, Any]) -> dict[str, str]:
    return dict(request.query_params.items())


@get("/graph/v1.0/{path:path}")
async def graph_endpoint(request: Request[Any, Any, Any]) -> Response[Any]:
    sb, path = _sb(request), request.path_params["path"]
    _, early = await fault_prelude(sb, "graph")
    if early is not None:
        return early
    return handle_graph(
        sb, path, request.headers.get("authorization"), request.query_params.get("$select"), _query(request)
    )


@get("/favicon.ico", status_code=204)
async def favicon() -> Response[None]:
    """What browsers ask for on their own: nothing, rather than an authority's 404."""
    return Response(content=None, status_code=204, headers={"Cache-Control": "public, max-age=86400"})


@route("/{path:path}", http_method=[HttpMethod.GET, HttpMethod.POST])
async def authority_endpoint(request: Request[Any, Any, Any]) -> Response[Any]:
    """Every Azure AD and B2C endpoint: discovery, keys, authorize, token, logout."""
    sb, path = _sb(request), request.path_params["path"]
    query = _query(request)
    endpoint = parse_endpoint(sb.directory, path, query.get("p"))
    if endpoint is None:
        return json_response(
            {"error": "not_found", "error_description": f"No sandbox endpoint at {path}"}, 404
        )
    fault, early = await fault_prelude(sb, endpoint.kind)
    if early is not None:
        return early
    if endpoint.realm is None:
        body = aad_error(90002, sb.now(), sb.origin, tenant=path.strip("/").split("/")[0])
        body["error_description"] = body["error_description"].replace(
            body["error_description"].split("\r\n")[0], f"AADSTS90002: {endpoint.problem}"
        )
        return json_response(body, 400)
    realm = endpoint.realm
    if endpoint.kind == "discovery" and request.method == "GET":
        return json_response(discovery_document(sb, realm))
    if endpoint.kind == "keys" and request.method == "GET":
        return json_response(jwks(sb, realm))
    if endpoint.kind == "logout":
        form = dict((await request.form()).items()) if request.method == "POST" else {}
        return handle_logout(sb, realm, {**query, **form})
    if endpoint.kind == "token" and request.method == "POST":
        form = dict((await request.form()).items())
        return handle_token(sb, realm, dict(request.headers.items()), form, fault)
    if endpoint.kind == "authorize":
        return await _authorize(sb, request, realm, query, fault is not None and fault.malformed_body)
    return json_response({"error": "invalid_request", "error_description": "Method not allowed."}, 405)


async def _authorize(
    sb: Sandbox, request: Request[Any, Any, Any], realm: Any, query: dict[str, str], malformed: bool
) -> Response[Any]:
    form = dict((await request.form()).items()) if request.method == "POST" else {}
    params = query if "client_id" in query else {**form, **query}
    checked = authorize.validate(sb, realm, params)
    if isinstance(checked, Response):
        return checked
    if malformed:
        # A reply with neither code nor error: clients must refuse it.
        return redirect(with_params(checked.redirect_uri, {"state": checked.state or ""}))
    raw_query = request.scope.get("query_string", b"").decode("latin-1")
    action_url = request.url.path + (f"?{raw_query}" if raw_query else "")
    if request.method == "GET" or ("username" not in form and "action" not in form):
        return authorize.show_form(sb, checked, action_url)
    return authorize.answer(sb, checked, form, action_url)


def create_sandbox_app(
    directory: Directory | None = None, *, origin: str = DEFAULT_ORIGIN, clock: Clock = time.time
) -> Litestar:
    """A sandbox app; its state is at `app.state.sandbox` (a `Sandbox`).

    `origin` is what the sandbox calls itself in issuers and endpoint URLs (it must be the
    URL clients reach it at); `clock` returns epoch seconds and drives expiry.
    """
    sandbox = Sandbox(directory or load_directory(), origin, clock)
    return Litestar(
        route_handlers=[*HOOK_HANDLERS, graph_endpoint, favicon, authority_endpoint],
        middleware=[DefineMiddleware(RequestLogMiddleware)],
        state=State({"sandbox": sandbox}),
        openapi_config=None,
        # the process's logging belongs to whoever runs the sandbox (the demo, a test)
        logging_config=None,
        debug=False,
    )
