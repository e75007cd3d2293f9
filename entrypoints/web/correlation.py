"""The request's correlation id: set once by the edge (`middleware.py`), read here only."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.connection import ASGIConnection

STATE_KEY = "correlation_id"
UNKNOWN = "-"


def correlation_id(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The id the edge gave this request (`X-Correlation-Id`), or `-` outside the edge."""
    state = connection.scope.get("state")
    value = state.get(STATE_KEY) if isinstance(state, Mapping) else None
    return value if isinstance(value, str) and value else UNKNOWN
