"""The command line as a whole: argument and setting errors, `serve`, `sandbox`, `db` and
`demo`'s refusal in production, through the installed console script and `main`."""
from __future__ import annotations

import re
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from adapters.sql import current_revision, head_revision

from .conftest import CONSOLE_SCRIPT


def test_version_comes_from_the_package_metadata():
    from importlib.metadata import version

    done = subprocess.run([str(CONSOLE_SCRIPT), "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"azure-signin {version('azure-signin')}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "usage: azure-signin"),
        (("nonsense",), "invalid choice: 'nonsense'"),
        (("workspace",), "the following arguments are required: ACTION"),
        (("workspace", "add", "Acme"), "the following arguments are required: --host"),
        (("invite", "add", "a@b.example", "--workspace", "one", "--role", "editor"),
         "argument --workspace: invalid int value: 'one'"),
        (("invite", "add", "a@b.example", "--role", "editor"), "required: --workspace"),
        (("invite", "accept"), "required: ID"),
        (("user", "disable"), "required: EMAIL"),
        (("provider", "add", "X", "--issuer", "x"), "required: --kind"),
        (("serve", "--workers", "0"), "argument --workers: must be at least 1"),
        (("serve", "--proxy-headers"), "replaced by SIGNIN_TRUSTED_PROXIES"),
        (("serve", "--forwarded-allow-ips", "10.0.0.1"), "replaced by SIGNIN_TRUSTED_PROXIES"),
        (("user", "enable"), "required: EMAIL"),
    ],
)
def test_argument_errors_give_a_message_and_exit_2(cli, argv, message):
    answer = cli.run(*argv)
    assert answer.code == 2
    assert message in answer.err


def test_argument_errors_through_the_console_script(cli):
    answer = cli.script("invite", "add", "a@b.example", "--workspace", "1")
    assert answer.code == 2 and "required: --role" in answer.err


def test_a_bad_setting_is_named_and_stops_the_command(cli):
    answer = cli.run("workspace", "list", SIGNIN_PORT="eighty")
    assert answer.code == 2
    assert answer.err.strip() == "azure-signin workspace list: SIGNIN_PORT: 'eighty' is not a port number"


def test_serve_names_a_bad_setting_and_exits_2(cli):
    answer = cli.script("serve", SIGNIN_TOKEN_DELIVERY="carrier-pigeon")
    assert answer.code == 2
    assert "SIGNIN_TOKEN_DELIVERY" in answer.err and "Traceback" not in answer.err


def test_demo_refuses_production(cli):
    answer = cli.run("demo", SIGNIN_ENV="production")
    assert answer.code == 2 and "SIGNIN_ENV=production" in answer.err


@pytest.mark.parametrize(("same", "named"), [
    ("SIGNIN_SANDBOX_PORT", "SIGNIN_PORT and SIGNIN_SANDBOX_PORT"),
    ("SIGNIN_DEMO_PORT", "SIGNIN_DEMO_PORT and SIGNIN_PORT"),
])
def test_demo_with_two_servers_on_one_port_says_so_in_one_line(cli, same, named):
    port, spare = str(free_port()), str(free_port())
    ports = {"SIGNIN_PORT": port, "SIGNIN_SANDBOX_PORT": spare, "SIGNIN_DEMO_PORT": spare, same: port}
    answer = cli.script("demo", timeout=60, **ports)
    assert answer.code == 1
    assert answer.err.strip().splitlines() == [
        f"azure-signin demo: {named} are both {port}: "
        "the sandbox, the service and the demo frontend each need a port of their own"
    ]
    assert "Traceback" not in answer.out + answer.err


def test_db_upgrade_through_main(cli):
    answer = cli.run("db", "upgrade")
    assert answer.code == 0, answer.err
    assert current_revision(cli.settings["SIGNIN_DATABASE_URL"]) == head_revision()


def _wait(url: str, process: subprocess.Popen, timeout: float = 60, **kwargs) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the process exited with {process.returncode}")
        try:
            return httpx.get(url, timeout=2, **kwargs)
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def _stop(process: subprocess.Popen) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return process.returncode, out


def _listening_sockets(port: int) -> int:
    """Listening TCP sockets on `port` (Linux: /proc/net/tcp, state 0A)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows
               if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "0A")


@pytest.mark.slow
def test_serve_runs_two_workers_without_an_access_log(cli):
    port = free_port()
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "serve", "--workers", "2"], cwd=cli.dir, text=True,
        env=cli.env(SIGNIN_PORT=str(port), PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        live = _wait(f"http://127.0.0.1:{port}/health/live?code=secret-code-value", process)
        assert live.status_code == 200 and live.json() == {"status": "ok"}
        # each worker listens on a socket of its own (SO_REUSEPORT), the parent's never
        # listens: two listening sockets on the port, not one shared (entrypoints/workers.py)
        deadline = time.monotonic() + 30
        while _listening_sockets(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _listening_sockets(port) == 2
    finally:
        code, out = _stop(process)
    assert code == 0, out
    assert len(set(re.findall(r"Started server process \[(\d+)\]", out))) == 2, out
    assert "secret-code-value" not in out
    assert '"GET /health/live' not in out  # uvicorn's access log is off


@pytest.mark.slow
def test_sandbox_serves_discovery_and_stops_on_sigterm(cli):
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "sandbox", "--port", "0", "--state-dir", str(cli.dir / "sandbox")],
        cwd=cli.dir, text=True, env=cli.env(PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        first = process.stdout.readline()
        origin = re.search(r"https://localhost:\d+", first).group(0)
        answer = _wait(f"{origin}/organizations/v2.0/.well-known/openid-configuration", process,
                       verify=ssl.create_default_context(cafile=str(cli.dir / "sandbox" / "ca.pem")))
        assert answer.json()["issuer"].startswith(origin)
    finally:
        code, out = _stop(process)
    assert code in (0, -signal.SIGTERM), out
