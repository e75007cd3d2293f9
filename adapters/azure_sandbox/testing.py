"""Run a sandbox for tests: `running_sandbox(tmp_path)` serves it over TLS on a free port.

with running_sandbox(tmp_path) as sandbox:
    app = msal.ConfidentialClientApplication(
        AAD_CLIENT_ID, AAD_CLIENT_SECRET, authority=sandbox.aad_authority,
        instance_discovery=False, verify=str(sandbox.ca_path))
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI)
    reply = sandbox.sign_in(flow["auth_uri"], "alice@contoso.com")
    result = app.acquire_token_by_auth_code_flow(flow, reply)
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from litestar import Litestar

from .app import create_sandbox_app
from .directory import Directory, load_directory
from .keys import SigningKey
from .server import bind_loopback, build_server, origin_for
from .state import Clock, Sandbox
from .tls import ensure_certificates

AAD_CLIENT_ID = "5f0c4d8e-3a1b-4c2d-9e8f-0a1b2c3d4e5f"
AAD_CLIENT_SECRET = "sandbox-secret-aad-0123456789"
B2C_CLIENT_ID = "8b2e6f1a-7c3d-4e5f-a6b7-c8d9e0f1a2b3"
B2C_CLIENT_SECRET = "sandbox-secret-b2c-0123456789"
B2C_TENANT = "posterlabappdev.onmicrosoft.com"
B2C_POLICY = "B2C_1A_SIGNUP_SIGNIN"
EXTERNAL_TENANT_ID = "c1a40000-4e5f-4a6b-9c8d-7e6f5a4b3c2d"  # the Entra External ID tenant
EXTERNAL_TENANT = "posterlabcustomers.onmicrosoft.com"
EXTERNAL_CLIENT_ID = "ce1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b"
EXTERNAL_CLIENT_SECRET = "sandbox-secret-external-0123456789"
B2C_PASSWORD_RESET_POLICY = "B2C_1A_PASSWORDRESET"
REDIRECT_URI = "http://localhost:8000/redirect"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@dataclass
class SandboxHandle:
    """A running sandbox: where it is, what to trust, and helpers to drive it."""

    base_url: str
    port: int
    ca_path: Path
    state_dir: Path
    sandbox: Sandbox  # the live in-process state (directory, keys, faults, log)
    app: Litestar | None = None
    _seed_keys: dict[str, SigningKey] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Reset sandboxes start from the first instance's keys: generating RSA keys per test
        # would cost a tenth of a second each; rotation still makes new ones.
        self._seed_keys = self.sandbox.initial_keys()

    def reset(self, *, directory: Directory | None = None, clock: Clock | None = None) -> Sandbox:
        """Swap in fresh state (directory, keys, codes, faults, log, clock) without restarting
        the server, so one served sandbox can be shared by many tests."""
        if self.app is None:
            raise RuntimeError("this handle has no app to reset")
        fresh = Sandbox(
            directory or load_directory(), self.base_url, clock or time.time, seed_keys=self._seed_keys
        )
        self.app.state.sandbox = fresh
        self.sandbox = fresh
        return fresh

    @property
    def aad_authority(self) -> str:
        return f"{self.base_url}/organizations"

    @property
    def b2c_authority(self) -> str:
        return f"{self.base_url}/{B2C_TENANT}/{B2C_POLICY}"

    @property
    def b2c_graph_authority(self) -> str:
        """The B2C tenant's Azure AD face, for client-credentials Graph tokens."""
        return f"{self.base_url}/{B2C_TENANT}"

    @property
    def external_authority(self) -> str:
        """The Entra External ID tenant, as `https://{subdomain}.ciamlogin.com/{tenant-id}`."""
        return f"{self.base_url}/{EXTERNAL_TENANT_ID}"

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/graph/v1.0"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_path))

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client trusting the sandbox CA, based at the sandbox origin."""
        return httpx.Client(base_url=self.base_url, verify=self.ssl_context(), **kwargs)

    def sign_in(
        self, auth_uri: str, username: str = "", action: str = "signin", **fields: str
    ) -> dict[str, str]:
        """Submit the authorize form as a browser would; return the parameters of the reply
        redirect (`code`/`state` or `error`/`error_description`/`state`).

        Raises AssertionError (with the page text) when the sandbox answers with a page.
        """
        with self.client() as client:
            response = client.post(auth_uri, data={"username": username, "action": action, **fields})
        if response.status_code != 302:
            raise AssertionError(f"authorize answered {response.status_code}: {response.text[:2000]}")
        location = urlsplit(response.headers["location"])
        return dict(parse_qsl(location.fragment or location.query, keep_blank_values=True))

    def hook(self, method: str, path: str, json: Any = None) -> Any:
        with self.client() as client:
            response = client.request(method, f"/_sandbox/{path}", json=json)
        response.raise_for_status()
        return response.json() if response.content else None

    def add_fault(self, endpoint: str, **fault: Any) -> Any:
        return self.hook("POST", "faults", {"endpoint": endpoint, **fault})

    def clear_faults(self) -> None:
        self.hook("DELETE", "faults")

    def requests(self, kind: str | None = None) -> list[dict[str, Any]]:
        return self.sandbox.requests.entries(kind)

    def clear_requests(self) -> None:
        self.sandbox.requests.clear()

    def rotate_keys(self, family: str | None = None) -> dict[str, str]:
        return self.hook("POST", "keys/rotate", {"family": family} if family else {})  # type: ignore[no-any-return]

    def advance_clock(self, seconds: float) -> None:
        self.sandbox.clock_offset += seconds


@contextmanager
def running_sandbox(
    state_dir: str | Path,
    *,
    directory: Directory | None = None,
    clock: Clock | None = None,
    port: int = 0,
    startup_timeout: float = 10.0,
) -> Iterator[SandboxHandle]:
    """Serve a fresh sandbox over TLS on 127.0.0.1 (`port` 0: a free one) in a background
    thread; stop it on exit. Certificates live in `state_dir` (created if needed)."""
    files = ensure_certificates(state_dir)
    sock = bind_loopback("127.0.0.1", port)
    bound_port = sock.getsockname()[1]
    kwargs = {"clock": clock} if clock is not None else {}
    app = create_sandbox_app(directory or load_directory(), origin=origin_for(bound_port), **kwargs)
    server = build_server(app, sock, files)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="azure-sandbox", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Azure sandbox did not start")
            time.sleep(0.005)
        yield SandboxHandle(
            base_url=origin_for(bound_port),
            port=bound_port,
            ca_path=files.ca_cert,
            state_dir=Path(state_dir),
            sandbox=app.state.sandbox,
            app=app,
        )
    finally:
        server.should_exit = True
        # Idle keep-alive TLS connections (MSAL's requests session keeps some) would hold a
        # graceful shutdown until its timeout; a test sandbox has nothing worth waiting for.
        server.force_exit = True
        thread.join(timeout=5)
        sock.close()
