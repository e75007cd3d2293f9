"""Scenarios G1–G5 of issue 16 and the 60-second smoke. Each is a function whose duration
and rate are parameters (defaults: the issue's values); each prints one line with its
figure and its verdict, and writes `<name>.json` and `<name>.png` under var/loadtest/<run>/."""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import redis.asyncio as aioredis

from .loadgen import Generator, Recorder, Sample, Target, closed_loop, summarize, write_run
from .topology import ROOT, Topology

OUT = ROOT / "var" / "loadtest"
# The last full run's figures on this machine kind (docs/reliability.md): the smoke's limits.
REFERENCE = Path(__file__).with_name("reference.json")
RECOVERY_S = 5.0  # after the dependency's return, errors must stop within this


@dataclass
class Verdict:
    name: str
    figure: str
    ok: bool
    details: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return f"{self.name}: {self.figure} -> {'PASS' if self.ok else 'FAIL'}"


@contextlib.contextmanager
def topology(run: Path, latency: tuple[int, int] = (50, 150)) -> Iterator[Topology]:
    topo = Topology(run / "topology", latency=latency)
    try:
        yield topo.start()
    finally:
        topo.stop()


def generator(topo: Topology, *, retry_shed: bool = False) -> Generator:
    # the same list object: a process restarted in place is driven at its new port
    return Generator(Target("service", topo.bases), topo.sandbox_base, topo.ca, retry_shed=retry_shed)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the database after the run: no half-written sign-in ------------------------------
HALF_WRITTEN = {
    # a user the run created but no account (issuer, object id) joined to it
    "users_without_account": "SELECT count(*) FROM users u WHERE u.created_at >= $1 AND NOT EXISTS "
    "(SELECT 1 FROM user_accounts a WHERE a.user_id = u.id)",
    # one Microsoft identity on two accounts (a sign-in written twice)
    "duplicate_identities": "SELECT count(*) FROM (SELECT issuer, object_id FROM user_accounts "
    "GROUP BY issuer, object_id HAVING count(*) > 1) d",
    # a session of a user who has no account
    "sessions_without_account": "SELECT count(*) FROM sessions s WHERE s.created_at >= $1 AND NOT EXISTS "
    "(SELECT 1 FROM user_accounts a WHERE a.user_id = s.user_id)",
    # an account the run created whose user has no session at all (the sign-in stopped
    # between writing the account and opening its session)
    "accounts_without_session": "SELECT count(*) FROM user_accounts a WHERE a.created_at >= $1 "
    "AND NOT EXISTS "
    "(SELECT 1 FROM sessions s WHERE s.user_id = a.user_id)",
}


async def half_written(database_url: str, since: float, landed: list[str]) -> dict[str, int]:
    import datetime as dt

    moment = dt.datetime.fromtimestamp(since, dt.UTC)
    connection = await asyncpg.connect(database_url)
    try:
        found = {}
        for name, query in HALF_WRITTEN.items():
            found[name] = int(await connection.fetchval(query, *([moment] if "$1" in query else [])))
        # every user who landed with a token has an account in the database
        emails = {
            row[0]
            for row in await connection.fetch(
                "SELECT lower(email) FROM user_accounts WHERE email LIKE 'lt-%'"
            )
        }
        found["landed_without_account"] = len({u.lower() for u in landed} - emails)
        return found
    finally:
        await connection.close()


# -- figures --------------------------------------------------------------------------
def errors_in(
    samples: list[Sample],
    since: float = 0,
    until: float = float("inf"),
    names: tuple[str, ...] = ("login", "authorize", "redirect", "verify", "me", "refused", "landing"),
) -> list[Sample]:
    return [
        s for s in samples if since <= s.at < until and s.name in names and (s.status == 0 or s.status >= 400)
    ]


def recovery_seconds(samples: list[Sample], returned_at: float) -> float:
    """Seconds from the dependency's return to the last error sent after it (0: none)."""
    late = errors_in(samples, since=returned_at)
    return max((s.at - returned_at for s in late), default=0.0)


def finish(
    run: Path,
    verdict: Verdict,
    recorder: Recorder,
    windows: list[tuple[float, float, str]],
    extra: dict[str, Any] | None = None,
) -> Verdict:
    summary = {
        "verdict": verdict.ok,
        "figure": verdict.figure,
        "details": verdict.details,
        "requests": summarize(recorder.samples),
        "dropped_by_generator": recorder.dropped,
        **(extra or {}),
    }
    write_run(run, verdict.name, recorder.samples, summary, windows)
    print(verdict.line(), flush=True)
    return verdict


