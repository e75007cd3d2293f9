"""Mutation testing of core/ against tests/core (mutmut), scored without the reviewed equivalents.

    python mutation/run.py                  all of core/ (`make mutation`)
    python mutation/run.py core/emails.py   only these files (quick, while killing survivors)
    python mutation/run.py --changed        the core files whose content differs from the
                                            baseline the last clean full run recorded (CI)

Every run starts from a fresh `mutants/` directory (mutmut's cache would keep a verdict after the
tests that gave it changed). It prints, per file and in total, how many mutants were killed and
how many survived, each survivor that is not on the reviewed list (mutation/equivalents.toml) as
the line it changed, and ends with `mutation score: N.N % without reviewed equivalents`.

It fails (exit 1) when a survivor is not on the reviewed list, or when an entry of that list no
longer matches exactly one surviving mutant (an entry must never silently mark something else,
nor linger after its line changed). A full run records, for each file with no unreviewed
survivor, a hash of its content in mutation/baseline.json (a run on some files updates
their entries); `--changed` mutates only the files
whose hash differs (or that are new), so it works on any clone without git history.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
EQUIVALENTS = ROOT / "mutation" / "equivalents.toml"
BASELINE = ROOT / "mutation" / "baseline.json"
MUTANTS = ROOT / "mutants"

# mutmut's exit codes as verdicts: anything a test noticed is a kill.
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass(frozen=True)
class Mutant:
    name: str  # mutmut's key, e.g. core.emails.x_normalise_email__mutmut_7
    file: str  # core/emails.py
    function: str  # normalise_email, or Class.method
    status: str
    was: str = ""  # the original line(s), stripped
    now: str = ""  # the mutated line(s), stripped

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.file, self.function, self.was, self.now)


@dataclass
class Tally:
    total: int = 0
    killed: int = 0
    equivalent: int = 0
    survivors: list[Mutant] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.total += other.total
        self.killed += other.killed
        self.equivalent += other.equivalent
        self.survivors += other.survivors

    @property
    def raw(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 100.0

    @property
    def score(self) -> float:
        judged = self.total - self.equivalent
        return 100.0 * self.killed / judged if judged else 100.0


def core_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in CORE.rglob("*.py") if "__pycache__" not in p.parts)


def module_prefix(file: str) -> str:
    return file.removesuffix(".py").removesuffix("/__init__").replace("/", ".") + "."


def file_hash(file: str) -> str:
    return hashlib.sha256((ROOT / file).read_bytes()).hexdigest()


def changed_files(files: list[str], recorded: dict[str, str]) -> list[str]:
    """The files whose content is not the one the baseline recorded clean (new ones too)."""
    return [f for f in files if recorded.get(f) != file_hash(f)]


def function_of(name: str) -> str:
    mangled = name.rpartition(".")[2].partition("__mutmut_")[0]
    if "ǁ" in mangled:  # methods: xǁClassǁmethod
        _, cls, method = mangled.split("ǁ")
        return f"{cls}.{method}"
    return mangled.removeprefix("x_")


def changed_lines(diff: str) -> tuple[str, str]:
    was, now = [], []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            was.append(line[1:].strip())
        elif line.startswith("+"):
            now.append(line[1:].strip())
    return " / ".join(was), " / ".join(now)


def run_mutmut(files: list[str], jobs: int) -> None:
    shutil.rmtree(MUTANTS, ignore_errors=True)
    MUTANTS.mkdir()
    # what is measured, so that a later --report records the content that was mutated
    (MUTANTS / "measured.json").write_text(json.dumps({f: file_hash(f) for f in core_files()}))
    # tests/core needs no service; under CI=true it would load the 200-example profile
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"HYPOTHESIS_PROFILE": "mutation"}
    globs = [] if files == core_files() else [module_prefix(f) + "*" for f in files]
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *globs]
    print(f"mutmut: {len(files)} file(s), {jobs} worker(s)", flush=True)
    log = ROOT / "mutation" / "last-run.log"
    with log.open("w") as out:
        code = subprocess.call(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    text = log.read_text(errors="replace")
    if code != 0 and "nothing matches" in text:
        return  # the files hold no mutant (protocols, constants): nothing to judge
    if code != 0:
        print(text.replace("\r", "\n")[-4000:])
        sys.exit(f"mutmut failed (exit {code}); its output is in {log.relative_to(ROOT)}")


def collect(files: list[str]) -> list[Mutant]:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    mutants = []
    for file in files:
        meta = MUTANTS / (file + ".meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for name, code in codes.items():
            status = status_by_exit_code[code]
            mutant = Mutant(name, file, function_of(name), status)
            if status not in DETECTED:
                was, now = changed_lines(get_diff_for_mutant(name, path=file))
                mutant = Mutant(name, file, mutant.function, status, was, now)
            mutants.append(mutant)
    return mutants


def load_equivalents() -> list[dict[str, object]]:
    entries = tomllib.loads(EQUIVALENTS.read_text()).get("equivalent", [])
    for entry in entries:
        missing = {"file", "function", "was", "now", "reason"} - entry.keys()
        if missing or not str(entry["reason"]).strip():
            sys.exit(f"{EQUIVALENTS.name}: entry {entry} lacks {sorted(missing) or ['a reason']}")
    return entries


def line_number(mutant: Mutant) -> int | None:
    """Where the mutated line is in the source today: the first line, after the function's
    `def`, that reads as the mutant's original line."""
    first = mutant.was.split(" / ")[0]
    name = mutant.function.rpartition(".")[2]
    lines = (ROOT / mutant.file).read_text().splitlines()
    start = next((n for n, line in enumerate(lines) if re.match(rf"\s*(async )?def {name}\b", line)), 0)
    for number, line in enumerate(lines[start:], start + 1):
        if first and line.strip() == first:
            return number
    return None


