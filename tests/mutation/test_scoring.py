"""The scoring of `make mutation` (mutation/run.py), without running mutmut."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "mutation" / "run.py"
_spec = importlib.util.spec_from_file_location("mutation_run", _PATH)
assert _spec is not None and _spec.loader is not None
run = importlib.util.module_from_spec(_spec)
sys.modules["mutation_run"] = run  # dataclasses look their module up while being defined
_spec.loader.exec_module(run)

FILE = "core/emails.py"


def mutant(n: int, status: str = "survived", was: str = "a < 1", now: str = "a <= 1") -> object:
    return run.Mutant(f"core.emails.x_f__mutmut_{n}", FILE, "f", status, was, now)


def entry(**changes: object) -> dict[str, object]:
    return {"file": FILE, "function": "f", "was": "a < 1", "now": "a <= 1", "reason": "r", **changes}


def test_mutmut_names_map_to_functions_and_methods() -> None:
    assert run.function_of("core.emails.x_normalise_email__mutmut_7") == "normalise_email"
    assert run.function_of("core.usecases.users.xǁDisableUserǁ__call____mutmut_3") == "DisableUser.__call__"
    assert run.module_prefix("core/rules/identity.py") == "core.rules.identity."
    assert run.module_prefix("core/rules/__init__.py") == "core.rules."


def test_a_diff_becomes_the_lines_it_changes() -> None:
    diff = "--- core/x.py\n+++ core/x.py\n@@ -1,3 +1,3 @@\n def f():\n-    return a < 1\n+    return a <= 1\n"
    assert run.changed_lines(diff) == ("return a < 1", "return a <= 1")


def test_score_counts_killed_over_all_but_reviewed_equivalents() -> None:
    mutants = [mutant(1, "killed"), mutant(2, "timeout"), mutant(3), mutant(4, "no tests", "b", "c")]
    tallies, problems = run.judge([FILE], mutants, [entry()])
    tally = tallies[FILE]
    assert problems == []
    assert (tally.total, tally.killed, tally.equivalent) == (4, 2, 1)
    assert [m.name for m in tally.survivors] == ["core.emails.x_f__mutmut_4"]
    assert tally.raw == 50.0 and tally.score == pytest.approx(200 / 3)


def test_an_entry_that_matches_no_survivor_is_reported_stale() -> None:
    _, problems = run.judge([FILE], [mutant(1, "killed")], [entry()])
    assert len(problems) == 1 and "stale entry (0 surviving mutant(s) match, 1 expected)" in problems[0]


def test_an_entry_must_match_as_many_survivors_as_it_says() -> None:
    twins = [mutant(1), mutant(2)]
    _, problems = run.judge([FILE], twins, [entry()])
    assert len(problems) == 1
    tallies, problems = run.judge([FILE], twins, [entry(count=2)])
    assert problems == [] and tallies[FILE].equivalent == 2


def test_entries_of_files_not_mutated_in_this_run_are_left_alone() -> None:
    _, problems = run.judge(["core/navigation.py"], [], [entry()])
    assert problems == []


def test_the_reviewed_list_is_well_formed() -> None:
    entries = run.load_equivalents()
    assert entries and all(str(e["reason"]).strip() for e in entries)
    keys = [(e["file"], e["function"], e["was"], e["now"]) for e in entries]
    assert len(keys) == len(set(keys))
    assert all((run.ROOT / str(e["file"])).exists() for e in entries)


def test_ci_mutates_the_files_edited_or_added_since_their_clean_run() -> None:
    recorded = {"core/emails.py": run.file_hash("core/emails.py"), "core/navigation.py": "0" * 64}
    files = ["core/emails.py", "core/navigation.py", "core/errors.py"]
    assert run.changed_files(files, recorded) == ["core/navigation.py", "core/errors.py"]
    assert run.changed_files(["core/emails.py"], recorded) == []


def test_a_run_records_the_files_it_found_clean_and_drops_those_with_survivors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline, mutants = tmp_path / "baseline.json", tmp_path / "mutants"
    mutants.mkdir()
    baseline.write_text(json.dumps({"last full score": 99.0, "mutants": 10, "files": {
        "core/emails.py": "old", "core/navigation.py": "old", "core/errors.py": "kept"}}))
    (mutants / "measured.json").write_text(json.dumps({
        "core/emails.py": "new", "core/navigation.py": "newer", "core/errors.py": "other"}))
    monkeypatch.setattr(run, "BASELINE", baseline)
    monkeypatch.setattr(run, "MUTANTS", mutants)
    tallies = {FILE: run.Tally(total=3, killed=3), "core/navigation.py": run.Tally(total=2, killed=1)}
    tallies["core/navigation.py"].survivors.append(mutant(1))
    total = run.Tally()
    for tally in tallies.values():
        total.add(tally)
    run.record_baseline(tallies, total)
    recorded = json.loads(baseline.read_text())
    assert recorded["files"] == {"core/emails.py": "new", "core/errors.py": "kept"}
    assert (recorded["last full score"], recorded["mutants"]) == (99.0, 10)  # not a full run
