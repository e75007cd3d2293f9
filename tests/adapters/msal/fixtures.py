"""Fixtures shared by the MSAL and Graph adapter tests: one Azure sandbox per module, and
the adapters configured against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from adapters.azure_sandbox.testing import (
    AAD_CLIENT_ID,
    AAD_CLIENT_SECRET,
    B2C_CLIENT_ID,
    B2C_CLIENT_SECRET,
    B2C_PASSWORD_RESET_POLICY,
    EXTERNAL_CLIENT_ID,
    EXTERNAL_CLIENT_SECRET,
    REDIRECT_URI,
    SandboxHandle,
    running_sandbox,
)
from adapters.graph import GraphProfileReader
from adapters.memory.clock import SystemClock
from adapters.msal import AuthorityConfig, MsalGateway
from core.identity import AuthorizationRequest, LoginFlow, RedeemedLogin

TIMEOUT = 5.0


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    with running_sandbox(tmp_path_factory.mktemp("sandbox")) as handle:
        yield handle


@pytest.fixture(autouse=True)
def clean_sandbox(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that use the sandbox start with no faults, an empty log and the real time."""
    if "sandbox" not in request.fixturenames:
        yield
        return
    sandbox: SandboxHandle = request.getfixturevalue("sandbox")
    sandbox.clear_faults()
    sandbox.clear_requests()
    sandbox.sandbox.clock_offset = 0.0
    yield
    sandbox.clear_faults()
    sandbox.sandbox.clock_offset = 0.0


def configs_for(
    sandbox: SandboxHandle, aad_authority: str | None = None, **aad: object
) -> list[AuthorityConfig]:
    authority = aad_authority or sandbox.aad_authority
    return [
        AuthorityConfig("aad", "aad", authority, AAD_CLIENT_ID, AAD_CLIENT_SECRET, **aad),  # type: ignore[arg-type]
        AuthorityConfig(
            "b2c",
            "b2c",
            sandbox.b2c_authority,
            B2C_CLIENT_ID,
            B2C_CLIENT_SECRET,
            password_reset_policy=B2C_PASSWORD_RESET_POLICY,
            graph_authority=sandbox.b2c_graph_authority,
        ),
        AuthorityConfig(
            "external", "external", sandbox.external_authority, EXTERNAL_CLIENT_ID, EXTERNAL_CLIENT_SECRET
        ),
    ]


@pytest.fixture
def configs(sandbox: SandboxHandle) -> list[AuthorityConfig]:
    return configs_for(sandbox)


@pytest_asyncio.fixture
async def gateway(sandbox: SandboxHandle, configs: list[AuthorityConfig]) -> AsyncIterator[MsalGateway]:
    gateway = MsalGateway(configs, ca_bundle=str(sandbox.ca_path), timeout=TIMEOUT, clock=SystemClock())
    yield gateway
    await gateway.aclose()


@pytest_asyncio.fixture
async def profiles(
    sandbox: SandboxHandle, configs: list[AuthorityConfig]
) -> AsyncIterator[GraphProfileReader]:
    reader = GraphProfileReader(
        configs,
        base_url=sandbox.graph_url,
        ca_bundle=str(sandbox.ca_path),
        connect_timeout=2.0,
        read_timeout=2.0,
        clock=SystemClock(),
        time_budget=4.0,
    )
    yield reader
    await reader.aclose()


def flow_for(request: AuthorizationRequest, authority: str, *, password_reset: bool = False) -> LoginFlow:
    return LoginFlow(
        state=request.state,
        authority=authority,
        protocol=request.protocol,
        binding_hash="h",
        created_at=datetime.now(UTC),
        password_reset=password_reset,
    )


async def sign_in(
    gateway: MsalGateway, sandbox: SandboxHandle, authority: str, username: str, action: str = "signin"
) -> tuple[LoginFlow, dict[str, str]]:
    """Begin a flow, play the user at the sandbox's form; the flow and the reply."""
    request = await gateway.begin(authority, REDIRECT_URI)
    return flow_for(request, authority), sandbox.sign_in(request.auth_uri, username, action)


async def login(gateway: MsalGateway, sandbox: SandboxHandle, authority: str, username: str) -> RedeemedLogin:
    flow, reply = await sign_in(gateway, sandbox, authority, username)
    return await gateway.redeem(flow, reply)