async def drive(
    gen: Generator,
    login_rate: float,
    check_rate: float,
    duration: float,
    during: Callable[[], Awaitable[Any]] | None = None,
) -> Any:
    """Logins and token checks at their rates for `duration`, with `during()` run beside."""
    jobs = [gen.run(gen.login, login_rate, duration)]
    if check_rate:
        jobs.append(gen.run(gen.check, check_rate, duration, max_inflight=128))
    side = asyncio.create_task(during()) if during else None
    await asyncio.gather(*jobs)
    return await side if side else None


# -- G1: the knee, then 60 % of it ------------------------------------------------------
async def find_knee(topo: Topology, rates: tuple[float, ...], step_s: float, p95_limit: float = 0.5) -> float:
    """The highest step that held; when even the first did not, half of it (printed)."""
    knee = rates[0] / 2
    warm = generator(topo)  # cold start (first connections, first users) is not a step's
    await warm.run(warm.login, rates[0], min(step_s, 10))
    await warm.aclose()
    for rate in rates:
        gen = generator(topo)
        await gen.run(gen.login, rate, step_s)
        await gen.aclose()
        redirects = [s.latency for s in gen.recorder.samples if s.name == "redirect" and s.status < 400]
        failed = errors_in(gen.recorder.samples)
        from .loadgen import percentile

        p95 = percentile(redirects, 0.95)
        print(f"  knee step {rate:g}/s: redirect p95 {p95 * 1000:.0f} ms, {len(failed)} errors", flush=True)
        if p95 > p95_limit or len(failed) > 0.01 * max(1, len(redirects)) or gen.recorder.dropped:
            break
        knee = rate
    return knee


async def g1(
    run: Path,
    topo: Topology,
    duration: float = 600,
    rate: float | None = None,
    knee_rates: tuple[float, ...] = (2, 4, 6, 8, 12, 16, 24, 32, 48, 64),
    step_s: float = 20,
    check_rate: float = 0,
    p95_limits_ms: dict[str, float] | None = None,
) -> Verdict:
    """The knee (unless `rate` is given), then `duration` at 60 % of it (or at `rate`), with
    `check_rate` token checks a second beside; `p95_limits_ms` (the smoke's) bounds the p95
    of request kinds (`redirect`, `verify`, `me`) too."""
    knee = rate / 0.6 if rate else await find_knee(topo, knee_rates, step_s)
    hold = rate or round(0.6 * knee, 1)
    gen = generator(topo)
    rss_before = topo.rss_kib()
    client = aioredis.Redis.from_url(topo.redis.url)  # type: ignore[union-attr]
    keys: list[int] = []

    all_keys: list[int] = []

    async def watch() -> None:
        # the flow store's keys (`signin:flow:<state>`): one per login started and not yet
        # finished, alive at most the flow lifetime; sessions' cache entries live as long as
        # their sessions, so the whole database grows with every login (reported beside)
        end = time.monotonic() + duration
        while time.monotonic() < end:
            keys.append(sum([1 async for _ in client.scan_iter(match="*flow:*", count=1000)]))
            all_keys.append(int(await client.dbsize()))
            await asyncio.sleep(2)

    cpu = cpu_seconds()
    await drive(gen, hold, check_rate, duration, watch)
    cpu = cpu_seconds() - cpu
    await client.aclose()
    await gen.aclose()
    rss_after = topo.rss_kib()
    samples = gen.recorder.samples
    flows = [s for s in samples if s.name == "flow"]
    failed = errors_in(samples)
    fivexx = [s for s in failed if s.status >= 500]
    growth = max((a - b) / b for a, b in zip(rss_after, rss_before, strict=True))
    lifetime = 600
    key_bound = hold * lifetime  # flows alive at once, at most
    share = len(failed) / max(1, len(samples))
    kinds = summarize(samples)
    p95 = kinds.get("redirect", {}).get("p95_ms")
    over = {
        name: kinds.get(name, {}).get("p95_ms", float("nan"))
        for name, limit in (p95_limits_ms or {}).items()
        if not kinds.get(name, {}).get("p95_ms", float("inf")) <= limit  # nan (none seen) fails
    }
    ok = (
        not fivexx and share < 0.001 and growth < 0.10 and max(keys, default=0) <= key_bound and not over
    )
    limits = "".join(
        f", {name} p95 {kinds.get(name, {}).get('p95_ms')} ms (limit {limit:g})"
        for name, limit in (p95_limits_ms or {}).items()
    )
    figure = (
        f"{'knee not searched (rate given)' if rate else f'knee {knee:g} logins/s'}, "
        f"held {hold:g}/s for {duration:g} s: {len(flows)} logins, redirect p95 "
        f"{p95} ms, {len(fivexx)} 5xx, errors {share:.3%}, RSS +{growth:.1%}, Redis keys max "
        f"{max(keys, default=0)} flows (bound {key_bound:g}; all keys {max(all_keys, default=0)}){limits}, "
        f"generator CPU {cpu / max(1, len(samples)) * 1000:.2f} ms/request"
    )
    return finish(
        run,
        Verdict(
            "G1",
            figure,
            ok,
            {
                "knee": knee,
                "hold": hold,
                "rss_growth": growth,
                "generator_cpu_ms_per_request": cpu / max(1, len(samples)) * 1000,
            },
        ),
        gen.recorder,
        [],
    )


