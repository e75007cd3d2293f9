"""The lock files say what `make install`, CI and deploy/install.sh install: they must cover
pyproject.toml's requirements (a dependency added without `make lock` fails here, not on an
operator's machine), agree with each other and pin every package with its hashes."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.version import Version

from tests.wheel_support import FULL_LOCK, ROOT, RUNTIME_LOCK

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


Locked = dict[str, tuple[Version, str | None, int]]


def pins(lock: Path) -> Locked:
    """name -> (version, marker, number of hashes), from a `uv pip compile` output."""
    found: Locked = {}
    current = None
    for line in lock.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = _normal(match[1])
            found[current] = (Version(match[3]), match[4], 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, marker, hashes = found[current]
            found[current] = (version, marker, hashes + 1)
    return found


def _unmet(requirements: list[str], locked: Locked, extra: str = "") -> list[str]:
    env = {**default_environment(), "python_version": "3.11", "extra": extra}
    unmet = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate(env):
            continue
        if _normal(requirement.name) == _normal(PYPROJECT["name"]):  # an extra of ours (dev: otel)
            for own in sorted(requirement.extras):
                unmet += _unmet(PYPROJECT["optional-dependencies"][own], locked, own)
            continue
        pinned = locked.get(_normal(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned[0], prereleases=True):
            unmet.append(f"{text} (locked: {pinned[0] if pinned else 'absent'})")
    return unmet


def test_the_full_lock_meets_every_runtime_and_dev_requirement():
    locked = pins(FULL_LOCK)
    unmet = _unmet(PYPROJECT["dependencies"], locked) + _unmet(
        PYPROJECT["optional-dependencies"]["dev"], locked, "dev")
    assert unmet == [], f"requirements.lock is stale, run `make lock`: {unmet}"


def test_the_runtime_lock_meets_the_runtime_requirements_with_the_full_locks_versions():
    runtime, full = pins(RUNTIME_LOCK), pins(FULL_LOCK)
    assert _unmet(PYPROJECT["dependencies"], runtime) == [], "run `make lock`"
    other = {n: v for n, (v, _, _) in full.items()}
    differ = {n: (v, other.get(n)) for n, (v, _, _) in runtime.items() if other.get(n) != v}
    assert differ == {}, f"the two locks disagree, run `make lock`: {differ}"
    assert "pytest" not in runtime and "mypy" not in runtime  # the image carries no dev tool


def test_every_pin_carries_its_hashes():
    for lock in (FULL_LOCK, RUNTIME_LOCK):
        locked = pins(lock)
        assert len(locked) > 20
        assert [n for n, (_, _, hashes) in locked.items() if hashes == 0] == [], lock.name


def test_every_runtime_dependency_is_bounded_below_its_next_major():
    unbounded = []
    for text in PYPROJECT["dependencies"]:
        specifier = Requirement(text).specifier
        if not any(s.operator in ("<", "<=", "==", "~=") for s in specifier):
            unbounded.append(text)
    assert unbounded == []


def test_what_the_code_imports_and_serve_asks_for_is_declared():
    names = {_normal(Requirement(t).name): Requirement(t) for t in PYPROJECT["dependencies"]}
    assert "requests" in names  # adapters/msal imports it
    assert "standard" in names["uvicorn"].extras  # httptools + uvloop, which serve asks for
    assert {"httptools", "uvloop"} <= set(names)


def test_make_install_and_ci_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "-r requirements.lock" in makefile and "--no-deps -e ." in makefile
    assert "-e '.[dev]'" not in makefile.split("lock:")[0]
