"""MSAL `ConfidentialClientApplication`s: one per authority (and per reset policy), built
once, lazily, in a worker thread (MSAL's constructor fetches the discovery document).

Each app gets an HTTP session with an explicit timeout and the configured CA bundle, which
refuses non-JSON answers (so a proxy's HTML page is "Microsoft unavailable", never mistaken
for a malformed ID token), and a token cache that keeps nothing: user tokens go to the
caller, never into a cache another user's request could read.
"""
from __future__ import annotations

import json
import threading
from typing import Any

import msal
import requests
from requests.adapters import HTTPAdapter

from adapters.msal.config import AuthorityConfig


class UpstreamMalformed(requests.RequestException):
    """Microsoft (or something in between) answered with a body that is not JSON."""


class _GuardedSession(requests.Session):
    """A requests session with a default timeout that insists on JSON answers."""

    def __init__(self, *, timeout: float, verify: str | bool) -> None:
        super().__init__()
        self._timeout = timeout
        self._verify = verify
        adapter = HTTPAdapter(max_retries=0)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self._timeout)
        kwargs["verify"] = self._verify  # explicit: REQUESTS_CA_BUNDLE must not override it
        kwargs["allow_redirects"] = False
        response = super().request(method, url, *args, **kwargs)
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

    def add(self, event: dict[str, Any], **kwargs: Any) -> None:
        return None


class AppRegistry:
    """Builds and keeps the apps; safe to call from several worker threads at once."""

    def __init__(self, *, ca_bundle: str | None, timeout: float) -> None:
        self._verify: str | bool = ca_bundle or True
        self._timeout = timeout
        self._apps: dict[str, msal.ConfidentialClientApplication] = {}
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
                app = msal.ConfidentialClientApplication(
                    config.client_id,
                    client_credential=config.client_secret,
                    authority=authority_url,
                    instance_discovery=False,  # our authorities are configured, not looked up
                    http_client=_GuardedSession(timeout=self._timeout, verify=self._verify),
                    token_cache=_KeepNothingCache(),
                )
                self._apps[key] = app
            return app
