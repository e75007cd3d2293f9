"""A caller's own request id names its request (issue 13): a well-formed `X-Request-ID` or
`traceparent` is honoured, echoed and logged; an ill-formed one is replaced, never echoed."""
from __future__ import annotations

import logging
import re

import pytest

from entrypoints.web.request_ids import correlation_for, request_id, trace_id

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"


def _access_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "azure_signin.access"]


@pytest.mark.parametrize("value", [
    "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "req.42", "edge-1:0007", "A" * 128,
])
def test_well_formed_request_ids_are_kept(value):
    assert request_id(value.encode()) == value
    assert correlation_for(value.encode(), TRACEPARENT.encode()) == value  # it goes first


@pytest.mark.parametrize("value", [
    b"", b"A" * 129, b"a b", b"id\r\nX-Evil: 1", b"<script>", b'"quoted"', b"caf\xc3\xa9",
    b"a/b", b"%0a",
])
def test_ill_formed_request_ids_are_refused(value):
    assert request_id(value) is None


@pytest.mark.parametrize(("value", "expected"), [
    (TRACEPARENT, TRACE),
    (f"01-{TRACE}-00f067aa0ba902b7-01-future-part", TRACE),  # a later version may add fields
    (f"00-{TRACE}-00f067aa0ba902b7-01-extra", None),          # version 00 may not
    (f"ff-{TRACE}-00f067aa0ba902b7-01", None),                # ff is forbidden
    (f"00-{'0' * 32}-00f067aa0ba902b7-01", None),             # all-zero trace id
    (f"00-{TRACE}-{'0' * 16}-01", None),                      # all-zero parent id
    (f"00-{TRACE.upper()}-00f067aa0ba902b7-01", None),        # hex is lowercase
    (f"00-{TRACE[:-1]}-00f067aa0ba902b7-01", None),
    ("garbage", None),
])
def test_traceparent_gives_its_trace_id_only_when_well_formed(value, expected):
    assert trace_id(value.encode()) == expected


async def test_a_well_formed_request_id_is_echoed_and_logged(service, caplog):
    caplog.set_level(logging.INFO, logger="azure_signin.access")
    browser, _ = service
    answer = await browser.client.get("/health/live", headers={"X-Request-ID": "lb-7f3a:0001"})
    assert answer.headers["x-request-id"] == "lb-7f3a:0001"
    assert answer.headers["x-correlation-id"] == "lb-7f3a:0001"
    assert _access_lines(caplog)[-1].endswith("[lb-7f3a:0001]")


async def test_a_traceparent_lends_its_trace_id(service, caplog):
    caplog.set_level(logging.INFO, logger="azure_signin.access")
    browser, _ = service
    answer = await browser.client.get("/no-such-path", headers={"traceparent": TRACEPARENT})
    assert answer.headers["x-correlation-id"] == TRACE == answer.headers["x-request-id"]
    assert _access_lines(caplog)[-1].endswith(f"[{TRACE}]")


async def test_the_id_reaches_security_events_and_error_bodies(service, caplog):
    caplog.set_level(logging.INFO, logger="azure_signin.security")
    browser, _ = service
    answer = await browser.client.get("/me", headers={
        "Authorization": "Bearer not-a-token", "X-Request-ID": "call-1234"})
    assert answer.status_code == 401
    assert answer.headers.get_list("x-correlation-id") == ["call-1234"]  # once, not doubled
    events = [r.getMessage() for r in caplog.records if r.name == "azure_signin.security"]
    assert any('"correlation_id": "call-1234"' in e for e in events), events


@pytest.mark.parametrize("sent", ["<img src=x onerror=alert(1)>", "a" * 200, "two words"])
async def test_an_ill_formed_id_is_replaced_never_echoed(service, caplog, sent):
    caplog.set_level(logging.INFO, logger="azure_signin.access")
    browser, _ = service
    answer = await browser.client.get("/health/live", headers={"X-Request-ID": sent,
                                                              "traceparent": "00-nonsense"})
    assert re.fullmatch(r"[0-9a-f]{16}", answer.headers["x-correlation-id"])
    assert answer.headers["x-request-id"] == answer.headers["x-correlation-id"]
    assert sent not in "".join(_access_lines(caplog)) and sent not in answer.text
