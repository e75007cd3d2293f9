"""MSAL `ConfidentialClientApplication`s: one per authority (and per reset policy), built
once, lazily, in a worker thread (MSAL's constructor fetches the discovery document).

Each app gets an HTTP session with an explicit timeout and the configured CA bundle, which
refuses non-JSON answers (so a proxy's HTML page is "Microsoft unavailable", never mistaken
for a malformed ID token), a token cache that keeps nothing (user tokens go to the caller,
never into a cache another user's request could read), and an HTTP cache that keeps nothing.

Why no HTTP cache: MSAL wraps its HTTP client in a throttle (`ThrottledHttpClient`) that
remembers a 429/5xx answer of the token endpoint for its `Retry-After` (up to an hour) and
replays it without calling Microsoft. Its key is meant to include the auth code, but as MSAL
1.39 calls it the part meant for the code hashes `None` (checked: the key of a throttled
redemption ends in sha256("None")), so it is one key per authority, client and scope: one
throttled answer failed every sign-in of that authority, per process.
Each redemption spends a single-use code that a retry could not reuse, so there is nothing
to throttle: a failed redemption fails that sign-in only, and the next one calls Microsoft.
The login rate limit (`SIGNIN_LOGIN_RATE_LIMIT`) already bounds how often we can.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, MutableMapping
from typing import Any

import msal
import requests
from requests.adapters import HTTPAdapter

from adapters.microsoft.config import AuthorityConfig
from adapters.microsoft.http import CallObserver


class UpstreamMalformed(requests.RequestException):
    """Microsoft (or something in between) answered with a body that is not JSON."""


class _GuardedSession(requests.Session):
    """A requests session with a default timeout that insists on JSON answers."""

    def __init__(
        self, *, timeout: float, verify: str | bool, observe: CallObserver | None = None,
        connections: int = 16,
    ) -> None:
        super().__init__()
        self._timeout = timeout
        self._verify = verify
        self._observe = observe
        # keep as many connections as threads may use at once: urllib3's default keeps 10,
        # so with more threads busy each extra call paid a new TLS handshake
        adapter = HTTPAdapter(max_retries=0, pool_maxsize=connections)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self._timeout)
        kwargs["verify"] = self._verify  # explicit: REQUESTS_CA_BUNDLE must not override it
        kwargs["allow_redirects"] = False
        started = time.perf_counter()
        try:
            response = super().request(method, url, *args, **kwargs)
        except BaseException:
            if self._observe is not None:
                self._observe(url, time.perf_counter() - started, False)
            raise
        if self._observe is not None:
            self._observe(url, time.perf_counter() - started, True)
        if response.status_code < 500:
            try:
                json.loads(response.text)
            except ValueError:
                response.close()
                raise UpstreamMalformed("answer is not JSON") from None
        return response


class _KeepNothingCache(msal.TokenCache):
    """A token cache that never stores: MSAL's `acquire_token_*` results are returned to us
    and must not be found by `acquire_token_silent` for another user."""

    def add(self, event: dict[str, Any], now: float | None = None, **kwargs: Any) -> None:
        return None


class _RemembersNothing(MutableMapping[str, Any]):
    """MSAL's `http_cache` (documented as any dict-like): every write is forgotten, so its
    throttle and its error cache never answer in Microsoft's place."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        return None

    def __delitem__(self, key: str) -> None:
        return None

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


class AppRegistry:
    """Builds and keeps the apps; safe to call from several worker threads at once."""

    def __init__(
        self, *, ca_bundle: str | None, timeout: float, observe: CallObserver | None = None,
        connections: int = 16,
    ) -> None:
        self._verify: str | bool = ca_bundle or True
        self._connections = connections
        self._timeout = timeout
        self._observe = observe
        self._apps: dict[str, msal.ConfidentialClientApplication] = {}
        self._sessions: list[requests.Session] = []
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def app(self, config: AuthorityConfig, authority_url: str) -> msal.ConfidentialClientApplication:
        """The app for `authority_url` (the config's authority, or its reset policy).
        Blocking: call it from a worker thread."""
        key = f"{config.name}|{authority_url}"
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one build per app; other apps are not held up by a slow discovery
            app = self._apps.get(key)
            if app is None:
                session = _GuardedSession(timeout=self._timeout, verify=self._verify,
                                          observe=self._observe, connections=self._connections)
                with self._guard:
                    self._sessions.append(session)
                app = msal.ConfidentialClientApplication(
                    config.client_id,
                    client_credential=config.client_secret,
                    authority=authority_url,
                    instance_discovery=False,  # our authorities are configured, not looked up
                    http_client=session,
                    token_cache=_KeepNothingCache(),
                    http_cache=_RemembersNothing(),
                )
                self._apps[key] = app
            return app

    def sessions(self) -> tuple[requests.Session, ...]:
        """The HTTP sessions of the apps built so far (one per app)."""
        with self._guard:
            return tuple(self._sessions)

    def close(self) -> None:
        """Close every app's HTTP session: its keep-alive connections to Microsoft end now
        rather than when the process does (a server on the other side, such as the demo's
        sandbox, would otherwise wait for them at its own shutdown)."""
        for session in self.sessions():
            session.close()
