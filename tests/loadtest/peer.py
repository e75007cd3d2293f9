"""The peer (tests/bench/peer/): its own venv under var/ from its pinned requirements, served
by gunicorn with threads on a free port, against the same sandbox as the service."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from adapters.azure_sandbox.testing import AAD_CLIENT_ID, AAD_CLIENT_SECRET
from tests.reliability.processes import Process, base_env, free_port

from .loadgen import Target
from .topology import ROOT, Topology

PEER = ROOT / "tests" / "bench" / "peer"
VENV = ROOT / "var" / "peer-venv"
# registered for the sandbox's signin-aad application; the generator sends the browser's
# callback to the peer's real port (as it does for the service's /redirect)
REDIRECT_URI = "http://localhost:8000/auth/redirect-uri"


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements"
    wanted = (PEER / "requirements.txt").read_text()
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, timeout=120)
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                str(PEER / "requirements.txt"),
            ],
            check=True,
            timeout=600,
        )
        stamp.write_text(wanted)
    return VENV / "bin" / "gunicorn"


def start_peer(topo: Topology, threads: int = 8) -> tuple[Target, Process]:
    gunicorn = ensure_venv()
    port = free_port()
    folder = topo.folder / "peer"
    folder.mkdir(parents=True, exist_ok=True)
    env = base_env(
        REQUESTS_CA_BUNDLE=str(topo.ca),
        PEER_SECRET_KEY=secrets.token_hex(16),
        PEER_SESSION_DIR=str(folder / "sessions"),
        PEER_AUTHORITY=f"{topo.sandbox_base}/organizations/v2.0",
        PEER_CLIENT_ID=AAD_CLIENT_ID,
        PEER_CLIENT_SECRET=AAD_CLIENT_SECRET,
        PEER_REDIRECT_URI=REDIRECT_URI,
        PEER_GRAPH_URL=f"{topo.sandbox_base}/graph/v1.0",
    )
    argv = [
        str(gunicorn),
        "--workers",
        "1",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(PEER),
        "--log-level",
        "warning",
        "app:app",
    ]
    process = Process(argv, env, folder / "gunicorn.log", PEER).start()
    base = f"http://127.0.0.1:{port}"
    process.wait_for(f"{base}/health")
    target = Target(
        "peer",
        [base],
        start_path="/",
        start_params={},
        callback_path="/auth/redirect-uri",
        done=lambda r: False,
        token_checks=False,
    )
    return target, process
