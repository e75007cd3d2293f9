"""`create_app(container) -> Litestar`: the one bridge between the container and Litestar.

Handlers name what they need (`start`, `complete`, `authenticate`, ...) and get it from the
container through Litestar's own `Provide`; no handler knows which adapter it talks to.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from adapters.sql.database import SqlDatabase
from core.errors import AdminError, ErrorCode, SignInError
from core.navigation import parse_origin
from core.usecases.revalidation import SessionClosedByMicrosoft
from core.usecases.sessions import forget_revoked
from entrypoints.container import Container
from entrypoints.lifecycle import start, stop
from entrypoints.local_providers import issuers_through, keep_ensuring, needs_local_providers
from entrypoints.metadata import package_version
from entrypoints.metrics import multiprocess_dir, serve_metrics
from entrypoints.tracing import instrument, name_after_route
from entrypoints.web import (
    api,
    docs_ui,
    frontchannel,
    health,
    index,
    introspect,
    login,
    metrics_endpoint,
    verify,
    workspaces,
)
from entrypoints.web.admin_shapes import BEARER
from entrypoints.web.answers import admin_error, api_error
from entrypoints.web.bodies import MAX_BODY_BYTES
from entrypoints.web.correlation import correlation_id
from entrypoints.web.health import Check, Readiness, discovery_check
from entrypoints.web.hot_path import HotPath
from entrypoints.web.middleware import install_edge
from entrypoints.web.openapi_shapes import finish_document
from entrypoints.web.proxies import TrustedProxies, parse_networks
from entrypoints.web.shedding import SignInAdmission

logger = logging.getLogger("azure_signin.web")
# Container providers of the workspace use cases; handlers name them `<provider>_case`.
ADMIN_CASES = (
    "create_workspace", "list_workspaces", "update_workspace", "create_invite", "list_invites",
    "revoke_invite", "accept_invite", "list_members", "change_member", "remove_member",
    "list_audit", "switch_workspace",
)



def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, HTTPException):  # Litestar's own 4xx (validation, 404, 405, ...)
        # The status's own phrase, never Litestar's detail: "Validation failed for GET
        # /path?query" would echo the request's query string (a code, a state) back.
        return Response(
            content={"error": "invalid_request" if error.status_code < 500 else "server_error",
                     "detail": HTTPStatus(error.status_code).phrase},
            status_code=error.status_code,
            headers={**(error.headers or {}), "Cache-Control": "no-store"},
        )
    correlation = correlation_id(request)
    logger.error("unexpected failure [%s]", correlation, exc_info=error)
    return Response(
        content={"error": "server_error", "correlation_id": correlation},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        headers={"Cache-Control": "no-store"},
    )


def cors_config(allowed_origins: tuple[str, ...]) -> CORSConfig:
    """CORS for exactly the redirect allow-list. Litestar reads `*` in an entry as a
    wildcard, so each entry must be a canonical origin from the one parser (which refuses
    wildcards); anything else stops the app from being built."""
    for origin in allowed_origins:
        if str(parse_origin(origin)) != origin:
            raise ValueError(f"{origin!r} is not a canonical origin")
    return CORSConfig(
        allow_origins=list(allowed_origins),
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,
        max_age=600,
    )


def _readiness(container: Container) -> Readiness:
    settings = container.settings()
    async def database() -> None:
        async with container.uow()(read_only=True) as uow:  # through the port: any adapter
            await uow.roles.list()

    required: dict[str, Check] = {"database": database}
    redis = container.redis()
    if redis is not None:
        async def redis_ping() -> None:
            if not await redis.ping():
                raise RuntimeError("Redis did not answer")
        required["redis"] = redis_ping
    discovery = container.discovery()
    reported = {a.name: discovery_check(discovery, a.authority) for a in settings.authorities}
    return Readiness(required, reported, timeout=settings.http_timeout + 1,
                     on_reported=container.metrics().microsoft_reported)


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
        "frontchannel": provide(container.frontchannel_logout),
        "limiter": provide(container.rate_limiter),
        "security_log": provide(container.security_log),
        # One dependency for the hot routes (/auth/verify, /me): Litestar resolves two or
        # more dependencies of one handler in an anyio task group, a task each, which
        # measured about a quarter of a check's CPU (docs/performance.md).
        "hot_path": provide(lambda: HotPath(
            container.check_access(), container.security_log(), container.describe_session()
        )),
        "readiness": provide(lambda: readiness),
        "public_jwks": provide(lambda: container.tokens().public_jwks()),
        "metrics": provide(container.metrics),
        **{f"{name}_case": provide(getattr(container, name)) for name in ADMIN_CASES},
    }

    security_log = container.security_log()
    metrics = container.metrics()
    provider = container.tracer_provider()
    # set by startup/shutdown: the metrics port's server when this process serves it itself
    # (under `serve`, the serve process answers it for all workers), the tracing undo
    running: dict[str, Any] = {}

    def signin_error(request: Request[Any, Any, Any], error: SignInError) -> Response[Any]:
        correlation = correlation_id(request)
        if isinstance(error, SessionClosedByMicrosoft):
            security_log.revalidated(error.revalidation, via="refresh", correlation=correlation)
        elif error.code in (ErrorCode.INVALID_TOKEN, ErrorCode.ACCOUNT_DISABLED):
            security_log.token_refused(error.code, correlation, request.url.path)
        return api_error(error, correlation)

    def refused(request: Request[Any, Any, Any], error: AdminError) -> Response[Any]:
        correlation = correlation_id(request)
        security_log.admin_refused(error.code, correlation, request.url.path)
        return admin_error(error, correlation)

    async def startup() -> None:
        await start(container)  # the schema check and Microsoft's discovery (in the background)
        lifecycle = container.lifecycle()
        # Revocations other processes announce: forget them now rather than within 0.5 s.
        recent = container.recent_principals()
        lifecycle.run_in_background(container.revocations().listen(lambda r: forget_revoked(recent, r)))
        # A B2C / External ID authority's local accounts need their provider: registered
        # from its discovery issuer, retried in the background while Microsoft is away.
        if needs_local_providers(settings):
            lifecycle.run_in_background(keep_ensuring(
                container.administration(), settings, issuers_through(container.discovery())))
        # Sessions used without refresh are re-validated by every process, sharing the work.
        lifecycle.run_in_background(container.sweeper().run())
        if settings.metrics_port is not None and multiprocess_dir() is None:
            running["metrics"] = serve_metrics(settings.host, settings.metrics_port, metrics.registry)

    async def shutdown() -> None:
        if "metrics" in running:
            running.pop("metrics").shutdown()
        await stop(container)
        if provider is not None:
            running.pop("untrace", lambda: None)()
            provider.force_flush()

    app = Litestar(
        route_handlers=[
            login.start_login, login.redirect_endpoint,
            api.me, api.refresh, api.exchange_code, api.logout_post, api.logout_get,
            frontchannel.frontchannel_logout,
            verify.verify_get, verify.verify_head, verify.verify_any_method,
            verify.verify_prefixed, verify.verify_prefixed_head, introspect.introspect,
            health.live, health.ready, health.jwks, index.root, index.favicon, docs_ui.asset,
            *workspaces.HANDLERS,
            # on a port of its own when SIGNIN_METRICS_PORT is set: then not on this one
            *([metrics_endpoint.metrics] if settings.metrics_port is None else []),
        ],
        dependencies=dependencies,
        exception_handlers={SignInError: signin_error, AdminError: refused, Exception: _unexpected},
        cors_config=cors_config(settings.allowed_origins),
        openapi_config=OpenAPIConfig(
            title="azure-signin", version=package_version(), path="/schema",
            render_plugins=docs_ui.render_plugins(),
            components=Components(security_schemes={
                BEARER: SecurityScheme(
                    type="http", scheme="bearer", bearer_format="JWT",
                    description="The service's own session token (from the sign-in redirect)",
                ),
            }),
        ),
        on_startup=[startup],
        on_shutdown=[shutdown],
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,
        debug=False,
    )
    finish_document(app.openapi_schema)
    proxies = TrustedProxies(parse_networks(settings.trusted_proxies))

    def on_answer(scope: Any, status: int, seconds: float) -> None:
        metrics.request_done(scope.get("path_template"), scope.get("method", ""), status, seconds)

    # a bound on the sign-ins in hand, inside the edge (its headers and access line apply)
    app.asgi_handler = SignInAdmission(settings.max_signins_in_flight, metrics.signin_shed).wrap(
        app.asgi_handler
    )
    # outside routing: 404, 405 and CORS preflights included
    install_edge(app, proxies, on_answer, name_after_route if provider is not None else None)
    if provider is not None:
        database = container.database()
        engine = database.engine if isinstance(database, SqlDatabase) else None
        running["untrace"] = instrument(app, provider, engine)
    return app

