"""The README's "Running it in production" section, followed to the letter: every `sh` block
in order, in a fresh copy of the checkout, with the operator's values (its first block)
replaced by this machine's: PostgreSQL and Redis, and the sandbox standing in for Microsoft.
Then Azure AD and B2C sign-ins on the service it started (issue 13 acceptance).

The sandbox is not Microsoft, and production refuses a localhost authority, so the run
changes one more word of the README: `SIGNIN_ENV=production` becomes `embedded`. What
production adds is checked on its own: the settings the same steps write with the README's
example values start in production."""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from entrypoints.settings import load_settings
from entrypoints.settings_table import default
from tests.reliability.processes import Process, free_port
from tests.reliability.redis_server import require_tool
from tests.reliability.test_processes import Seen, login
from tests.web.support import FRONTEND
from tests.wheel_support import ROOT, clean_env, source_copy

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

README = ROOT / "README.md"


def section() -> str:
    text = README.read_text()
    start = text.index("## Running it in production")
    return text[start:text.index("\n## ", start + 1)]


def blocks() -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", section(), re.S | re.M)


def _steps() -> tuple[str, list[str], str, list[str]]:
    """(values, the steps before serving, the serve step, the steps after it)."""
    values, *steps = blocks()
    assert values.startswith("# Your values")
    serve = next(i for i, b in enumerate(steps) if "azure-signin\" serve" in b)
    return values, steps[:serve], steps[serve], steps[serve + 1:]


def _script(values: str, *steps: str) -> str:
    return "set -eo pipefail\n" + values + "\n" + "\n".join(steps)


def _bash(script: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["bash", "-c", script], cwd=cwd, env=clean_env(), capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"a README step failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _values(**values: str) -> str:
    return "\n".join(f"export {k}='{v}'" for k, v in values.items())


async def _drop(server: str, name: str) -> None:
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        await connection.close()


@pytest.fixture
def database(postgres_server_url):
    name = f"signin_walk_{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        asyncio.run(_drop(postgres_server_url, name))


def test_the_production_section_takes_an_operator_from_nothing_to_both_sign_ins(
    tmp_path, sandbox_process, database, redis_url, postgres_server_url
):
    for tool in ("psql", "openssl", "curl"):  # what the section says the host needs
        require_tool(tool)
    base, ca, _ = sandbox_process
    _, before, serve, after = _steps()
    checkout = tmp_path / "checkout"
    shutil.copytree(source_copy(), checkout)
    port = free_port()
    server = urlsplit(postgres_server_url)
    values = _values(
        PREFIX=str(tmp_path / "opt"), CONFIG=str(tmp_path / "etc"),
        PG_HOST=server.hostname or "", PG_PORT=str(server.port or 5432), PG_SUPERUSER=server.username or "",
        DB_NAME=database, DB_USER=database, REDIS_URL=redis_url, PORT=str(port),
        PUBLIC_URL=f"http://localhost:{port}", FRONTEND=FRONTEND, CA_BUNDLE=str(ca),
        GRAPH_URL=f"{base}/graph/v1.0",
        AAD_AUTHORITY=f"{base}/organizations",
        AAD_CLIENT_ID=default("SIGNIN_AAD_CLIENT_ID") or "",
        AAD_CLIENT_SECRET=default("SIGNIN_AAD_CLIENT_SECRET") or "",
        B2C_AUTHORITY=f"{base}/posterlabappdev.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN",
        B2C_GRAPH_AUTHORITY=f"{base}/posterlabappdev.onmicrosoft.com",
        B2C_CLIENT_ID=default("SIGNIN_B2C_CLIENT_ID") or "",
        B2C_CLIENT_SECRET=default("SIGNIN_B2C_CLIENT_SECRET") or "",
        WORKSPACE="Acme", ADMIN_EMAIL="alice@contoso.com",
    )
    setup = "\n".join(before)
    assert setup.count("SIGNIN_ENV=production") == 1
    setup = setup.replace("SIGNIN_ENV=production", "SIGNIN_ENV=embedded")
    _bash(_script(values, setup), checkout)

    service = Process(["bash", "-c", _script(values, serve)], clean_env(), tmp_path / "serve.log",
                      checkout).start()
    try:
        address = f"http://127.0.0.1:{port}"
        service.wait_for(f"{address}/health/live")
        _bash(_script(values, *after), checkout, timeout=60)  # the README's own check
        seen = Seen()
        alice = login(address, address, sandbox_process, "alice@contoso.com", "aad", seen)
        me = httpx.get(f"{address}/me", headers={"Authorization": f"Bearer {alice}"}, timeout=10)
        assert me.status_code == 200, me.text
        memberships = me.json()["memberships"]
        assert [(m["role"]) for m in memberships] == ["owner"], memberships
        bob = login(address, address, sandbox_process, "bob@example.org", "b2c", seen)
        me = httpx.get(f"{address}/me", headers={"Authorization": f"Bearer {bob}"}, timeout=10)
        assert me.status_code == 200, me.text
        assert me.json()["user"]["email"] == "bob@example.org"
        assert "with 2 worker(s)" in service.output()
        leaked = [v[:6] for v in seen.values if v in service.output()]
        assert leaked == []
    finally:
        service.stop()


def test_the_settings_the_steps_write_with_the_readmes_own_values_start_in_production(tmp_path):
    require_tool("openssl")
    values, before, _, _ = _steps()
    config = tmp_path / "etc"
    replaced = re.sub(r"^export PREFIX=\S+", f"export PREFIX={tmp_path / 'opt'}", values, flags=re.M)
    replaced = re.sub(r"^export CONFIG=\S+", f"export CONFIG={config}", replaced, flags=re.M)
    assert replaced.count(str(tmp_path)) == 2
    secrets = next(b for b in before if "openssl genpkey" in b)
    settings = next(b for b in before if 'cat > "$CONFIG/env"' in b)
    _bash(_script(replaced, "DB_PASSWORD=example", secrets, settings), tmp_path)
    env = dict(line.split("=", 1) for line in (config / "env").read_text().splitlines() if line)
    loaded = load_settings(env)
    assert loaded.production
    assert [a.name for a in loaded.authorities] == ["aad", "b2c"]
    assert loaded.authorities[1].client_secret == "the B2C app secret"
    assert loaded.database_url == "postgresql://signin:example@db.internal:5432/signin"
