"""The correlation id of a request: the caller's own when it sent a well-formed one, else a
fresh one. It names the request in every log line, audit row and error page, and goes
back in `X-Correlation-Id` and `X-Request-ID`.

Honoured, in this order:
- `X-Request-ID`: 1 to 128 characters of `A-Z a-z 0-9 . _ : -` (what proxies and tracing
  front-ends send: UUIDs, hex, `host:counter`). Nothing else: an id that could carry a
  newline, a quote or markup is replaced, never echoed or logged.
- W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header):
  `version-traceid-parentid-flags`, lowercase hex, version not `ff`, neither id all
  zeros, and for version `00` nothing after the flags. Its 32-hex trace id is used, so a
  request's log lines carry the trace it belongs to.
"""
from __future__ import annotations

import re
import secrets

MAX_REQUEST_ID = 128
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,%d}" % MAX_REQUEST_ID)
_TRACEPARENT = re.compile(
    rb"(?P<version>[0-9a-f]{2})-(?P<trace>[0-9a-f]{32})-(?P<parent>[0-9a-f]{16})-[0-9a-f]{2}"
    rb"(?P<rest>-.*)?"
)


def fresh() -> str:
    """A correlation id of our own: 16 hex characters."""
    return secrets.token_hex(8)


def trace_id(traceparent: bytes | None) -> str | None:
    """The trace id of a well-formed `traceparent`, else None."""
    if traceparent is None:
        return None
    found = _TRACEPARENT.fullmatch(traceparent.strip(b" \t"))
    if found is None or found["version"] == b"ff":
        return None
    if found["version"] == b"00" and found["rest"] is not None:
        return None  # version 00 has exactly four fields
    if found["trace"] == b"0" * 32 or found["parent"] == b"0" * 16:
        return None
    return found["trace"].decode()


def request_id(value: bytes | None) -> str | None:
    """A well-formed `X-Request-ID`, else None."""
    if value is None:
        return None
    value = value.strip(b" \t")
    return value.decode() if _REQUEST_ID.fullmatch(value) else None


def correlation_for(x_request_id: bytes | None, traceparent: bytes | None) -> str:
    """The caller's `X-Request-ID`, else its `traceparent`'s trace id, else a fresh id."""
    return request_id(x_request_id) or trace_id(traceparent) or fresh()
