"""OpenTelemetry tracing (the optional `otel` extra), off unless OTEL_EXPORTER_OTLP_ENDPOINT
is set.

The maintained instrumentations make the spans: the ASGI middleware one span per request,
httpx (discovery, keys, Graph, app tokens) and requests (MSAL's token calls) one per call to
Microsoft, SQLAlchemy one per statement, redis-py one per command. What they would record
that we must not: a URL's query string (a callback's `code` and `state`) in `http.url` /
`url.full` / `url.query`, which the hooks here cut off; redis-py's commands are recorded
as `COMMAND ? ?` by the instrumentation itself, and SQL statements with placeholders only.
The request span is renamed after the route template once the router has matched one (its
name would otherwise hold the raw path). The rest of the exporter's configuration is
OpenTelemetry's own `OTEL_*` variables (service name, headers, protocol, sampling).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from entrypoints.settings import SettingsError

EXTRA_MISSING = ("OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed: "
                 "install azure-signin[otel]")
# Attributes of the instrumentations (old and stable semantic conventions) holding a URL.
URL_ATTRIBUTES = ("http.url", "url.full", "http.target")
QUERY_ATTRIBUTES = ("url.query",)
SERVICE_NAME = "azure-signin"


def without_query(url: str) -> str:
    """`url` without its query string and fragment (where a code, state or token would be)."""
    return url.split("?", 1)[0].split("#", 1)[0]


def scrub_span(span: Any) -> None:
    """Rewrite the URL attributes a span was started with, keeping scheme, host and path."""
    attributes = getattr(span, "attributes", None) or {}
    for name in URL_ATTRIBUTES:
        value = attributes.get(name)
        if isinstance(value, str) and ("?" in value or "#" in value):
            span.set_attribute(name, without_query(value))
    for name in QUERY_ATTRIBUTES:
        if name in attributes:
            span.set_attribute(name, "")


def tracer_provider(endpoint: str | None) -> Any:
    """A provider exporting by OTLP over HTTP to `endpoint` (the SDK reads it, and every
    other OTEL_ variable, from the environment), or None when tracing is off."""
    if not endpoint:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise SettingsError(EXTRA_MISSING) from None
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def _method_only(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # the path is only known as a template once routed (see `name_after_route`)
    return str(scope.get("method") or "HTTP"), {}


def name_after_route(scope: Any) -> None:
    """Name the request's span `METHOD /route/{template}` (the edge calls this)."""
    from opentelemetry import trace

    span = trace.get_current_span()
    template = scope.get("path_template")
    if template and span.is_recording():
        span.update_name(f"{scope.get('method', 'HTTP')} {template}")
        span.set_attribute("http.route", template)


def instrument(app: Any, provider: Any, engine: Any | None) -> Callable[[], None]:
    """Spans for `app`'s requests (wrapping its outermost ASGI handler, so the edge's refusals
    are traced too), its HTTP clients, Redis and the database `engine` (an AsyncEngine or
    None). Returns the function that undoes the process-wide part (the client libraries)."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    def scrub_hook(span: Any, *_: Any) -> None:
        scrub_span(span)

    async def async_scrub_hook(span: Any, *_: Any) -> None:
        scrub_span(span)

    app.asgi_handler = OpenTelemetryMiddleware(
        app.asgi_handler, tracer_provider=provider, default_span_details=_method_only,
        server_request_hook=scrub_hook, exclude_spans=["receive", "send"],
    )
    undo: list[Callable[[], None]] = []
    for instrumentor, options in (
        (HTTPXClientInstrumentor(), {"request_hook": scrub_hook, "async_request_hook": async_scrub_hook}),
        (RequestsInstrumentor(), {"request_hook": scrub_hook}),
        (RedisInstrumentor(), {}),
    ):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=provider, **options)
            undo.append(instrumentor.uninstrument)
    if engine is not None:
        sql = SQLAlchemyInstrumentor()
        if not sql.is_instrumented_by_opentelemetry:
            # its declared range stops below SQLAlchemy 2.1, whose engine events it uses unchanged
            sql.instrument(engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True)
            undo.append(sql.uninstrument)

    def uninstrument() -> None:
        for step in reversed(undo):
            step()
    return uninstrument
