"""OpenTelemetry tracing (the `otel` extra): one sign-in through the sandbox makes a request
span with children for Microsoft's token endpoint, Graph and the database (and Redis when it
is configured), and no span says a code, a state, a token, a cookie or an email."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import require_module


@pytest.fixture
def exporter():
    require_module("opentelemetry.sdk", "the otel extra: pip install -e '.[otel]'")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    return provider, memory


def _scope(span) -> str:
    return span.instrumentation_scope.name.rsplit(".", 1)[-1]


def _ancestors(span, by_id):
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        yield span


async def test_one_sign_in_is_one_trace_and_no_span_holds_a_secret(make_service, exporter):
    provider, memory = exporter
    async with make_service(overrides={"tracer_provider": provider}) as (browser, operator):
        alice = await browser.login("alice@contoso.com", "aad")
        me = (await browser.me(alice.token)).json()
        cookies = [c.value for c in browser.client.cookies.jar]
    assert alice.token
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentors = (HTTPXClientInstrumentor, RedisInstrumentor, RequestsInstrumentor, SQLAlchemyInstrumentor)
    assert not any(i().is_instrumented_by_opentelemetry for i in instrumentors)  # undone at shutdown
    spans = memory.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}

    [callback] = [s for s in spans if s.name == "GET /redirect"]
    assert callback.kind.name == "SERVER" and callback.attributes["http.route"] == "/redirect"
    below = [s for s in spans if callback in _ancestors(s, by_id)]
    kinds = {_scope(s) for s in below}
    assert {"requests", "httpx", "sqlalchemy"} <= kinds, kinds  # MSAL's token call, Graph, SQL
    if operator.settings.redis_url:
        assert "redis" in kinds  # the flow taken out of the store
    urls = [str(s.attributes.get("http.url") or s.attributes.get("url.full")) for s in below]
    assert any(u.endswith("/oauth2/v2.0/token") for u in urls)  # MSAL redeemed the code
    assert any("/graph/v1.0/me" in u for u in urls)  # Graph read the profile
    assert all(s.context.trace_id == callback.context.trace_id for s in below)
    assert any(s.name == "GET /me" for s in spans) and not any("@" in s.name for s in spans)

    callback_query = parse_qs(urlsplit(alice.callback).query)
    secrets = {alice.token, *callback_query["code"], *callback_query["state"], *cookies,
               "alice@contoso.com", me["user"]["email"]}
    secrets = {s for s in secrets if s and len(s) >= 8}
    for span in spans:
        text = json.dumps({"name": span.name, "attributes": dict(span.attributes or {}),
                           "events": [dict(e.attributes or {}) for e in span.events]}, default=str)
        leaked = [s[:6] for s in secrets if s in text]
        assert not leaked, f"span {span.name} ({_scope(span)}) holds {leaked}"
        assert "code=" not in text and "state=" not in text, span.name


async def test_tracing_is_off_without_an_endpoint(service):
    browser, operator = service
    assert operator.settings.otel_endpoint is None
    assert operator.app.tracer_provider() is None
    assert not hasattr(browser.client.app.asgi_handler, "tracer")  # no OpenTelemetry middleware
