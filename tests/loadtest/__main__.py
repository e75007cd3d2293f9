"""`python -m tests.loadtest smoke|all|g1|g2|g3|g4|g5 [--scale F]`: start the topology, run
the scenarios, print one line each, exit 1 when any fails. `--scale` multiplies every
duration (0.1: a tenth of the issue's 10- and 30-minute runs)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from . import scenarios as s


def main(which: str, scale: float, rate: float | None, check_rate: float | None = None) -> list[s.Verdict]:
    run = s.OUT / time.strftime("%Y%m%dT%H%M%S")
    with s.topology(run) as topo:  # started outside the event loop: it runs its own
        print(f"topology up: sandbox {topo.sandbox_base}, services {topo.bases}, run {run}", flush=True)
        return asyncio.run(scenarios(run, topo, which, scale, rate, check_rate))


async def scenarios(
    run, topo, which: str, scale: float, rate: float | None, check_rate: float
) -> list[s.Verdict]:
    verdicts: list[s.Verdict] = []
    if True:
        if which == "smoke":
            return await s.smoke(run, topo, rate=rate or 3)
        if which in ("all", "g1"):
            verdicts.append(await s.g1(run, topo, duration=600 * scale, rate=rate, step_s=max(5, 20 * scale)))
        knee = verdicts[0].details.get("knee", 8) if verdicts else (rate or 8)
        if which in ("all", "g2"):
            # checks/s at the knee: the login knee (tens a second) says nothing of checks, so
            # 200/s unless the knee is higher
            checks = check_rate or max(200.0, knee)
            verdicts.append(await s.g2(run, topo, duration=max(10, 60 * scale), rate=checks))
        if which in ("all", "g3"):
            verdicts.append(await s.g3(run, topo, rate=0.6 * knee, burst_s=max(5, 30 * scale)))
        if which in ("all", "g4"):
            verdicts.append(await s.g4(
                run, topo, duration=1800 * scale, rate=0.5 * 0.6 * knee, warm_s=max(10, 120 * scale)))
        if which in ("all", "g5"):
            for fault in s.g5_faults():
                verdicts.append(await s.under_fault(run, topo, fault, rate=0.5 * 0.6 * knee))
        if which in ("all", "peer"):
            verdicts.append(
                await s.compare_with_peer(run, topo, int(rate or 64), duration=max(15, 60 * scale))
            )
    return verdicts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.loadtest")
    parser.add_argument("which", choices=["smoke", "all", "g1", "g2", "g3", "g4", "g5", "peer"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="logins/s (skips G1's knee search); for peer: concurrent logins",
    )
    parser.add_argument(
        "--check-rate",
        type=float,
        default=None,
        help="G2's token checks/s (default: G1's knee, in logins/s, or 8)",
    )
    args = parser.parse_args()
    started = time.monotonic()
    results = main(args.which, args.scale, args.rate, args.check_rate)
    print(
        f"{sum(v.ok for v in results)} passed, {sum(not v.ok for v in results)} failed "
        f"in {time.monotonic() - started:.0f} s"
    )
    sys.exit(0 if results and all(v.ok for v in results) else 1)
