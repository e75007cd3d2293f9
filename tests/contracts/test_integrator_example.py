"""An integrator's view: the wheel, installed into a fresh virtual environment outside the
source tree, runs the worked third-party adapter of docs/examples/integrator against the
installed contract suites. It passes; a copy whose `take` does not remove fails.

The fresh environment gets the product only from the wheel. Its third-party dependencies
(pytest, pytest-asyncio, asyncpg, ...) are borrowed read-only from this virtualenv through a
folder of links that leaves out everything of the product's own (its editable install
included), so the test needs no network beyond the wheel's build backend and takes seconds.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.contracts.flow_store import FlowStoreContract
from adapters.contracts.session_cache import SessionCacheContract

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "integrator"
TAKE = 'TAKE = "DELETE FROM {table} WHERE state = $1 RETURNING flow, expires_at"'
TAKE_THAT_KEEPS = 'TAKE = "SELECT flow, expires_at FROM {table} WHERE state = $1"'
OWN = ("azure_signin", "__editable__", "core", "adapters", "entrypoints", "tests", "_virtualenv")


@dataclass(frozen=True)
class Installed:
    python: Path
    site_packages: Path
    home: Path


def _run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _build_wheel(work: Path) -> Path:
    """The wheel, built from a copy of the sources (a build in place would leave build/ and
    *.egg-info in the tree)."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("core", "adapters", "entrypoints"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    dist = work / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(source)]
    built = _run(build, work)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("azure_signin-*.whl")
    return wheel


def _borrowed_dependencies(work: Path) -> Path:
    """Links to this virtualenv's third-party packages, none of the product's."""
    borrowed = work / "dependencies"
    borrowed.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.name.startswith(OWN) or entry.suffix == ".pth" or entry.name == "__pycache__":
            continue
        (borrowed / entry.name).symlink_to(entry)
    return borrowed


def _env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no PYTHONPATH, no user site, nothing of this run's coverage."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "PYTHONNOUSERSITE": "1"}
    if "CI" in os.environ:
        env["CI"] = os.environ["CI"]
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("integrator")
    wheel = _build_wheel(work)
    venv = work / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work)
    site_packages = Path(site.stdout.strip())
    (site_packages / "borrowed-dependencies.pth").write_text(f"{_borrowed_dependencies(work)}\n")
    done = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
         str(wheel)],
        work,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return Installed(python, site_packages, work)


def _copy_example(installed: Installed, name: str) -> Path:
    target = installed.home / name
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _pytest(installed: Installed, folder: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    return _run(
        [str(installed.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(folder),
         str(folder)],
        folder,
        _env(installed.home, INTEGRATOR_DATABASE_URL=database_url),
    )


def _tests_in(*contracts: type) -> int:
    return sum(len([name for name in dir(c) if name.startswith("test_")]) for c in contracts)


def test_the_product_comes_from_the_wheel_and_the_source_tree_is_not_importable(installed: Installed):
    probe = _run(
        [str(installed.python), "-c",
         "import importlib.util, json, sys, adapters, adapters.contracts.plugin, core, entrypoints;"
         "print(json.dumps({'files': [m.__file__ for m in (adapters, core, entrypoints)],"
         " 'path': sys.path, 'tests': importlib.util.find_spec('tests') is not None}))"],
        installed.home,
        _env(installed.home),
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert all(Path(f).is_relative_to(installed.site_packages) for f in seen["files"]), seen["files"]
    on_path = [Path(p).resolve() for p in seen["path"] if p]
    assert not [p for p in on_path if p == ROOT or p.is_relative_to(ROOT / "core") or p == ROOT / "tests"]
    assert ROOT not in on_path and seen["tests"] is False


def test_the_example_adapter_passes_the_installed_contracts(installed: Installed, postgres_server_url: str):
    result = _pytest(installed, _copy_example(installed, "example"), postgres_server_url)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    expected = _tests_in(FlowStoreContract, SessionCacheContract)
    assert re.search(rf"\b{expected} passed\b", result.stdout), result.stdout[-2000:]
    assert "skipped" not in result.stdout


def test_a_take_that_does_not_remove_fails_the_installed_contracts(
    installed: Installed, postgres_server_url: str
):
    broken = _copy_example(installed, "broken")
    adapter = broken / "pg_stores.py"
    text = adapter.read_text(encoding="utf-8")
    assert text.count(TAKE) == 1
    adapter.write_text(text.replace(TAKE, TAKE_THAT_KEEPS), encoding="utf-8")
    result = _pytest(installed, broken, postgres_server_url)
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    failed = re.findall(r"^FAILED (\S+)", result.stdout, re.MULTILINE)
    assert "test_pg_stores.py::TestPostgresFlowStore::test_take_is_single_use" in failed
    assert "test_pg_stores.py::TestPostgresFlowStore::test_concurrent_takes_have_exactly_one_winner" in failed
    assert not [name for name in failed if "SessionCache" in name]