# -- G2: token checks at the knee -------------------------------------------------------
async def g2(
    run: Path, topo: Topology, duration: float = 60, rate: float = 200, p95_limit_ms: float = 50
) -> Verdict:
    gen = generator(topo)
    await gen.run(gen.login, 4, 5)  # some tokens to check
    gen.recorder = Recorder()
    pids = [topo.pid(i) for i in range(len(topo.processes))]
    cpu, served = cpu_seconds(), process_cpu_seconds(pids)
    await gen.run(gen.check, rate, duration, max_inflight=256)
    cpu, served = cpu_seconds() - cpu, process_cpu_seconds(pids) - served
    await gen.aclose()
    summary = summarize(gen.recorder.samples)
    p95 = max(summary.get("verify", {}).get("p95_ms", 0), summary.get("me", {}).get("p95_ms", 0))
    failed = errors_in(gen.recorder.samples)
    ok = p95 <= p95_limit_ms and not failed and not gen.recorder.dropped
    figure = (
        f"{rate:g} checks/s for {duration:g} s: p95 {p95} ms (limit {p95_limit_ms:g}), {len(failed)} errors, "
        f"{gen.recorder.dropped} dropped, "
        f"service CPU {served / max(1, len(gen.recorder.samples)) * 1000:.2f} ms/check, "
        f"generator CPU {cpu / max(1, len(gen.recorder.samples)) * 1000:.2f} ms/request"
    )
    return finish(run, Verdict("G2", figure, ok), gen.recorder, [])


# -- G3: a burst of 5x -----------------------------------------------------------------
async def g3(run: Path, topo: Topology, rate: float = 8, burst_s: float = 30, after_s: float = 30) -> Verdict:
    gen = generator(topo)
    await gen.run(gen.login, rate * 5, burst_s, max_inflight=512)
    burst_end = gen.recorder.now()
    await gen.run(gen.login, rate, after_s)
    await gen.aclose()
    samples = gen.recorder.samples
    shed = [s for s in samples if s.status in (429, 503)]
    other_errors = [s for s in errors_in(samples) if s.status not in (429, 503)]
    without_retry_after = [s for s in shed if not s.retry_after]
    alive = all(p.popen is not None and p.popen.poll() is None for p in topo.processes)
    back = recovery_seconds(samples, burst_end)
    ok = alive and not other_errors and not without_retry_after and back <= after_s
    overloaded = bool(shed or other_errors) or summarize(samples).get("redirect", {}).get("p95_ms", 0) > 500
    figure = (
        f"{rate * 5:g}/s for {burst_s:g} s: {len(shed)} shed (429/503), {len(without_retry_after)} "
        f"without Retry-After, {len(other_errors)} other errors, processes alive: {alive}, "
        f"normal again {back:.1f} s after"
        + ("" if overloaded else " (the burst did not overload: raise the rate)")
    )
    return finish(run, Verdict("G3", figure, ok), gen.recorder, [(0, burst_end, "burst")])


