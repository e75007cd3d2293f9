"""`create_app(container) -> Litestar`: the one bridge between the container and Litestar.

Handlers name what they need (`start`, `complete`, `authenticate`, ...) and get it from the
container through Litestar's own `Provide`; no handler knows which adapter it talks to.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from adapters.sql.database import SqlDatabase
from adapters.sql.migrate import ensure_schema_async
from core.errors import AdminError, ErrorCode, SignInError
from entrypoints.container import Container
from entrypoints.web import api, health, introspect, login, verify, workspaces
from entrypoints.web.admin_shapes import BEARER
from entrypoints.web.answers import admin_error, api_error
from entrypoints.web.health import Check, Readiness, discovery_check, discovery_url
from entrypoints.web.middleware import edge_middleware

logger = logging.getLogger("azure_signin.web")
# Container providers of the workspace use cases; handlers name them `<provider>_case`.
ADMIN_CASES = (
    "create_workspace", "list_workspaces", "update_workspace", "create_invite", "list_invites",
    "revoke_invite", "accept_invite", "list_members", "change_member", "remove_member",
    "list_audit",
)


def _correlation(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("correlation_id", "-"))


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, HTTPException):  # Litestar's own 4xx (validation, 404, 405, ...)
        return Response(
            content={"error": "invalid_request" if error.status_code < 500 else "server_error",
                     "detail": error.detail},
            status_code=error.status_code,
            headers={**(error.headers or {}), "Cache-Control": "no-store"},
        )
    correlation = _correlation(request)
    logger.error("unexpected failure [%s]", correlation, exc_info=error)
    return Response(
        content={"error": "server_error", "correlation_id": correlation},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        headers={"Cache-Control": "no-store"},
    )


def _readiness(container: Container) -> Readiness:
    settings = container.settings()
    async def database() -> None:
        async with container.uow()() as uow:  # through the port: any adapter can answer
            await uow.roles.list()

    checks: dict[str, Check] = {"database": database}
    if settings.redis_url:
        async def redis_ping() -> None:
            if not await container.redis().ping():
                raise RuntimeError("Redis did not answer")
        checks["redis"] = redis_ping
    for authority in settings.authorities:
        url = discovery_url(authority.authority)
        checks[f"authority:{authority.name}"] = discovery_check(
            url, settings.ca_bundle, settings.http_timeout
        )
    return Readiness(checks, timeout=settings.http_timeout + 1)


def create_app(container: Container) -> Litestar:
    settings = container.settings()
    readiness = _readiness(container)

    def provide(source: Callable[[], Any]) -> Provide:
        # A plain zero-argument function: Litestar reads a dependency's signature (a
        # provider's is not readable, and any parameter would become a query parameter).
        def dependency() -> Any:
            return source()
        return Provide(dependency, sync_to_thread=False, use_cache=False)

    dependencies = {
        "settings": provide(lambda: settings),
        "start": provide(container.start_login),
        "complete": provide(container.complete_signin),
        "issue_code": provide(container.issue_code),
        "redeem": provide(container.redeem_code),
        "authenticate": provide(container.authenticate),
        "check_access": provide(container.check_access),
        "introspect": provide(container.introspect),
        "describe": provide(container.describe_session),
        "refresh_session": provide(container.refresh_session),
        "logout": provide(container.logout),
        "limiter": provide(container.rate_limiter),
        "security_log": provide(container.security_log),
        "readiness": provide(lambda: readiness),
        "public_jwks": provide(lambda: container.tokens().public_jwks()),
        **{f"{name}_case": provide(getattr(container, name)) for name in ADMIN_CASES},
    }

    security_log = container.security_log()
    background: set[asyncio.Task[None]] = set()

    def signin_error(request: Request[Any, Any, Any], error: SignInError) -> Response[Any]:
        correlation = _correlation(request)
        if error.code in (ErrorCode.INVALID_TOKEN, ErrorCode.ACCOUNT_DISABLED):
            security_log.token_refused(error.code, correlation, request.url.path)
        return api_error(error, correlation)

    def refused(request: Request[Any, Any, Any], error: AdminError) -> Response[Any]:
        correlation = _correlation(request)
        security_log.admin_refused(error.code, correlation, request.url.path)
        return admin_error(error, correlation)

    async def startup() -> None:
        database = container.database()
        if isinstance(database, SqlDatabase):
            await ensure_schema_async(database.config, auto_upgrade=False)
        # Discovery now rather than on the first login (the end-session URL needs it). It
        # never fails start-up: Microsoft being down is what /health/ready reports.
        warm_up = getattr(container.gateway(), "warm_up", None)
        if warm_up is not None:
            task = asyncio.get_running_loop().create_task(warm_up())
            background.add(task)  # a reference, so the task is not collected mid-way
            task.add_done_callback(background.discard)

    async def shutdown() -> None:
        for task in list(background):
            task.cancel()
        # Building a singleton here connects to nothing, so closing all of them is safe.
        for name in ("profiles", "gateway", "database", "redis"):
            try:
                await _close(getattr(container, name)())
            except Exception:
                logger.warning("closing %s failed", name, exc_info=True)

    return Litestar(
        route_handlers=[
            login.start_login, login.redirect_endpoint,
            api.me, api.refresh, api.exchange_code, api.logout_post, api.logout_get,
            verify.verify_get, verify.verify_head, introspect.introspect,
            health.live, health.ready, health.jwks,
            *workspaces.HANDLERS,
        ],
        dependencies=dependencies,
        exception_handlers={SignInError: signin_error, AdminError: refused, Exception: _unexpected},
        middleware=[edge_middleware],
        cors_config=CORSConfig(
            allow_origins=list(settings.allowed_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,
            max_age=600,
        ),
        openapi_config=OpenAPIConfig(
            title="azure-signin", version="0.1.0", path="/schema",
            components=Components(security_schemes={
                BEARER: SecurityScheme(
                    type="http", scheme="bearer", bearer_format="JWT",
                    description="The service's own session token (from the sign-in redirect)",
                ),
            }),
        ),
        on_startup=[startup],
        on_shutdown=[shutdown],
        request_max_body_size=64 * 1024,
        logging_config=None,
        debug=False,
    )


async def _close(instance: Any) -> None:
    for closer in ("aclose", "close", "dispose"):
        method = getattr(instance, closer, None)
        if method is not None:
            result = method()
            if hasattr(result, "__await__"):
                await result
            return
