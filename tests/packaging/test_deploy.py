"""deploy/: the Dockerfile's build and run steps are scripts, run here for real without a
container engine (install.sh builds the venv every wheel test uses; entrypoint.sh serves and
health-checks); the systemd unit passes `systemd-analyze verify`; the compose file's
settings are the service's own and its sizing fits PostgreSQL. The compose file's nginx
configuration is run for real in tests/reliability/test_deploy_nginx.py."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from entrypoints.settings import load_settings
from entrypoints.settings_table import SECRET_FILES, SETTINGS
from tests.reliability.processes import Process, free_port
from tests.reliability.redis_server import require_tool
from tests.wheel_support import ROOT, clean_env, installed_venv

DEPLOY = ROOT / "deploy"
pytestmark = pytest.mark.slow


def _entrypoint(venv: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(DEPLOY / "entrypoint.sh"), *argv], capture_output=True, text=True,
                          timeout=60, env=clean_env(AZURE_SIGNIN_PREFIX=str(venv), **env))


def test_the_entrypoint_serves_with_its_workers_health_checks_and_stops_on_sigterm(tmp_path):
    venv = installed_venv()
    port = str(free_port())
    settings = {"SIGNIN_PORT": port, "SIGNIN_DATA_DIR": str(tmp_path / "var")}
    before = _entrypoint(venv, "healthcheck", **settings)
    assert before.returncode == 1 and "unhealthy" in before.stderr
    env = clean_env(AZURE_SIGNIN_PREFIX=str(venv), AZURE_SIGNIN_WORKERS="2", **settings)
    argv = ["bash", str(DEPLOY / "entrypoint.sh")]
    process = Process(argv, env, tmp_path / "entrypoint.log", tmp_path).start()
    try:
        process.wait_for(f"http://127.0.0.1:{port}/health/live")
        assert _entrypoint(venv, "healthcheck", **settings).returncode == 0
        assert "with 2 worker(s)" in process.output()
        # any other command passes through to azure-signin
        current = _entrypoint(venv, "db", "current", **settings)
        assert current.returncode == 0 and "up to date" in current.stdout
        assert process.popen is not None
        os.kill(process.popen.pid, signal.SIGTERM)  # exec'd: the signal reaches serve itself
        assert process.popen.wait(20) == 0
    finally:
        process.stop()
    deadline = time.monotonic() + 5
    while _entrypoint(venv, "healthcheck", **settings).returncode == 0:
        assert time.monotonic() < deadline


def _dockerfile() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    return [(m[1].upper(), m[2].strip()) for m in re.finditer(r"^(\w+)\s+(.*)$", text, re.M)]


def test_the_dockerfile_builds_with_install_sh_and_runs_entrypoint_sh_as_a_user_of_its_own():
    steps = _dockerfile()
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM"):]
    runs = [arg for op, arg in final if op == "RUN"]
    assert any("deploy/install.sh /tmp/dist/azure_signin-*.whl /opt/azure-signin" in r for r in runs)
    env = " ".join(arg for op, arg in final if op == "ENV")
    assert "SIGNIN_HOST=0.0.0.0" in env and "SIGNIN_ENV=production" in env
    user = next(arg for op, arg in final if op == "USER")
    assert user.split(":")[0] not in ("root", "0")
    name = user.split(":")[0]
    assert any(op == "RUN" and "useradd --system --uid 10001 --user-group" in arg and name in arg
               for op, arg in final)
    entrypoint = '["/opt/azure-signin-deploy/deploy/entrypoint.sh"]'
    assert next(arg for op, arg in final if op == "ENTRYPOINT") == entrypoint
    assert next(arg for op, arg in final if op == "HEALTHCHECK").endswith(
        'CMD ["/opt/azure-signin-deploy/deploy/entrypoint.sh", "healthcheck"]')
    # every COPY source exists, and install.sh finds the lock where the image puts it
    copies = [shlex.split(arg) for op, arg in steps if op == "COPY" and "--from" not in arg]
    for *sources, _ in copies:
        assert all((ROOT / s).exists() for s in sources), sources
    lock_dest = next(c[-1] for c in copies if c[0] == "requirements-runtime.lock")
    scripts_dest = next(c[-1] for c in copies if "deploy/install.sh" in c)
    assert Path(scripts_dest.rstrip("/")).parent / "requirements-runtime.lock" == Path(lock_dest)
    assert '$here/../requirements-runtime.lock' in (DEPLOY / "install.sh").read_text()


def test_the_systemd_unit_verifies_against_the_installed_command(tmp_path):
    analyze = require_tool("systemd-analyze")
    venv = installed_venv()
    unit = (DEPLOY / "azure-signin.service").read_text()
    assert "ExecStart=/opt/azure-signin/bin/azure-signin serve" in unit
    assert re.search(r"^User=azure-signin$", unit, re.M) and "NoNewPrivileges=yes" in unit
    path = tmp_path / "azure-signin.service"
    path.write_text(unit.replace("/opt/azure-signin/bin/azure-signin", str(venv / "bin" / "azure-signin")))
    done = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    broken = tmp_path / "broken" / "azure-signin.service"
    broken.parent.mkdir()
    broken.write_text(unit)  # /opt/azure-signin is not installed here: verify must say so
    assert subprocess.run([analyze, "verify", str(broken)], capture_output=True, timeout=60).returncode != 0


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _interpolated(value: str) -> str:
    """Compose's ${VAR:-default} and ${VAR:?message}, as an operator's values would fill them."""
    value = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))
    return re.sub(r"\$\{(\w+):\?[^}]*\}", lambda m: f"https://{m[1].lower()}.example.com/x/B2C_1A_X"
                  if "AUTHORITY" in m[1] else "00000000-0000-0000-0000-000000000000", value)


def test_the_compose_file_runs_two_replicas_after_the_migration_with_the_services_own_settings(tmp_path):
    compose = _compose()
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "signin-1", "signin-2", "nginx", "app"} <= set(services)
    one, two = services["signin-1"], services["signin-2"]
    assert one == two and one["environment"] == services["migrate"]["environment"]
    assert one["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert "ports" not in one  # only nginx is reachable from outside
    # the forwarded-for address trusted is nginx's own fixed one
    nginx_ip = services["nginx"]["networks"]["backend"]["ipv4_address"]
    assert one["command"] == ["serve"] and one["environment"]["SIGNIN_TRUSTED_PROXIES"] == nginx_ip
    assert "./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    assert (DEPLOY / "nginx" / "default.conf").is_file()

    env = {k: _interpolated(v) for k, v in one["environment"].items()}
    known = {s.name for s in SETTINGS} | set(SECRET_FILES)
    assert [k for k in env if k.startswith("SIGNIN_") and k not in known] == []
    # each secret is mounted, and the settings load in production with the files in place
    for name in one["secrets"]:
        assert name in compose["secrets"]
    files = {}
    for key, value in env.items():
        if key.endswith("_FILE"):
            name = value.rsplit("/", 1)[1]
            assert name in one["secrets"], key
            secret = tmp_path / name
            secret.write_text({"database_url": "postgresql://signin:pw@postgres:5432/signin",
                               "token_encryption_key": "A" * 43 + "="}.get(name, "a-secret") + "\n")
            files[key] = str(secret)
    loaded = load_settings({k: v for k, v in {**env, **files}.items() if k.startswith("SIGNIN_")})
    assert loaded.production and loaded.redis_url == "redis://redis:6379/0"

    # sizing: replicas x workers x pool size within PostgreSQL's max_connections
    command = services["postgres"]["command"]
    max_connections = int(next(c.split("=")[1] for c in command if c.startswith("max_connections=")))
    replicas = sum(1 for s in services.values() if s.get("command", [None])[0] == "serve")
    workers = int(env["AZURE_SIGNIN_WORKERS"])
    assert replicas == 2 and replicas * workers * loaded.database_pool_size < max_connections


def test_make_secrets_makes_what_the_compose_file_mounts_and_keeps_what_exists(tmp_path):
    folder = tmp_path / "secrets"
    env = clean_env(AAD_CLIENT_SECRET="aad-from-the-portal", B2C_CLIENT_SECRET="b2c-from-the-portal")
    subprocess.run(["bash", str(DEPLOY / "make-secrets.sh"), str(folder)], env=env, check=True,
                   capture_output=True, timeout=60)
    assert sorted(p.name for p in folder.iterdir()) == sorted(_compose()["secrets"])
    assert folder.stat().st_mode & 0o777 == 0o700
    before = {p.name: p.read_text() for p in folder.iterdir()}
    subprocess.run(["bash", str(DEPLOY / "make-secrets.sh"), str(folder)], env=clean_env(), check=True,
                   capture_output=True, timeout=60)
    assert {p.name: p.read_text() for p in folder.iterdir()} == before
    password = before["postgres_password"]
    assert re.fullmatch(r"[0-9a-f]{48}", password)
    assert before["database_url"] == f"postgresql://signin:{password}@postgres:5432/signin"
    assert before["aad_client_secret"] == "aad-from-the-portal"
    # the keys are ones the service accepts
    from adapters.jwt.keys import _load_private
    from adapters.sql.crypto import decode_key

    assert len(decode_key(before["token_encryption_key"])) == 32
    _load_private(folder / "jwt_private_key")
