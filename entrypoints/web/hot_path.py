"""What the hot routes (`/auth/verify`, `/me`) need, and how they answer.

- `HotPath`, one Litestar dependency: Litestar resolves the dependencies of a handler that
  names two or more of them in an anyio task group, one task each; for the token check
  that machinery cost about as much as the check itself (docs/performance.md). A handler
  that names one dependency gets it with a plain call.
- `Ready`, an answer whose bytes are built by the handler: Litestar's own conversion of a
  `Response` (header containers, media type and length resolution, a second response
  object) cost more than the check. The bytes sent are those Litestar would send.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Response
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from core.usecases.check_access import CheckAccess
from core.usecases.users import DescribeSession
from entrypoints.web.events import SecurityLog


@dataclass(frozen=True, slots=True)
class HotPath:
    check_access: CheckAccess
    security_log: SecurityLog
    describe: DescribeSession


class Ready(Response[Any]):
    """A complete answer: status, headers and body as the handler built them (Litestar's
    `content-type` and `content-length` included), sent as is. The route calls
    `to_asgi_response` with the handler's defaults, and these routes set none."""

    __slots__ = ("_body", "_encoded", "_status")

    def __init__(  # no super(): none of its work is used
        self, status: int, headers: Mapping[str, str], body: bytes, media_type: str
    ) -> None:
        self.status_code = status
        self.content = body
        self.media_type = media_type
        self.headers = dict(headers)
        self._body = body
        self._status = status
        self._encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self._encoded += [(b"content-type", media_type.encode("latin-1")),
                          (b"content-length", str(len(body)).encode("latin-1"))]

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> ASGIApp:  # type: ignore[override]
        return self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: HTTPResponseStartEvent = {"type": "http.response.start", "status": self._status,
                                         "headers": list(self._encoded)}
        await send(start)
        body: HTTPResponseBodyEvent = {"type": "http.response.body", "body": self._body,
                                       "more_body": False}
        await send(body)
