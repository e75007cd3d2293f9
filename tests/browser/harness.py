"""The browser harness: Debian's Chromium driven by Playwright, a demo on free ports whose
sandbox CA the browser trusts through `azure-signin sandbox trust` (in a throwaway HOME,
never the real user's), and a `Person` who clicks through the demo frontend.

Every `Person` watches, for the whole test, what a reviewer would check by hand in the
browser's developer tools: no request leaves the three local origins, no console error but
the 4xx the journey expects, no page error, the address bar and the history hold no token
or code after landing, and the cookies' attributes.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tests.demo.support import CONSOLE_SCRIPT, Demo

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
CHROMIUM = Path(os.environ.get("SIGNIN_TEST_CHROMIUM", "/usr/bin/chromium"))
# --headless comes from Playwright's headless=True; launch() gives a fresh --user-data-dir.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SECRET_PARAMS = {"access_token", "id_token", "refresh_token", "code", "client_secret"}
FAILED_RESOURCE = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")
JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")
DEFAULT_TIMEOUT_MS = 20_000


def missing_tools() -> list[str]:
    """What the browser suite needs and this machine lacks (`.ci/run` installs them)."""
    missing = []
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    if shutil.which("certutil") is None:
        missing.append("certutil (apt-get install libnss3-tools)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (make install)")
    return missing


def run_cli(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CONSOLE_SCRIPT), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def throwaway_env(home: Path, sandbox_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNIN_")}
    env.update(HOME=str(home), SIGNIN_SANDBOX_DIR=str(sandbox_dir))
    return env


def trust_sandbox(home: Path, sandbox_dir: Path) -> str:
    """`azure-signin sandbox trust`, as the README tells a newcomer, into `home`."""
    done = run_cli("sandbox", "trust", env=throwaway_env(home, sandbox_dir))
    assert done.returncode == 0, done.stderr
    return done.stdout


def untrust_sandbox(home: Path, sandbox_dir: Path) -> str:
    done = run_cli("sandbox", "untrust", env=throwaway_env(home, sandbox_dir))
    assert done.returncode == 0, done.stderr
    return done.stdout


def launch(playwright, home: Path):
    """Debian's Chromium with the machine's flags, reading its NSS database from `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNIN_")}
    env["HOME"] = str(home)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_FLAGS, env=env)


@dataclass
class BrowserDemo(Demo):
    """A demo whose sandbox uses the session's CA folder (the one the browser trusts)."""

    sandbox_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        env = super().env(**extra)
        if self.sandbox_dir is not None:
            env["SIGNIN_SANDBOX_DIR"] = str(self.sandbox_dir)
        env.update(self.extra_env)
        return env

    def ca(self):
        import ssl

        folder = self.sandbox_dir or self.folder / "var" / "sandbox"
        return ssl.create_default_context(cafile=str(folder / "ca.pem"))

    @property
    def origins(self) -> set[str]:
        return {self.frontend, self.service, self.sandbox}

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, env=self.env(), cwd=self.folder)


def secret_params(url: str) -> set[str]:
    """Names of token-bearing parameters in a URL's query or fragment."""
    parts = urlsplit(url)
    names = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    names |= {k for k, _ in parse_qsl(parts.fragment, keep_blank_values=True)}
    found = names & SECRET_PARAMS
    if JWT.search(url):
        found.add("a JWT")
    return found


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Watch:
    """What one browser context did: requests, console errors, page errors."""

    allowed: set[str]
    expected_statuses: set[int] = field(default_factory=set)
    expected_console: list[re.Pattern[str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", self._page)

    def _page(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(
            f"{message.text} (at {urlsplit(message.location.get('url', '')).path or '?'})"))
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def problems(self) -> list[str]:
        found = []
        for url in self.requests:
            if url.startswith(("data:", "blob:", "about:")):
                continue
            if _origin(url) not in self.allowed:
                found.append(f"request to another origin: {_origin(url)}")
        for text in self.console_errors:
            status = FAILED_RESOURCE.search(text)
            if status and int(status.group(1)) in self.expected_statuses:
                continue
            if any(p.search(text) for p in self.expected_console):
                continue
            found.append(f"console error: {text}")
        found += [f"page error: {text}" for text in self.page_errors]
        return found


class Person:
    """Someone at the browser: opens the demo, clicks what a person clicks, reads the page."""

    def __init__(self, demo: BrowserDemo, context, watch: Watch, name: str) -> None:
        self.demo, self.context, self.watch, self.name = demo, context, watch, name
        self.page = context.new_page()
        self.page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.snapshots = 0

    # --- what a person does
    def open_home(self) -> Person:
        self.page.goto(self.demo.frontend + "/")
        self.page.locator("#signin").wait_for()
        return self

    def click_sign_in(self, provider: str = "aad") -> Person:
        label = {"aad": "Sign in with Azure AD", "b2c": "Sign in with Azure AD B2C"}[provider]
        self.page.get_by_role("link", name=label, exact=True).click()
        self.page.wait_for_url(self.demo.sandbox + "/**")
        self.page.get_by_role("heading", level=1).wait_for()
        return self

    def pick_account(self, sign_in_name: str) -> Person:
        """On the sandbox's account picker: the account's button, by its visible name."""
        self.check_flow_cookies()
        self.page.get_by_role("button", name=sign_in_name, exact=True).click()
        return self

    def type_sign_in_name(self, name: str) -> Person:
        self.check_flow_cookies()
        self.page.get_by_label("Sign-in name").fill(name)
        self.page.get_by_role("button", name="Sign in", exact=True).click()
        return self

    def press(self, label: str) -> Person:
        self.check_flow_cookies()
        self.page.get_by_role("button", name=label, exact=True).click()
        return self

    def sign_in(self, sign_in_name: str, provider: str = "aad") -> Person:
        return self.open_home().click_sign_in(provider).pick_account(sign_in_name).landed()

    def reload(self) -> Person:
        self.page.reload()
        return self.landed()

    def sign_out(self) -> Person:
        self.page.get_by_role("button", name="Sign out", exact=True).click()
        self.page.locator("#signed-out").wait_for()
        return self

    # --- what a person reads
    def landed(self) -> Person:
        """Back on the frontend, once its script has shown a final view."""
        self.page.wait_for_url(self.demo.frontend + "/**")
        self.page.locator("#profile:visible, #error:visible, #signed-out:visible, #signin:visible").wait_for()
        self.check_address_and_history()
        return self

    def view(self) -> str:
        for section in ("profile", "error", "signed-out", "signin", "working"):
            if self.page.locator(f"#{section}").is_visible():
                return section
        return "none"

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text().strip()

    def error_code(self) -> str:
        assert self.view() == "error", f"{self.name} sees {self.view()}, not an error"
        return self.text("#error-code")

    def signed_in_as(self) -> dict[str, str]:
        seen = self.page.inner_text("main")[:300]
        assert self.view() == "profile", f"{self.name} sees {self.view()}: {seen}"
        return {key: self.text(f"#{key}") for key in ("user-email", "workspace", "role", "header-name")}

    def token(self) -> str | None:
        return self.page.evaluate("() => sessionStorage.getItem('azure-signin-demo.token')")

    # --- what the harness checks on every journey
    def history(self) -> list[str]:
        cdp = self.context.new_cdp_session(self.page)
        try:
            entries = cdp.send("Page.getNavigationHistory")["entries"]
        finally:
            cdp.detach()
        return [entry["url"] for entry in entries]

    def check_address_and_history(self) -> None:
        assert not secret_params(self.page.url), f"address bar holds {secret_params(self.page.url)}"
        for url in self.history():
            assert not secret_params(url), f"history holds {secret_params(url)}: {urlsplit(url).path}"

    def check_flow_cookies(self) -> None:
        """While a login is in flight the service holds one binding cookie per login, and
        each is HttpOnly, SameSite=Lax, and Secure with the __Host- prefix on https."""
        https = self.demo.service.startswith("https://")
        ours = [c for c in self.context.cookies() if "signin-flow" in c["name"]]
        assert ours, "no flow-binding cookie while a login is in flight"
        for cookie in self.context.cookies():
            assert cookie["httpOnly"], cookie["name"]
            assert cookie["sameSite"] == "Lax", cookie["name"]
            assert cookie["secure"] == https and cookie["name"].startswith("__Host-") == https, cookie["name"]

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
