"""Prometheus metrics of one service process (prometheus-client), and their exposition.

Every label value comes from a closed set the service chooses (authority names from the
settings, error codes, route templates, a call kind): never a user id, an email, a token or a
raw path, so an attacker cannot mint series and no series names a person.

Each `Metrics` has a registry of its own (tests build many apps in one process). Under
`azure-signin serve` the values live in prometheus-client's multiprocess files
(`PROMETHEUS_MULTIPROC_DIR`, which `serve` sets to a fresh folder), so any worker, and the
`serve` process itself on `SIGNIN_METRICS_PORT`, answers for all workers at once.
"""
from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # the route label of every request that matched no route
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Forward-auth and /me answer a token check with these statuses only (verify.refusal).
CHECK_RESULTS = {200: "valid", 400: "invalid_request", 401: "invalid_token", 403: "access_denied",
                 503: "temporarily_unavailable"}
TOKEN_CHECK_ROUTES = {"/auth/verify": "verify", "/auth/verify/{original}": "verify", "/me": "me"}
# Microsoft answers in tens to hundreds of ms; the service's own routes in well under one.
REQUEST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
MICROSOFT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15)
_TOKEN_PATH = re.compile(r"/token/?$")


def call_kind(url: str) -> str:
    """Which call to Microsoft a URL is: `discovery`, `keys`, `token` or `graph`. Decided on
    the path alone, so the label set stays closed whatever the authority's host."""
    path = url.split("?", 1)[0]
    if path.endswith("/.well-known/openid-configuration"):
        return "discovery"
    if path.endswith("/keys") or "/discovery/" in path:
        return "keys"
    if _TOKEN_PATH.search(path):
        return "token"
    return "graph"


class Metrics:
    """The service's counters, gauges and histograms, and `render()` for `/metrics`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.logins = Counter(
            "azure_signin_logins", "Logins that ended, by authority and result "
            "(succeeded, or the error code the frontend got)", ["authority", "result"], registry=r)
        self.token_checks = Counter(
            "azure_signin_token_checks", "Bearer token checks, by endpoint and result",
            ["endpoint", "result"], registry=r)
        self.requests = Histogram(
            "azure_signin_request_duration_seconds", "Time to answer a request, by route template "
            f"({UNMATCHED!r} for no route), method and status class",
            ["route", "method", "status"], buckets=REQUEST_BUCKETS, registry=r)
        self.microsoft = Histogram(
            "azure_signin_microsoft_request_duration_seconds", "Time of one HTTP call to Microsoft "
            "(discovery, keys, token, graph), failed calls included", ["call", "outcome"],
            buckets=MICROSOFT_BUCKETS, registry=r)
        self.shed = Counter(
            "azure_signin_signins_shed", "Sign-in requests refused with 503 because the process "
            "had SIGNIN_MAX_SIGNINS_IN_FLIGHT in hand, by route", ["route"], registry=r)
        self.revoked = Counter(
            "azure_signin_sessions_revoked", "Sessions closed by this process, by why",
            ["reason"], registry=r)
        self.pool_in_use = Gauge(
            "azure_signin_db_pool_connections_in_use", "Database connections checked out "
            "(summed over live processes)", registry=r, multiprocess_mode="livesum")
        self.pool_size = Gauge(
            "azure_signin_db_pool_size", "Database connections kept open per pool "
            "(SIGNIN_DATABASE_POOL_SIZE; summed over live processes)", registry=r,
            multiprocess_mode="livesum")
        self.microsoft_up = Gauge(
            "azure_signin_microsoft_up", "1 when the authority's discovery answered at the last "
            "readiness check, else 0 (sign-ins to it cannot start; the service stays ready)",
            ["authority"], registry=r, multiprocess_mode="livemostrecent")
        # label children by their values: labels() hashes, validates and locks each time
        self._children: dict[tuple[str, ...], Any] = {}

    # -- recording (each O(1): a dict look-up and a locked add) ------------------------------

    def request_done(self, route: str | None, method: str, status: int, seconds: float) -> None:
        """One answered request. `route` is the template Litestar matched (never the path)."""
        key = (route or UNMATCHED, method if method in METHODS else "OTHER",
               f"{status // 100}xx" if status else "none")
        child = self._children.get(key)
        if child is None:  # the set of keys is small and closed
            child = self._children[key] = self.requests.labels(*key)
        child.observe(seconds)
        endpoint = TOKEN_CHECK_ROUTES.get(key[0])
        if endpoint is not None:
            check = ("check", endpoint, CHECK_RESULTS.get(status, "other"))
            counter = self._children.get(check)
            if counter is None:
                counter = self._children[check] = self.token_checks.labels(*check[1:])
            counter.inc()

    def signin_shed(self, route: str) -> None:
        self.shed.labels(route).inc()

    def login_ended(self, authority: str, result: str) -> None:
        self.logins.labels(authority, result).inc()

    def token_checked(self, endpoint: str, result: str) -> None:
        self.token_checks.labels(endpoint, result).inc()

    def microsoft_call(self, url: str, seconds: float, ok: bool) -> None:
        """One HTTP call to Microsoft (the adapters' HTTP clients call this)."""
        self.microsoft.labels(call_kind(url), "answered" if ok else "failed").observe(seconds)

    def sessions_revoked(self, reason: str, count: int = 1) -> None:
        if count:
            self.revoked.labels(reason).inc(count)

    def microsoft_reported(self, verdicts: dict[str, str]) -> None:
        """Readiness's verdict per authority (by its configured name)."""
        for authority, verdict in verdicts.items():
            self.microsoft_up.labels(authority).set(1 if verdict == "ok" else 0)

    def pool_changed(self, in_use: int, size: int) -> None:
        self.pool_in_use.set(in_use)
        self.pool_size.set(size)

    # -- exposition -----------------------------------------------------------------------

    def render(self) -> bytes:
        """The text exposition: every worker's values in multiprocess mode, else this one's."""
        return render(self.registry)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class _LiveProcesses(MultiProcessCollector):
    """The multiprocess files, after forgetting the live gauges of workers that died (a
    restarted worker would otherwise be counted twice in `livesum`)."""

    def collect(self) -> Iterable[Any]:
        folder = multiprocess_dir()
        if folder:
            for path in glob.glob(os.path.join(folder, "gauge_live*_*.db")):
                pid = int(path.rsplit("_", 1)[1].split(".")[0])
                if not _alive(pid):
                    mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]
        return super().collect()  # type: ignore[no-untyped-call,no-any-return]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exposition_registry(own: CollectorRegistry | None = None) -> CollectorRegistry:
    """What `/metrics` shows: all processes' files in multiprocess mode, else `own`."""
    folder = multiprocess_dir()
    if folder is None:
        if own is None:
            raise ValueError("no registry and no multiprocess folder")
        return own
    registry = CollectorRegistry()
    _LiveProcesses(registry, path=folder)  # type: ignore[no-untyped-call]
    return registry


def render(own: CollectorRegistry | None = None) -> bytes:
    return bytes(generate_latest(exposition_registry(own)))


def serve_metrics(host: str, port: int, own: CollectorRegistry | None = None) -> Any:
    """A small HTTP server (a daemon thread) answering the exposition on `host:port`;
    returns it (`.shutdown()` stops it). Raises OSError when the port is taken."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr=host, registry=exposition_registry(own))
    return server
