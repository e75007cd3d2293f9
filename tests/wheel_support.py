"""The project as an operator gets it: its wheel, built once per test session, installed in
a fresh virtual environment outside the source tree (from the lock file, so the versions are
the tested ones and pip resolves nothing), and commands run there with a clean environment.

Tests that need an installed wheel use `built_wheel()` and `installed_venv()`; both are
memoised for the session, so each costs its build or install once however many tests ask.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = ROOT / "requirements-runtime.lock"
FULL_LOCK = ROOT / "requirements.lock"
INSTALL_SCRIPT = ROOT / "deploy" / "install.sh"

_WORKDIR: Path | None = None
_SOURCE: Path | None = None
_WHEEL: Path | None = None
_VENVS: dict[str, Path] = {}


def workdir() -> Path:
    """A folder of this session's own, outside the source tree, removed at exit."""
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="azure-signin-wheel-"))
        import atexit

        atexit.register(shutil.rmtree, _WORKDIR, True)
    return _WORKDIR


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a process that knows nothing of this checkout or its venv."""
    dropped = ("SIGNIN_", "PYTHON", "VIRTUAL_ENV", "PIP_REQUIRE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(ROOT)))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def _run(argv: list[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env or clean_env(), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        raise RuntimeError(f"{argv[:4]} failed ({done.returncode}):\n{output}")
    return done.stdout


def source_copy() -> Path:
    """A copy of the checkout's files (tracked or not, minus the ignored: no .venv, var/ or
    stale build/), as a fresh clone would have them; once per session."""
    global _SOURCE
    if _SOURCE is None:
        source = workdir() / "source"
        files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split()
        for name in files:
            if (ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        _SOURCE = source
    return _SOURCE


def built_wheel() -> Path:
    """`pip wheel --no-deps` of the checkout, once per session."""
    global _WHEEL
    if _WHEEL is None:
        out = workdir() / "dist"
        out.mkdir()
        _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source_copy())],
             cwd=workdir(), timeout=300)
        (_WHEEL,) = out.glob("azure_signin-*.whl")
    return _WHEEL


def wheel_names() -> list[str]:
    with zipfile.ZipFile(built_wheel()) as wheel:
        return wheel.namelist()


def installed_venv(name: str = "runtime", *, lock: Path = RUNTIME_LOCK) -> Path:
    """A fresh venv with the wheel installed by `deploy/install.sh` (what the Dockerfile
    runs): the lock's pinned, hashed packages, then the wheel without resolving again."""
    if name not in _VENVS:
        prefix = workdir() / f"venv-{name}"
        _run(["bash", str(INSTALL_SCRIPT), str(built_wheel()), str(prefix)], cwd=workdir(),
             timeout=600, env=clean_env(AZURE_SIGNIN_LOCK=str(lock)))
        _VENVS[name] = prefix
    return _VENVS[name]
