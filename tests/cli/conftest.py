"""Helpers for the command-line tests: a private SQLite database and data folder per test,
the installed console script, and the in-process entry point."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from entrypoints.cli import main

CONSOLE_SCRIPT = Path(sys.executable).with_name("azure-signin")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def clean_environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNIN_")}
    env.update(extra)
    return env


class Cli:
    """Runs `azure-signin` on one test's own database: `script(...)` through the installed
    console script (a subprocess), `run(...)` through `entrypoints.cli.main` in-process."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.dir = tmp_path
        self.settings = {
            "SIGNIN_DATABASE_URL": f"sqlite:///{tmp_path}/signin.db",
            "SIGNIN_DATA_DIR": str(tmp_path / "var"),
        }
        self._monkeypatch = monkeypatch
        self._capsys = capsys

    def env(self, **extra: str) -> dict[str, str]:
        return clean_environ(**self.settings, **extra)

    def script(self, *argv: str, timeout: float = 60, **extra: str) -> Result:
        done = subprocess.run([str(CONSOLE_SCRIPT), *argv], env=self.env(**extra), cwd=self.dir,
                              capture_output=True, text=True, timeout=timeout)
        return Result(done.returncode, done.stdout, done.stderr)

    def run(self, *argv: str, **extra: str) -> Result:
        for name in [k for k in os.environ if k.startswith("SIGNIN_")]:
            self._monkeypatch.delenv(name)
        for name, value in {**self.settings, **extra}.items():
            self._monkeypatch.setenv(name, value)
        self._monkeypatch.chdir(self.dir)
        self._capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse's own errors
            code = exit_.code if isinstance(exit_.code, int) else 1
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path, monkeypatch, capsys)
