"""Tracing's switch and its URL scrubbing, without a service (the span tree of a real
sign-in is tests/web/test_tracing.py)."""
from __future__ import annotations

import sys

import pytest

from entrypoints.settings import SettingsError
from entrypoints.tracing import scrub_span, tracer_provider, without_query
from tests.conftest import require_module


def test_no_endpoint_no_provider():
    assert tracer_provider(None) is None and tracer_provider("") is None


def test_an_endpoint_without_the_extra_stops_start_up_naming_both(monkeypatch):
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)  # as if not installed
    with pytest.raises(SettingsError, match=r"OTEL_EXPORTER_OTLP_ENDPOINT.*azure-signin\[otel\]"):
        tracer_provider("http://127.0.0.1:4318")


def test_an_endpoint_gives_a_provider_named_after_the_service(monkeypatch):
    require_module("opentelemetry.sdk", "the otel extra")
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    provider = tracer_provider("http://127.0.0.1:4318")
    try:
        assert provider.resource.attributes["service.name"] == "azure-signin"
    finally:
        provider.shutdown()


class _Span:
    def __init__(self, **attributes):
        self.attributes = attributes

    def set_attribute(self, name, value):
        self.attributes[name] = value


def test_url_attributes_lose_their_query_and_fragment():
    span = _Span(**{"http.url": "https://signin.example.com/redirect?code=C0DE&state=ST4TE",
                    "url.full": "https://login.example/authorize?nonce=N#frag",
                    "url.query": "code=C0DE", "http.target": "/redirect", "http.method": "GET"})
    scrub_span(span)
    assert span.attributes == {"http.url": "https://signin.example.com/redirect",
                               "url.full": "https://login.example/authorize", "url.query": "",
                               "http.target": "/redirect", "http.method": "GET"}
    assert without_query("https://x.example/a#b?c") == "https://x.example/a"


def test_the_settings_refuse_an_endpoint_without_the_extra_before_anything_starts(monkeypatch):
    from entrypoints.settings import load_settings

    monkeypatch.setitem(sys.modules, "opentelemetry.sdk", None)  # as if not installed
    with pytest.raises(SettingsError, match="OTEL_EXPORTER_OTLP_ENDPOINT"):
        load_settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert load_settings({}).otel_endpoint is None  # unset: nothing is needed
