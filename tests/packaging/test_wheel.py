"""The wheel, installed in a fresh venv outside the source tree by deploy/install.sh, runs
`azure-signin --version`, `db upgrade`, `serve` and `demo` (issue 13, packaging)."""
from __future__ import annotations

import re
import ssl
import subprocess
import tomllib
from pathlib import Path

import httpx
import pytest

from tests.reliability.processes import Process, free_port
from tests.wheel_support import ROOT, clean_env, installed_venv, wheel_names

pytestmark = pytest.mark.slow
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_wheel_ships_its_typing_marker_migrations_and_static_files():
    names = set(wheel_names())
    assert {"core/py.typed", "adapters/py.typed", "entrypoints/py.typed"} <= names
    assert "adapters/sql/migrations/env.py" in names
    assert "adapters/sql/migrations/script.py.mako" in names
    assert {n for n in names if re.fullmatch(r"adapters/sql/migrations/versions/\d{4}_\w+\.py", n)}
    assert {"entrypoints/demo/index.html", "adapters/azure_sandbox/default_directory.toml"} <= names
    assert not [n for n in names if n.startswith(("tests/", "mutation/", "docs/"))]
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    import zipfile

    from tests.wheel_support import built_wheel

    text = zipfile.ZipFile(built_wheel()).read(metadata).decode()
    assert "License-Expression: LicenseRef-Proprietary" in text
    assert "Classifier: Typing :: Typed" in text
    assert "Requires-Dist: uvicorn[standard]" in text and "Requires-Dist: requests" in text
    assert "# azure-signin" in text  # the README is the long description


def _cli(venv: Path, *argv: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "azure-signin"), *argv], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, timeout=120)


def test_the_installed_wheel_answers_its_version_from_outside_the_source_tree(tmp_path):
    venv = installed_venv()
    done = _cli(venv, "--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"azure-signin {VERSION}"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import entrypoints, core; "
                            "print(entrypoints.__file__); print(core.__file__)"],
                           cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True)
    for path in where.stdout.split():
        assert path.startswith(str(venv)) and not path.startswith(str(ROOT))


def test_the_installed_wheel_migrates_a_sqlite_database(tmp_path):
    venv = installed_venv()
    url = f"sqlite:///{tmp_path / 'signin.db'}"
    up = _cli(venv, "db", "upgrade", cwd=tmp_path, SIGNIN_DATABASE_URL=url)
    assert up.returncode == 0, up.stderr
    current = _cli(venv, "db", "current", cwd=tmp_path, SIGNIN_DATABASE_URL=url)
    assert current.returncode == 0 and "up to date" in current.stdout


def test_the_installed_wheel_serves(tmp_path):
    venv = installed_venv()
    port = free_port()
    env = clean_env(SIGNIN_PORT=str(port), SIGNIN_DATA_DIR=str(tmp_path / "var"))
    process = Process([str(venv / "bin" / "azure-signin"), "serve"], env, tmp_path / "serve.log",
                      tmp_path).start()
    try:
        process.wait_for(f"http://127.0.0.1:{port}/health/live")
        answer = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=5)
        assert answer.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/.well-known/jwks.json", timeout=5).json()["keys"]
    finally:
        process.stop()


def test_the_installed_wheel_runs_the_demo_on_the_ports_it_is_given(tmp_path):
    venv = installed_venv()
    service, sandbox, demo = free_port(), free_port(), free_port()
    env = clean_env(SIGNIN_PORT=str(service), SIGNIN_SANDBOX_PORT=str(sandbox),
                    SIGNIN_DEMO_PORT=str(demo), SIGNIN_DATA_DIR=str(tmp_path / "var"))
    process = Process([str(venv / "bin" / "azure-signin"), "demo"], env, tmp_path / "demo.log",
                      tmp_path).start()
    try:
        process.wait_for(f"http://127.0.0.1:{demo}/")
        process.wait_for(f"http://127.0.0.1:{service}/health/live")
        ca = ssl.create_default_context(cafile=str(tmp_path / "var" / "sandbox" / "ca.pem"))
        discovery = httpx.get(f"https://localhost:{sandbox}/organizations/v2.0/.well-known/openid-configuration",
                              verify=ca, timeout=10)
        assert discovery.status_code == 200 and discovery.json()["issuer"]
        page = httpx.get(f"http://127.0.0.1:{demo}/", timeout=5)
        assert page.status_code == 200 and f"localhost:{service}" in page.text
        ready = httpx.get(f"http://127.0.0.1:{service}/health/ready", timeout=10)
        assert ready.status_code == 200, ready.text
    finally:
        process.stop()
