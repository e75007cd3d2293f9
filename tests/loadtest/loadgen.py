"""A bounded asyncio load generator: complete browser logins through the Azure sandbox
(about 30 % new users, 70 % returning) and token checks, every request timed.

Open loop: arrivals are scheduled at `rate` per second whatever the answers, so a slow
server shows as latency and errors rather than as a lower offered rate; `max_inflight`
bounds the open work (an arrival finding it full is counted as `dropped`, a sign the
generator, not the server, would have been waiting), and `duration` bounds the time."""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .wire import Answer, Browser, Client, WireError

FRONTEND = "http://localhost:3001"
META_REFRESH = re.compile(r"URL=([^'\"]+)['\"]", re.IGNORECASE)


@dataclass
class Sample:
    at: float  # seconds since the run started (when the request was sent)
    name: str  # login | authorize | redirect | verify | me | flow (a whole login)
    status: int  # HTTP status; 0 for a transport error
    latency: float  # seconds
    target: str = ""
    retry_after: bool = False  # the answer said when to come back


@dataclass
class Recorder:
    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    dropped: int = 0

    def now(self) -> float:
        return time.monotonic() - self.started

    async def timed(self, name: str, target: str, call: Awaitable[Answer]) -> Answer | None:
        sent = self.now()
        try:
            answer = await call
        except WireError:
            self.samples.append(Sample(sent, name, 0, self.now() - sent, target))
            return None
        self.samples.append(
            Sample(sent, name, answer.status_code, self.now() - sent, target, "retry-after" in answer.headers)
        )
        return answer


@dataclass
class Users:
    """The users the sandbox knows: `new()` adds one through its hook (not timed: that is
    the test's set-up, not Microsoft's work), `returning()` picks one signed in before."""

    sandbox: Client
    base: str
    tenant: str = "contoso"
    domain: str = "contoso.com"
    known: list[str] = field(default_factory=list)

    async def new(self) -> str:
        name = f"lt-{uuid.uuid4().hex[:12]}@{self.domain}"
        answer = await self.sandbox.post(
            self.base + "/_sandbox/users",
            json={"username": name, "tenant": self.tenant, "email": name, "display_name": name.split("@")[0]},
        )
        if answer.status_code >= 400:
            raise RuntimeError(f"the sandbox refused a user: {answer.status_code}")
        return name

    def returning(self) -> str | None:
        return random.choice(self.known) if self.known else None


@dataclass
class Target:
    """A service (or the peer) the generator drives: where logins start and callbacks land."""

    name: str
    bases: list[str]  # one or more processes; logins alternate start/finish between them
    start_path: str = "/login/aad"
    start_params: dict[str, str] = field(
        default_factory=lambda: {"frontendHost": FRONTEND, "provider": "aad"}
    )
    done: Callable[[Answer], bool] = lambda r: (
        r.status_code == 302 and r.headers.get("location", "").startswith(FRONTEND)
    )
    callback_path: str = "/redirect"
    token_checks: bool = True


def _own(answer: Answer, base: str) -> bool:
    """The answer sends the browser to a page of the same app (relative or at `base`)."""
    where = answer.headers.get("location", "")
    return where.startswith("/") or where.startswith(base + "/")


def _token(answer: Answer) -> str | None:
    parts = urlsplit(answer.headers.get("location", ""))
    found = parse_qs(parts.fragment) or parse_qs(parts.query)
    values = found.get("access_token")
    return values[0] if values else None