def judge(
    files: list[str], mutants: list[Mutant], equivalents: list[dict[str, object]]
) -> tuple[dict[str, Tally], list[str]]:
    """Tally each file's mutants; survivors on the reviewed list count as equivalent. An entry
    that does not match exactly `count` (default 1) surviving mutants is a problem."""
    entries = [e for e in equivalents if e["file"] in files]
    surviving = Counter(m.key for m in mutants if m.status not in DETECTED)
    reviewed = {}
    problems = []
    for entry in entries:
        key = (entry["file"], entry["function"], entry["was"], entry["now"])
        expected = int(entry.get("count", 1))  # type: ignore[call-overload]
        if surviving[key] != expected:
            problems.append(
                f"  stale entry ({surviving[key]} surviving mutant(s) match, {expected} expected): "
                f"{entry['file']} {entry['function']}: {entry['was']!r} -> {entry['now']!r}"
            )
        reviewed[key] = entry
    tallies: dict[str, Tally] = {f: Tally() for f in files}
    for mutant in mutants:
        tally = tallies[mutant.file]
        tally.total += 1
        if mutant.status in DETECTED:
            tally.killed += 1
        elif mutant.key in reviewed:
            tally.equivalent += 1
        else:
            tally.survivors.append(mutant)
    return tallies, problems


def report(tallies: dict[str, Tally], problems: list[str]) -> Tally:
    width = max(len(f) for f in tallies) + 2
    header = f"{'file':<{width}}{'mutants':>8}{'killed':>8}{'equiv':>7}{'surv':>6}{'raw':>8}{'score':>8}"
    rows = [header, "-" * len(header)]

    def row(label: str, t: Tally) -> str:
        survived = t.total - t.killed - t.equivalent
        return (
            f"{label:<{width}}{t.total:>8}{t.killed:>8}{t.equivalent:>7}{survived:>6}"
            f"{t.raw:>7.1f}%{t.score:>7.1f}%"
        )

    packages: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for file, tally in tallies.items():
        if tally.total:
            rows.append(row(file, tally))
        package = file.rpartition("/")[0] + "/"
        packages[package].add(tally)
        total.add(tally)
    rows.append("-" * len(header))
    for package, tally in sorted(packages.items()):
        if package != "core/" and tally.total:
            rows.append(row(package, tally))
    rows.append(row("total", total))
    print("\n".join(rows))
    if total.survivors:
        print(f"\n{len(total.survivors)} survivor(s) not on the reviewed list "
              "(kill each with a test, or add it to mutation/equivalents.toml with its reason):")
        for m in sorted(total.survivors, key=lambda m: (m.file, line_number(m) or 0)):
            where = f"{m.file}:{line_number(m) or '?'}"
            print(f"  {where} {m.function} [{m.status}]  mutmut show {m.name}")
            print(f"      - {m.was}\n      + {m.now}")
    if problems:
        print("\nreviewed list entries that no longer match exactly:")
        print("\n".join(problems))
    return total


def record_baseline(tallies: dict[str, Tally], total: Tally) -> None:
    recorded = json.loads(BASELINE.read_text())["files"] if BASELINE.exists() else {}
    measured = json.loads((MUTANTS / "measured.json").read_text())
    clean = {f: measured[f] for f, t in tallies.items() if not t.survivors and f in measured}
    files = {f: h for f, h in recorded.items() if (ROOT / f).exists() and f not in tallies} | clean
    old = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    full = set(tallies) == set(core_files())
    data = {
        "about": "core files whose every mutant was killed or reviewed, by content hash "
                 "(written by `make mutation`; `make mutation-changed` mutates the others)",
        "last full score": round(total.score, 1) if full else old.get("last full score"),
        "mutants": total.total if full else old.get("mutants"),
        "files": dict(sorted(files.items())),
    }
    BASELINE.write_text(json.dumps(data, indent=2) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("files", nargs="*", help="core files to mutate (default: all of core/)")
    parser.add_argument("--changed", action="store_true", help="only the files changed since the baseline")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--report", action="store_true", help="re-read the last run's mutants/, run nothing")
    args = parser.parse_args()
    started = time.monotonic()
    everything = core_files()
    if args.changed:
        recorded = json.loads(BASELINE.read_text())["files"] if BASELINE.exists() else {}
        files = changed_files(everything, recorded)
        if not files:
            print("no core file changed since the recorded mutation baseline: nothing to mutate")
            return 0
        print("core files changed since the recorded mutation baseline: " + ", ".join(files))
    else:
        files = [str(Path(f)) for f in args.files] or everything
        unknown = sorted(set(files) - set(everything))
        if unknown:
            sys.exit(f"not core files: {', '.join(unknown)}")
    if not args.report:
        run_mutmut(files, args.jobs)
    tallies, problems = judge(files, collect(files), load_equivalents())
    total = report(tallies, problems)
    if not args.changed and not problems:
        record_baseline(tallies, total)
    print(f"\n{total.total} mutants in {time.monotonic() - started:.0f} s")
    print(f"mutation score: {total.score:.1f} % without reviewed equivalents")
    return 1 if total.survivors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