# -- G4: soak -------------------------------------------------------------------------
async def g4(
    run: Path,
    topo: Topology,
    duration: float = 1800,
    rate: float = 4,
    check_rate: float = 20,
    every_s: float = 10,
    warm_s: float = 120,
) -> Verdict:
    """`duration` at `rate` logins/s and `check_rate` checks/s, sampling both processes' RSS
    and descriptors and the PostgreSQL and Redis connections every `every_s`; each must end
    within 10 % of its first third's peak. Measured after `warm_s` at twice the rate (the G1
    hold): pools open connections as concurrency first asks for them and keep them (a
    QueuePool up to its size), so a cold start would read as growth; warmed up at a higher
    rate than the soak's, what grows afterwards is a leak."""
    warm = generator(topo)
    await drive(warm, 2 * rate, check_rate, warm_s)
    await warm.aclose()
    gen = generator(topo)
    series: list[dict[str, Any]] = []
    client = aioredis.Redis.from_url(topo.redis.url)  # type: ignore[union-attr]
    database = await asyncpg.connect(topo.database_url)
    name = topo.database_url.rsplit("/", 1)[1]

    async def watch() -> None:
        end = time.monotonic() + duration
        while time.monotonic() < end:
            info = await client.info("clients")
            pg = await database.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name)
            series.append(
                {
                    "at": gen.recorder.now(),
                    "rss_kib": sum(topo.rss_kib()),
                    "fds": sum(topo.fds()),
                    "pg_connections": int(pg) - 1,
                    "redis_clients": int(info["connected_clients"]) - 1,
                }
            )
            await asyncio.sleep(every_s)

    await drive(gen, rate, check_rate, duration, watch)
    await client.aclose()
    await database.close()
    await gen.aclose()
    third = max(1, len(series) // 3)
    growth = {}
    for key in ("rss_kib", "fds", "pg_connections", "redis_clients"):
        first = max(1, max(row[key] for row in series[:third]))
        last = max(row[key] for row in series[-third:])
        growth[key] = (last - first) / first
    failed = errors_in(gen.recorder.samples)
    ok = all(g <= 0.10 for g in growth.values()) and not [s for s in failed if s.status >= 500]
    figure = (
        f"{duration:g} s at {rate:g} logins/s + {check_rate:g} checks/s (after {warm_s:g} s at "
        f"{2 * rate:g}/s): growth first->last third "
        + ", ".join(f"{k} {v:+.1%}" for k, v in growth.items())
        + f", {len(failed)} errors"
    )
    return finish(run, Verdict("G4", figure, ok), gen.recorder, [], {"series": series})


# -- G5: faults under load --------------------------------------------------------------
@dataclass
class Fault:
    name: str
    begin: Callable[[Topology], Awaitable[None]]
    end: Callable[[Topology], Awaitable[None]]
    hold_s: float


async def _in_thread(call: Callable[[], Any]) -> None:
    await asyncio.to_thread(call)


def redis_stop(hold_s: float) -> Fault:
    async def begin(t: Topology) -> None:
        await _in_thread(t.redis.stop)  # type: ignore[union-attr]

    async def end(t: Topology) -> None:
        await _in_thread(t.redis.start)  # type: ignore[union-attr]

    return Fault(f"redis-stopped-{hold_s:g}s", begin, end, hold_s)


def postgres_restart() -> Fault:
    async def begin(t: Topology) -> None:
        await _in_thread(t.postgres.restart)  # type: ignore[union-attr]

    async def end(t: Topology) -> None:
        return None

    return Fault("postgres-restarted", begin, end, 0)


def microsoft_delayed(seconds: float = 5, hold_s: float = 10) -> Fault:
    async def begin(t: Topology) -> None:
        await _in_thread(
            lambda: t.hook(
                "POST",
                "latency",
                {
                    "min_ms": int(seconds * 1000),
                    "max_ms": int(seconds * 1000),
                    "endpoints": ["token", "graph"],
                },
            )
        )

    async def end(t: Topology) -> None:
        low, high = t.latency
        await _in_thread(lambda: t.hook("POST", "latency", {"min_ms": low, "max_ms": high}))

    return Fault(f"microsoft-delayed-{seconds:g}s", begin, end, hold_s)


def graph_429_storm(count: int = 500, hold_s: float = 10) -> Fault:
    async def begin(t: Topology) -> None:
        await _in_thread(
            lambda: t.hook(
                "POST", "faults", {"endpoint": "graph", "status": 429, "retry_after": 2, "count": count}
            )
        )

    async def end(t: Topology) -> None:
        await _in_thread(lambda: t.hook("DELETE", "faults"))

    return Fault("graph-429-storm", begin, end, hold_s)


def sigterm_one(index: int = 0) -> Fault:
    """SIGTERM to one service process while callbacks are in flight; it is started again
    (a supervisor's job) and the generator keeps driving both ports."""

    async def begin(t: Topology) -> None:
        t.sigterm(index)
        await _in_thread(lambda: t.processes[index].popen.wait(30))  # type: ignore[union-attr]

    async def end(t: Topology) -> None:
        await _in_thread(lambda: t.start_service(index))

    return Fault("sigterm-mid-callback", begin, end, 0)


async def under_fault(
    run: Path,
    topo: Topology,
    fault: Fault,
    rate: float = 4,
    check_rate: float = 10,
    before_s: float = 10,
    after_s: float = 15,
) -> Verdict:
    gen = generator(topo)
    windows: list[tuple[float, float, str]] = []
    since = time.time()
    health: list[float] = []
    revoked_but_accepted: list[str] = []

    async def timeline() -> None:
        await asyncio.sleep(before_s)
        began = gen.recorder.now()
        await fault.begin(topo)
        fault_over = time.monotonic() + fault.hold_s
        if fault.hold_s >= 2:
            await asyncio.sleep(1)
            revoked_but_accepted.extend(await logout_elsewhere(topo, gen))
        await asyncio.sleep(max(0.0, fault_over - time.monotonic()))
        await fault.end(topo)
        windows.append((began, gen.recorder.now(), fault.name))
        import httpx

        async with httpx.AsyncClient(timeout=5) as probe:  # health stays fast
            for base in list(topo.bases):
                started = time.monotonic()
                with contextlib.suppress(httpx.HTTPError):
                    await probe.get(base + "/health/live")
                health.append(time.monotonic() - started)

    await drive(gen, rate, check_rate, before_s + fault.hold_s + after_s + 5, timeline)
    await gen.aclose()
    began, returned, _ = windows[0]
    samples = gen.recorder.samples
    outside = [s for s in errors_in(samples) if s.at < began or s.at >= returned + RECOVERY_S]
    # fail closed: a token logged out while the dependency is away is refused everywhere
    # within the 0.5 s bound (token checks themselves go on: the database is the authority,
    # docs/architecture.md), and never a 500
    open_checks = revoked_but_accepted
    five_hundreds = [s for s in samples if s.status == 500]
    back = recovery_seconds(samples, returned)
    # requests already sent when the fault began that ended without any answer (for SIGTERM:
    # in flight on the stopping process, or a kept-alive connection it closed)
    cut = [s for s in samples if s.status == 0 and s.at < began <= s.at + s.latency]
    broken = await half_written(topo.database_url, since, gen.users.known)
    ok = (
        not outside
        and not open_checks
        and not five_hundreds
        and back <= RECOVERY_S
        and not any(broken.values())
        and max(health, default=0) < 1.0
    )
    figure = (
        f"{fault.name} at {rate:g} logins/s: "
        f"{len(errors_in(samples, began, returned + RECOVERY_S))} errors in "
        f"the fault window, {len(outside)} outside, recovery {back:.1f} s, {len(open_checks)} checks "
        f"accepted after their logout, {len(five_hundreds)} 500s, "
        f"{len(cut)} in flight cut, half-written {sum(broken.values())} {broken}, health "
        f"{max(health, default=0) * 1000:.0f} ms"
    )
    return finish(
        run,
        Verdict(
            f"G5-{fault.name}",
            figure,
            ok,
            {"half_written": broken, "recovery_s": back, "in_flight_cut": [s.name for s in cut]},
        ),
        gen.recorder,
        windows,
    )


async def logout_elsewhere(topo: Topology, gen: Generator) -> list[str]:
    """Log one token out on the first process, then ask the second for 0.5 s: what it still
    accepts after that is a revocation that failed open (a refused logout is fail-closed)."""
    import httpx

    if not gen.tokens or len(topo.bases) < 2:
        return ["no token to log out"]
    token = gen.tokens.pop()
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=5) as client:
        try:
            out = await client.post(topo.bases[0] + "/logout", headers=auth)
        except httpx.HTTPError:
            return []
        if out.status_code != 200:
            return []
        await asyncio.sleep(0.5)
        late = await client.get(topo.bases[1] + "/auth/verify", headers=auth)
    return [f"verify {late.status_code} 0.5 s after logout"] if late.status_code == 200 else []