class Generator:
    def __init__(
        self,
        target: Target,
        sandbox_base: str,
        ca: Path,
        recorder: Recorder | None = None,
        new_share: float = 0.3,
        connections: int = 200,
        retry_shed: bool = False,
    ) -> None:
        self.target = target
        self.recorder = recorder or Recorder()
        self.new_share = new_share
        # as a browser does with the shed page's Refresh: wait Retry-After, ask again (twice
        # at most); off in open-loop runs, where every arrival is one attempt
        self.retry_shed = retry_shed
        self._verify = ssl.create_default_context(cafile=str(ca))
        self.microsoft_base = sandbox_base
        self.microsoft = Client(self._verify, timeout=30, keep=connections)
        # One pool of connections to the service; each login's browser is a client of its own
        # on it (its own cookie jar), token checks use `service` (no cookies kept between).
        self.service = Client(timeout=30, keep=connections)
        self.users = Users(self.microsoft, sandbox_base)
        self.tokens: list[str] = []
        self._turn = 0

    async def aclose(self) -> None:
        await self.microsoft.aclose()
        await self.service.aclose()

    def _bases(self) -> tuple[str, str]:
        bases = self.target.bases
        self._turn += 1
        return bases[self._turn % len(bases)], bases[(self._turn + 1) % len(bases)]

    async def login(self) -> str | None:
        """One complete login as a browser does it; the token it landed with, or None."""
        rec, target = self.recorder, self.target
        username = self.users.returning() if random.random() >= self.new_share else None
        if username is None:
            username = await self.users.new()
        start_at, finish_at = self._bases()
        flow_started = rec.now()
        browser = Browser(self.service)  # its own cookies, the shared connections
        first = await self._retrying_shed(
            "login", lambda: browser.get(start_at + target.start_path, params=target.start_params)
        )
        token = None
        if first is not None and self._refused(first, "login"):
            first = None
        authorize = None
        if first is not None and first.status_code in (302, 303):
            authorize = first.headers["location"]
        elif first is not None and first.status_code == 200:  # the peer's page: <meta refresh>
            found = META_REFRESH.search(first.text)
            authorize = html.unescape(found.group(1)) if found else None
        if authorize is not None and authorize.startswith(self.microsoft_base):
            form = await rec.timed(
                "authorize",
                target.name,
                self.microsoft.post(authorize, data={"username": username, "action": "signin"}),
            )
            if form is not None and form.status_code == 302:
                reply = urlsplit(form.headers["location"])
                callback = finish_at + target.callback_path + "?" + (reply.query or reply.fragment)
                back = await self._retrying_shed("redirect", lambda: browser.get(callback))
                if back is not None and not self._refused(back, "redirect"):
                    if target.done(back):
                        token = _token(back) or ("signed-in" if target.name != "service" else None)
                    elif back.status_code in (302, 303) and _own(back, finish_at):
                        # the peer lands on its own page first (its Graph read)
                        where = back.headers["location"]
                        page = await rec.timed(
                            "landing",
                            target.name,
                            browser.get(finish_at + where if where.startswith("/") else where),
                        )
                        landed = (
                            page is not None
                            and page.status_code == 200
                            and '"graph_status":200' in (page.text.replace(" ", ""))
                        )
                        token = "signed-in" if landed else None
        status = 200 if token else 599
        rec.samples.append(Sample(flow_started, "flow", status, rec.now() - flow_started, target.name))
        if token:
            self.users.known.append(username)
            if token != "signed-in":
                self.tokens.append(token)
                del self.tokens[:-500]
        return token

    async def _retrying_shed(self, name: str, ask: Callable[[], Awaitable[Answer]]) -> Answer | None:
        answer = await self.recorder.timed(name, self.target.name, ask())
        for _ in range(2 if self.retry_shed else 0):
            if answer is None or answer.status_code not in (429, 503) or "retry-after" not in answer.headers:
                break
            await asyncio.sleep(float(answer.headers["retry-after"]))
            answer = await self.recorder.timed(name, self.target.name, ask())
        return answer

    def _refused(self, answer: Answer, step: str) -> bool:
        """The service sent the browser back to the frontend with `error=` (its fail-closed
        answer, e.g. temporarily_unavailable): recorded as a `refused` sample, status 503."""
        location = answer.headers.get("location", "")
        if answer.status_code in (302, 303) and location.startswith(FRONTEND) and "error=" in location:
            error = (parse_qs(urlsplit(location).query) or parse_qs(urlsplit(location).fragment)).get(
                "error", ["?"]
            )[0]
            self.recorder.samples.append(Sample(self.recorder.now(), "refused", 503, 0.0, f"{step}:{error}"))
            return True
        return False

    async def check(self) -> None:
        """One token check: `/auth/verify` or `/me` with a token a login landed with."""
        if not self.tokens:
            return
        token = random.choice(self.tokens)
        base = random.choice(self.target.bases)
        path = random.choice(("/auth/verify", "/me"))
        await self.recorder.timed(
            path.rsplit("/", 1)[1],
            self.target.name,
            self.service.get(base + path, headers={"Authorization": f"Bearer {token}"}),
        )

    async def run(
        self, work: Callable[[], Awaitable[Any]], rate: float, duration: float, max_inflight: int = 64
    ) -> None:
        """Start `work()` `rate` times a second for `duration` seconds (at most `max_inflight`
        open at once), then wait for the open ones (bounded by the clients' 30 s timeout)."""
        if rate <= 0 or duration <= 0:
            return
        open_work: set[asyncio.Task[Any]] = set()
        started = time.monotonic()
        count = int(rate * duration)
        for n in range(count):
            due = started + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if len(open_work) >= max_inflight:
                self.recorder.dropped += 1
                continue
            task = asyncio.create_task(work())
            open_work.add(task)
            task.add_done_callback(open_work.discard)
        if open_work:
            await asyncio.wait(open_work, timeout=35)


