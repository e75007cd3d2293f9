"""Run `azure-signin demo` as a subprocess on free ports, and walk a login like a browser."""
from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

CONSOLE_SCRIPT = Path(sys.executable).with_name("azure-signin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Demo:
    """One `azure-signin demo` process in its own working folder (its var/ lives there)."""

    folder: Path
    port: int = field(default_factory=free_port)
    sandbox_port: int = field(default_factory=free_port)
    demo_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def service(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def frontend(self) -> str:
        return f"http://localhost:{self.demo_port}"

    @property
    def sandbox(self) -> str:
        return f"https://localhost:{self.sandbox_port}"

    @property
    def log(self) -> Path:
        return self.folder / "demo.log"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNIN_")}
        env.update(
            PYTHONUNBUFFERED="1",
            SIGNIN_PORT=str(self.port),
            SIGNIN_SANDBOX_PORT=str(self.sandbox_port),
            SIGNIN_DEMO_PORT=str(self.demo_port),
            SIGNIN_PUBLIC_URL=self.service,
            SIGNIN_ALLOWED_ORIGINS=self.frontend,
            **extra,
        )
        return env

    def start(self, timeout: float = 90) -> Demo:
        self.folder.mkdir(parents=True, exist_ok=True)
        already = len(self.output())  # a restart appends to the same log
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [str(CONSOLE_SCRIPT), "demo"], cwd=self.folder, env=self.env(),
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while "Stop with Ctrl-C" not in self.output()[already:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the demo did not start; its output:\n{self.output()[-3000:]}")
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 20) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise AssertionError("the demo did not stop on SIGTERM") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def ca(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.folder / "var" / "sandbox" / "ca.pem"))

    def browser(self) -> httpx.Client:
        """A client that keeps cookies and follows nothing by itself."""
        return httpx.Client(verify=self.ca(), follow_redirects=False, timeout=30)

    def me(self, token: str) -> httpx.Response:
        return httpx.get(f"{self.service}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


@dataclass
class Landing:
    """Where a login ended: the frontend URL the service sent the browser to."""

    url: str

    def params(self) -> dict[str, str]:
        parts = urlsplit(self.url)
        found = {k: v[0] for k, v in parse_qs(parts.query).items()}
        found.update({k: v[0] for k, v in parse_qs(parts.fragment).items()})
        return found

    @property
    def token(self) -> str | None:
        return self.params().get("access_token")


def sign_in(demo: Demo, browser: httpx.Client, username: str, provider: str) -> Landing:
    """Click the frontend's sign-in button for `provider`, then follow the service's
    redirects; on the sandbox's authorize page, fill in the form and submit it (a POST of
    `username` and `action=signin` to the page's own URL)."""
    answer = browser.get(f"{demo.service}/login/aad",
                         params={"frontendHost": demo.frontend, "provider": provider})
    for _ in range(12):
        assert answer.status_code in (302, 303), (answer.status_code, answer.text[:500])
        location = answer.headers["location"]
        if location.startswith(demo.frontend + "/"):
            return Landing(location)
        if location.startswith(demo.sandbox + "/"):
            page = browser.get(location)
            assert page.status_code == 200 and "<form" in page.text
            answer = browser.post(location, data={"username": username, "action": "signin"})
        else:
            answer = browser.get(location)
    raise AssertionError("the login did not come back to the frontend")
