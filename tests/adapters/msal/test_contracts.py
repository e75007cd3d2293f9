"""The MSAL gateway and the Graph reader pass their ports' contract suites on the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from adapters.azure_sandbox.testing import REDIRECT_URI, SandboxHandle
from adapters.contracts.microsoft import IdentityGatewayContract, ProfileReaderContract
from adapters.graph import GraphProfileReader
from adapters.memory.clock import SystemClock
from adapters.msal import MsalGateway
from core.identity import AuthorizationRequest
from tests.adapters.msal.fixtures import TIMEOUT, configs_for


class SandboxFixtures:
    @pytest_asyncio.fixture
    async def gateway(self, sandbox: SandboxHandle) -> AsyncIterator[MsalGateway]:
        gateway = MsalGateway(
            configs_for(sandbox), ca_bundle=str(sandbox.ca_path), timeout=TIMEOUT, clock=SystemClock()
        )
        yield gateway
        await gateway.aclose()

    @pytest_asyncio.fixture
    async def profiles(self, sandbox: SandboxHandle) -> AsyncIterator[GraphProfileReader]:
        reader = GraphProfileReader(
            configs_for(sandbox),
            base_url=sandbox.graph_url,
            ca_bundle=str(sandbox.ca_path),
            connect_timeout=2.0,
            read_timeout=2.0,
            clock=SystemClock(),
            time_budget=4.0,
        )
        yield reader
        await reader.aclose()

    @pytest.fixture
    def sign_in(self, sandbox: SandboxHandle):
        def play(request: AuthorizationRequest, username: str, action: str) -> dict[str, str]:
            return sandbox.sign_in(request.auth_uri, username, action)

        return play

    @pytest.fixture
    def known_username(self) -> str:
        return "alice@contoso.com"

    @pytest.fixture
    def disable_account(self, sandbox: SandboxHandle):
        changed: list[str] = []

        def disable(username: str) -> None:
            sandbox.hook("POST", f"users/{username}/disable")
            changed.append(username)

        yield disable
        for username in changed:
            sandbox.hook("POST", f"users/{username}/enable")

    @pytest.fixture
    def b2c_username(self) -> str:
        return "bob@example.org"  # a B2C local account (email sign-in)

    @pytest.fixture
    def federated_username(self) -> str:
        return "carol@gmail.com"  # Google, federated through B2C

    @pytest.fixture
    def redirect_uri(self) -> str:
        return REDIRECT_URI


class TestMsalGatewayContract(SandboxFixtures, IdentityGatewayContract):
    pass


class TestGraphProfileReaderContract(SandboxFixtures, ProfileReaderContract):
    pass
