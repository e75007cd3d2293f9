"""Load shedding of sign-in work: a bound on the logins one process has in hand.

A login costs the service real work (a flow written, then a code redeemed at Microsoft, a
Graph read, a transaction) and holds it for Microsoft's latency. Past what the process
can finish, more of them only queue: every login gets slower together until browsers and
Microsoft's codes time out, and the process's memory grows with the queue. So each process
counts the sign-in requests it is answering (starts at `/login/aad`, callbacks at
`/redirect` and its alias) and, at `SIGNIN_MAX_SIGNINS_IN_FLIGHT`:

- refuses a new **start** with `503` and `Retry-After` (nothing written, so nothing lost:
  the browser asks again);
- lets **callbacks** on up to twice the bound, since each is a login already under way at
  Microsoft; past that a callback is refused the same way *before* it touches its flow, so
  the very same URL works when the browser comes back (the flow is still in the store and
  Microsoft's code still unredeemed; the page's `Refresh` header does that by itself).

The answer is a small HTML page (these are browser navigations) with `Retry-After` of 1
to 3 seconds, spread so that the refused browsers do not all return in the same second.
The check is a counter in this process: no I/O, so a shed costs microseconds. Token checks
(`/auth/verify`, `/me`, introspection) are never shed: they are cheap and the frontend's
every request depends on them. `0` turns shedding off.
"""
from __future__ import annotations

import random
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

START_PATHS = frozenset({"/login/aad"})
CALLBACK_PATHS = frozenset({"/redirect", "/auth/redirect-uri"})
CALLBACK_HEADROOM = 2  # callbacks may go on up to this many times the bound
RETRY_AFTER = (1, 3)  # seconds, inclusive: a refused browser comes back within this

PAGE = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>Sign-in busy</title>"
    b"<h1>The sign-in service is busy</h1>"
    b"<p>Too many sign-ins are under way right now. This page tries again by itself in a "
    b"few seconds; nothing is lost.</p></html>"
)
OnShed = Callable[[str], None]


class SignInAdmission:
    """The count of sign-in requests this process is answering, and the bound on it."""

    def __init__(self, bound: int, on_shed: OnShed | None = None,
                 pause: Callable[[], int] | None = None) -> None:
        if bound < 0:
            raise ValueError("the bound is a whole number, 0 for none")
        self.bound = bound
        self.in_flight = 0
        self._on_shed = on_shed
        # spread, not secret: the pause only keeps refused browsers from returning together
        self._pause = pause or (lambda: random.randint(*RETRY_AFTER))  # noqa: S311

    def admits(self, path: str) -> bool:
        """Whether a request to `path` may go on now (always, for a path that is no sign-in)."""
        if path in START_PATHS:
            return self.in_flight < self.bound
        if path in CALLBACK_PATHS:
            return self.in_flight < self.bound * CALLBACK_HEADROOM
        return True

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """`app` behind this bound; `app` itself when shedding is off."""
        if self.bound == 0:
            return app
        counted = START_PATHS | CALLBACK_PATHS

        async def admit(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "") if scope["type"] == ScopeType.HTTP else ""
            if path not in counted:
                await app(scope, receive, send)
                return
            if not self.admits(path):
                await self._refuse(scope, path, send)
                return
            self.in_flight += 1
            try:
                await app(scope, receive, send)
            finally:
                self.in_flight -= 1

        return admit

    async def _refuse(self, scope: Scope, path: str, send: Send) -> None:
        # the route's own label for the metrics (Litestar's router never saw this request)
        scope["path_template"] = path
        if self._on_shed is not None:
            self._on_shed(path)
        pause = str(self._pause()).encode()
        await send({
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(PAGE)).encode()),
                (b"retry-after", pause),
                (b"refresh", pause),
                (b"content-security-policy", b"default-src 'none'"),
            ],
        })
        await send({"type": "http.response.body", "body": PAGE, "more_body": False})
