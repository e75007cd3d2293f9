"""`azure-signin sandbox trust` / `untrust` on a throwaway HOME: the CA lands in the NSS
databases Chromium and Firefox read, twice is once, and untrust removes only ours."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from adapters.azure_sandbox.tls import ensure_certificates
from adapters.azure_sandbox.trust import NICKNAME, trust, untrust
from tests.conftest import IN_CI


@pytest.fixture
def certutil():
    tool = shutil.which("certutil")
    if tool is None:
        message = "certutil is not installed (apt-get install libnss3-tools)"
        if IN_CI:
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    return tool


def listed(certutil, db) -> str:
    return subprocess.run([certutil, "-L", "-d", f"sql:{db}"], capture_output=True, text=True,
                          timeout=30, check=True).stdout


def test_trust_is_idempotent_and_untrust_removes_only_what_trust_added(certutil, tmp_path):
    home = tmp_path / "home"
    firefox = home / ".mozilla" / "firefox" / "abcd.default-release"
    firefox.mkdir(parents=True)
    subprocess.run([certutil, "-N", "-d", f"sql:{firefox}", "--empty-password"], check=True, timeout=30)
    ca = ensure_certificates(tmp_path / "sandbox").ca_cert
    other = ensure_certificates(tmp_path / "someone-else").ca_cert
    subprocess.run([certutil, "-A", "-d", f"sql:{firefox}", "-t", "C,,", "-n", "a CA of the user's",
                    "-i", str(other)], check=True, timeout=30)

    first = trust(ca, home)
    assert [line.split(" in ")[0] for line in first.lines] == ["trusted", "trusted"]
    again = trust(ca, home)
    assert all(line.startswith("already trusted") for line in again.lines)
    for db in (home / ".pki" / "nssdb", firefox):
        assert listed(certutil, db).count(NICKNAME) == 1

    removed = untrust(home)
    assert len(removed.lines) == 2
    for db in (home / ".pki" / "nssdb", firefox):
        assert NICKNAME not in listed(certutil, db)
    assert "a CA of the user's" in listed(certutil, firefox)
    assert untrust(home).lines == ("no sandbox CA was trusted here",)
