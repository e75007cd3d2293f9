"""The correlation id of the request being answered, for lines and spans that do not carry it
themselves (the edge sets it for each request; `-` outside one)."""
from __future__ import annotations

from contextvars import ContextVar

CORRELATION: ContextVar[str] = ContextVar("correlation_id", default="-")