async def closed_loop(work: Callable[[], Awaitable[Any]], concurrency: int, duration: float) -> None:
    """`concurrency` workers each doing `work()` back to back until `duration` has passed
    (a saturation measurement: logins/s at N concurrent logins)."""
    end = time.monotonic() + duration

    async def worker() -> None:
        while time.monotonic() < end:
            await work()

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), duration + 35)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarize(samples: list[Sample], *, since: float = 0, until: float = float("inf")) -> dict[str, Any]:
    chosen = [s for s in samples if since <= s.at < until]
    names = sorted({s.name for s in chosen})
    span = max((s.at for s in chosen), default=0) - min((s.at for s in chosen), default=0) or 1
    out: dict[str, Any] = {}
    for name in names:
        group = [s for s in chosen if s.name == name]
        ok = [s.latency for s in group if 0 < s.status < 400]
        out[name] = {
            "count": len(group),
            "rate": round(len(group) / span, 2),
            "p50_ms": round(percentile(ok, 0.5) * 1000, 1),
            "p95_ms": round(percentile(ok, 0.95) * 1000, 1),
            "p99_ms": round(percentile(ok, 0.99) * 1000, 1),
            "errors": sum(1 for s in group if s.status == 0 or s.status >= 400),
            "5xx": sum(1 for s in group if s.status >= 500 and s.name != "flow"),
            "transport_errors": sum(1 for s in group if s.status == 0),
            "statuses": {
                str(k): sum(1 for s in group if s.status == k) for k in sorted({s.status for s in group})
            },
        }
    return out


def write_run(
    folder: Path,
    name: str,
    samples: list[Sample],
    summary: dict[str, Any],
    windows: list[tuple[float, float, str]] | None = None,
) -> tuple[Path, Path]:
    """The run's JSON summary and its PNG (rate, p50/p95/p99 of whole logins, errors per second)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / f"{name}.json"
    data.write_text(json.dumps({"scenario": name, **summary, "windows": windows or []}, indent=2))
    plot = folder / f"{name}.png"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    end = int(max((s.at for s in samples), default=0)) + 1
    width = max(1, end // 150)  # seconds per point: at most ~150 points whatever the length
    bins = end // width + 1
    seconds = [b * width for b in range(bins)]
    flows: list[list[Sample]] = [[] for _ in range(bins)]
    checks, errors = [0] * bins, [0] * bins
    for s in samples:  # one pass: a 30-minute run has ~10^5 samples
        b = int(s.at) // width
        if s.name == "flow":
            flows[b].append(s)
            continue
        if s.name in ("verify", "me"):
            checks[b] += 1
        if s.status == 0 or s.status >= 400:
            errors[b] += 1
    checks = [c / width for c in checks]
    errors = [e / width for e in errors]
    figure, (top, middle, bottom) = plt.subplots(3, 1, figsize=(10, 8), sharex=True)
    top.plot(seconds, [len(f) / width for f in flows], label="logins started/s")
    top.plot(seconds, checks, label="token checks/s")
    top.set_ylabel("per second")
    top.legend(loc="upper right")
    for share, label in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
        middle.plot(
            seconds,
            [percentile([s.latency * 1000 for s in f if s.status < 400], share) for f in flows],
            label=label,
        )
    middle.set_ylabel("whole login, ms")
    middle.legend(loc="upper right")
    bottom.bar(seconds, errors, width=0.8 * width, color="tab:red", label="errors/s (status >= 400 or none)")
    bottom.set_ylabel("errors/s")
    bottom.set_xlabel("seconds")
    bottom.legend(loc="upper right")
    for start, stop, label in windows or []:
        for axis in (top, middle, bottom):
            axis.axvspan(start, stop, color="grey", alpha=0.2)
        top.annotate(label, (start, 0), fontsize=8)
    figure.suptitle(name)
    figure.tight_layout()
    figure.savefig(plot, dpi=80)
    plt.close(figure)
    return data, plot