def g5_faults() -> list[Fault]:
    return [
        redis_stop(5),
        redis_stop(35),
        postgres_restart(),
        microsoft_delayed(5),
        graph_429_storm(),
        sigterm_one(),
    ]


# -- the smoke: 60 s ------------------------------------------------------------------
def smoke_limits(reference: Path = REFERENCE) -> dict[str, float]:
    """The smoke's p95 limits: twice what the last full run measured on this machine kind
    (reference.json): `/redirect` as G1's hold, the token checks as G4's soak, whose 20
    checks/s find most principals cold as the smoke's 6/s do (G2's 200/s find them warm:
    a faster p95 than a slow trickle of checks gets)."""
    figures = json.loads(reference.read_text())
    return {
        "redirect": 2 * figures["G1"]["redirect_p95_ms"],
        "verify": 2 * figures["G4"]["verify_p95_ms"],
        "me": 2 * figures["G4"]["me_p95_ms"],
    }


async def smoke(run: Path, topo: Topology, rate: float = 3, check_rate: float = 6) -> list[Verdict]:
    """G1 at a low rate with one Redis stop (5 s) and one SIGTERM, 60 s of load in all; the
    hold's p95 limits are twice the last full run's figures (`smoke_limits`)."""
    verdicts = [await under_fault(run, topo, redis_stop(5), rate, check_rate, before_s=8, after_s=10)]
    verdicts.append(await under_fault(run, topo, sigterm_one(), rate, check_rate, before_s=8, after_s=10))
    verdicts.append(
        await g1(run, topo, duration=15, rate=rate, check_rate=check_rate, p95_limits_ms=smoke_limits())
    )
    return verdicts


