from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.azure_sandbox.testing import SandboxHandle, running_sandbox
from adapters.azure_sandbox.tls import ensure_certificates


@pytest.fixture(scope="session")
def sandbox_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sandbox-state")
    ensure_certificates(path)
    return path


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    import time

    return FakeClock(time.time())


@pytest.fixture(scope="session")
def served_sandbox(sandbox_state_dir: Path) -> Iterator[SandboxHandle]:
    with running_sandbox(sandbox_state_dir) as handle:
        yield handle


@pytest.fixture
def sandbox(served_sandbox: SandboxHandle, clock: FakeClock) -> SandboxHandle:
    """The shared served sandbox with fresh state and this test's clock."""
    served_sandbox.reset(clock=clock)
    return served_sandbox


@pytest.fixture(autouse=True)
def _requests_honours_msal_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a Session's `verify`, so
    # MSAL's verify=<sandbox CA> would be ignored on machines that set them (docs/sandbox.md).
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
