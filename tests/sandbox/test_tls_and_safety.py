from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from adapters.azure_sandbox.server import (
    SandboxRefused,
    SandboxSettings,
    bind_loopback,
    loopback_address,
    refuse_production,
    serve,
)
from adapters.azure_sandbox.testing import running_sandbox
from adapters.azure_sandbox.tls import ca_path, ensure_certificates
from entrypoints import cli_sandbox

REPO = Path(__file__).resolve().parents[2]
CLI = (
    "import argparse, sys; from entrypoints import cli_sandbox; p = argparse.ArgumentParser(); "
    "cli_sandbox.register(p.add_subparsers()); a = p.parse_args(sys.argv[1:]); sys.exit(a.handler(a))"
)


def main(argv: list[str]) -> int:
    """`azure-signin <argv>` with only the sandbox command registered."""
    parser = argparse.ArgumentParser()
    cli_sandbox.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def test_ca_path_is_a_pure_function_of_the_directory(tmp_path):
    assert ca_path(tmp_path) == tmp_path / "ca.pem"
    assert not (tmp_path / "ca.pem").exists()


def test_certificates_are_created_once_and_reused(tmp_path):
    first = ensure_certificates(tmp_path / "state")
    ca_bytes, server_bytes = first.ca_cert.read_bytes(), first.server_cert.read_bytes()
    second = ensure_certificates(tmp_path / "state")
    assert second.ca_cert.read_bytes() == ca_bytes and second.server_cert.read_bytes() == server_bytes
    assert oct(first.ca_key.stat().st_mode & 0o777) == "0o600"
    cert = x509.load_pem_x509_certificate(server_bytes)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]


def test_server_certificate_is_renewed_when_the_ca_changes(tmp_path):
    files = ensure_certificates(tmp_path)
    old_server = files.server_cert.read_bytes()
    files.ca_cert.unlink()
    ensure_certificates(tmp_path)
    assert files.server_cert.read_bytes() != old_server


def test_served_over_tls_trusted_by_ca_for_localhost_and_127(sandbox_state_dir):
    with running_sandbox(sandbox_state_dir) as handle:
        context = ssl.create_default_context(cafile=str(handle.ca_path))
        for host in ("localhost", "127.0.0.1"):
            response = httpx.get(f"https://{host}:{handle.port}/_sandbox/health", verify=context)
            assert response.json()["origin"] == f"https://localhost:{handle.port}"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{handle.base_url}/_sandbox/health", verify=ssl.create_default_context())


def test_refuses_production():
    with pytest.raises(SandboxRefused, match="production"):
        refuse_production({"SIGNIN_ENV": "production"})
    refuse_production({"SIGNIN_ENV": "development"})
    with pytest.raises(SandboxRefused):
        serve(SandboxSettings(port=0), env={"SIGNIN_ENV": "Production"})


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com", "10.0.0.1"])
def test_refuses_non_loopback_hosts(host):
    with pytest.raises(SandboxRefused, match="loopback"):
        loopback_address(host)
    with pytest.raises(SandboxRefused):
        bind_loopback(host, 0)


def test_binds_loopback_only():
    sock = bind_loopback("localhost", 0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1" and sock.family == socket.AF_INET
    finally:
        sock.close()


def test_settings_from_environment(tmp_path):
    settings = SandboxSettings.from_env({"SIGNIN_SANDBOX_PORT": "9443", "SIGNIN_SANDBOX_DIR": str(tmp_path)})
    assert settings.port == 9443 and settings.state_dir == tmp_path and settings.host == "127.0.0.1"
    assert SandboxSettings.from_env({}).port == 8443
    assert SandboxSettings.from_env({}).state_dir == Path("var/sandbox")
    with pytest.raises(SandboxRefused, match="SIGNIN_SANDBOX_PORT"):
        SandboxSettings.from_env({"SIGNIN_SANDBOX_PORT": "eighty"})


def test_cli_refuses_production_with_message(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("SIGNIN_ENV", "production")
    monkeypatch.setenv("SIGNIN_SANDBOX_DIR", str(tmp_path))
    assert main(["sandbox"]) != 0
    assert "production" in capsys.readouterr().err
    assert not (tmp_path / "ca.pem").exists()


def test_cli_refuses_a_public_host(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("SIGNIN_ENV", raising=False)
    assert main(["sandbox", "--host", "0.0.0.0", "--state-dir", str(tmp_path)]) != 0
    assert "loopback" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_serves_the_sandbox_in_a_subprocess(tmp_path):
    port = _free_port()
    env = {**os.environ, "SIGNIN_SANDBOX_PORT": str(port), "SIGNIN_SANDBOX_DIR": str(tmp_path)}
    env.pop("SIGNIN_ENV", None)
    code = "import sys; from entrypoints.cli import main; sys.exit(main(['sandbox']))"
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                context = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
                response = httpx.get(
                    f"https://localhost:{port}/organizations/v2.0/.well-known/openid-configuration"
                    "?secret=do-not-log",
                    verify=context,
                )
                break
            except (httpx.ConnectError, FileNotFoundError, ssl.SSLError):
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.json()["issuer"] == f"https://localhost:{port}/{{tenantid}}/v2.0"
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert b"do-not-log" not in out + err
