"""Making a person's browser trust the sandbox's CA, and undoing it.

Chromium and Firefox on Linux read certificate authorities from NSS databases: Chromium
from `~/.pki/nssdb`, Firefox from each profile's folder. `trust` adds the CA to those with
`certutil` (Debian's `libnss3-tools`), optionally also to the system store
(`/usr/local/share/ca-certificates` + `update-ca-certificates`, for curl and friends);
`untrust` removes every certificate it ever added, and nothing else: each carries the
nickname prefix `NICKNAME`, and the system store file the prefix `SYSTEM_FILE_PREFIX`.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

NICKNAME = "azure-signin sandbox CA"
SYSTEM_FILE_PREFIX = "azure-signin-sandbox-"
SYSTEM_STORE = Path("/usr/local/share/ca-certificates")
TIMEOUT = 30  # seconds for any one certutil / update-ca-certificates run


class TrustError(RuntimeError):
    """Trust cannot be changed here; the message says why and what to do."""


@dataclass(frozen=True)
class TrustChange:
    """What `trust` or `untrust` did: one line per database or store touched."""

    lines: tuple[str, ...]


def fingerprint(ca_file: Path) -> str:
    cert = x509.load_pem_x509_certificate(ca_file.read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex()


def nss_databases(home: Path, *, create: bool) -> list[Path]:
    """Chromium's database (created when `create`) and every Firefox profile that has one."""
    found = []
    chromium = home / ".pki" / "nssdb"
    if create or (chromium / "cert9.db").exists():
        found.append(chromium)
    firefox = home / ".mozilla" / "firefox"
    if firefox.is_dir():
        found.extend(sorted(p.parent for p in firefox.glob("*/cert9.db")))
    return found


def _certutil(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("certutil")
    if tool is None:
        raise TrustError("certutil not found: install it with `apt-get install libnss3-tools`")
    try:
        # a fixed tool with our own arguments (paths and a nickname), never a shell
        return subprocess.run(  # noqa: S603
            [tool, *args], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise TrustError(f"certutil did not finish within {TIMEOUT} s") from None


def _ensure_database(db: Path) -> None:
    if (db / "cert9.db").exists():
        return
    db.mkdir(parents=True, exist_ok=True, mode=0o700)
    done = _certutil("-N", "-d", f"sql:{db}", "--empty-password")
    if done.returncode != 0:
        raise TrustError(f"cannot create the NSS database {db}: {done.stderr.strip()[:200]}")


def _ours(db: Path) -> list[str]:
    listed = _certutil("-L", "-d", f"sql:{db}")
    if listed.returncode != 0:
        return []
    names = []
    for line in listed.stdout.splitlines():
        if line.startswith(NICKNAME):
            names.append(line[: line.rfind(")") + 1] if ")" in line else line.rstrip())
    return names


def trust(ca_file: Path, home: Path, *, system: bool = False) -> TrustChange:
    """Add `ca_file` (trusted to identify web sites, nothing more) to the NSS databases
    under `home` and, with `system`, to the system store. Idempotent."""
    nickname = f"{NICKNAME} ({fingerprint(ca_file)[:16]})"
    lines = []
    for db in nss_databases(home, create=True):
        _ensure_database(db)
        if nickname in _ours(db):
            lines.append(f"already trusted in {db}")
            continue
        done = _certutil("-A", "-d", f"sql:{db}", "-t", "C,,", "-n", nickname, "-i", str(ca_file))
        if done.returncode != 0:
            raise TrustError(f"certutil could not add the CA to {db}: {done.stderr.strip()[:200]}")
        lines.append(f"trusted in {db}")
    if system:
        target = SYSTEM_STORE / f"{SYSTEM_FILE_PREFIX}{fingerprint(ca_file)[:16]}.crt"
        try:
            SYSTEM_STORE.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ca_file, target)
        except OSError as error:
            raise TrustError(f"cannot write {target} ({error.strerror}); run it as root") from None
        _update_system_store()
        lines.append(f"trusted in the system store ({target})")
    return TrustChange(tuple(lines))


def untrust(home: Path, *, system: bool = False) -> TrustChange:
    """Remove every sandbox CA `trust` added under `home` (and, with `system`, from the
    system store). Idempotent: nothing to remove is not an error."""
    lines = []
    for db in nss_databases(home, create=False):
        for nickname in _ours(db):
            done = _certutil("-D", "-d", f"sql:{db}", "-n", nickname)
            if done.returncode != 0:
                problem = done.stderr.strip()[:200]
                raise TrustError(f"certutil could not remove {nickname!r} from {db}: {problem}")
            lines.append(f"removed {nickname} from {db}")
    if system:
        removed = False
        for path in sorted(SYSTEM_STORE.glob(f"{SYSTEM_FILE_PREFIX}*.crt")):
            try:
                path.unlink()
            except OSError as error:
                raise TrustError(f"cannot remove {path} ({error.strerror}); run it as root") from None
            lines.append(f"removed {path}")
            removed = True
        if removed:
            _update_system_store()
    return TrustChange(tuple(lines) or ("no sandbox CA was trusted here",))


def _update_system_store() -> None:
    tool = shutil.which("update-ca-certificates")
    if tool is None:
        raise TrustError("update-ca-certificates not found: install Debian's ca-certificates")
    try:
        done = subprocess.run(  # noqa: S603 (a fixed tool and argument)
            [tool, "--fresh"], capture_output=True, text=True, timeout=TIMEOUT * 4, check=False)
    except subprocess.TimeoutExpired:
        raise TrustError("update-ca-certificates did not finish in time") from None
    if done.returncode != 0:
        raise TrustError(f"update-ca-certificates failed: {done.stderr.strip()[:200]}")