# -- the peer: the same logins against Microsoft's identity library in Flask ------------------
def process_cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes and their children, from /proc."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    pids = list(pids)
    for pid in list(pids):  # and their live children (gunicorn's worker, uvicorn's workers)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / ticks


async def compare_with_peer(
    run: Path, topo: Topology, concurrency: int = 64, duration: float = 60
) -> Verdict:
    """`concurrency` logins at once for `duration` against the service (both processes), then the
    peer (gunicorn, one worker, 8 threads): logins/s, p95 of a whole login, server CPU per
    login. The issue's goal: >= 3x the peer's logins/s at 64 concurrent logins, CPU <= peer's."""
    from .peer import start_peer

    target, peer = await asyncio.to_thread(start_peer, topo)
    figures: dict[str, dict[str, float]] = {}
    try:
        for name, gen, pids in (
            ("service", generator(topo, retry_shed=True), [topo.pid(i) for i in range(len(topo.processes))]),
            ("peer", Generator(target, topo.sandbox_base, topo.ca, retry_shed=True), [peer.popen.pid]),  # type: ignore[union-attr]
        ):
            cpu = process_cpu_seconds(pids)
            await closed_loop(gen.login, concurrency, duration)
            cpu = process_cpu_seconds(pids) - cpu
            await gen.aclose()
            flows = [s for s in gen.recorder.samples if s.name == "flow"]
            landed = [s for s in flows if s.status == 200]
            span = max(s.at + s.latency for s in flows) - min(s.at for s in flows) if flows else 1
            from .loadgen import percentile

            figures[name] = {
                "logins_per_s": len(landed) / span,
                "failed": len(flows) - len(landed),
                "p95_ms": percentile([s.latency for s in landed], 0.95) * 1000,
                "cpu_ms_per_login": cpu / max(1, len(landed)) * 1000,
            }
            write_run(
                run,
                f"peer-{name}",
                gen.recorder.samples,
                {"figures": figures[name], "requests": summarize(gen.recorder.samples)},
            )
    finally:
        await asyncio.to_thread(peer.stop)
    ours, theirs = figures["service"], figures["peer"]
    throughput = ours["logins_per_s"] / max(1e-9, theirs["logins_per_s"])
    latency = ours["p95_ms"] / max(1e-9, theirs["p95_ms"])
    ok = throughput >= 3 and ours["cpu_ms_per_login"] <= theirs["cpu_ms_per_login"]
    figure = (
        f"{concurrency} concurrent logins for {duration:g} s: "
        f"service {ours['logins_per_s']:.1f} logins/s p95 "
        f"{ours['p95_ms']:.0f} ms CPU {ours['cpu_ms_per_login']:.1f} ms/login, peer "
        f"{theirs['logins_per_s']:.1f} logins/s p95 {theirs['p95_ms']:.0f} ms CPU "
        f"{theirs['cpu_ms_per_login']:.1f} ms/login; ratio logins/s {throughput:.2f}x, p95 {latency:.2f}x"
    )
    verdict = Verdict("peer", figure, ok, figures)
    (run / "peer.json").write_text(
        __import__("json").dumps({"figure": figure, "ok": ok, **figures}, indent=2)
    )
    print(verdict.line(), flush=True)
    return verdict
