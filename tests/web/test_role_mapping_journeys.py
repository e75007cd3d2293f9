"""App-role and group changes in the directory change workspace roles at the next sign-in;
an overage user's groups come from Graph (issue 18, item 3), with the real adapters."""
from __future__ import annotations

import uuid

import pytest

from core.model import MappingSource
from tests.web.support import roles_of

ALICE = "alice@contoso.com"
CONTOSO = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
GROUP = "6a1b2c3d-0000-4000-8000-0000000000aa"


@pytest.fixture(autouse=True)
def _fresh_sandbox(sandbox):
    sandbox.reset()
    yield
    sandbox.reset()


async def sign_in_roles(browser, username: str = ALICE) -> dict[int, str]:
    landing = await browser.login(username, "aad")
    assert landing.token, landing.hops
    return roles_of((await browser.me(landing.token)).json())


async def test_app_roles_and_groups_in_the_directory_become_workspace_roles(service, sandbox):
    browser, operator = service
    assert await sign_in_roles(browser) == {1: "editor"}  # the seeded invite; the tenant's provider
    issuer = f"{sandbox.base_url}/{CONTOSO}/v2.0"
    async with operator.container() as container:
        admin = container.administration()
        await admin.add_role_mapping(issuer, MappingSource.APP_ROLE, "Globex.Owner", 2, "owner")
        await admin.add_role_mapping(issuer, MappingSource.GROUP, GROUP, 2, "viewer")
        await admin.add_role_mapping(issuer, MappingSource.APP_ROLE, "Acme.Viewer", 1, "viewer")

    sandbox.hook("POST", f"users/{ALICE}/assignments", {"app_roles": ["Globex.Owner", "Acme.Viewer"]})
    assert await sign_in_roles(browser) == {1: "editor", 2: "owner"}  # the invite's editor is kept
    sandbox.hook("POST", f"users/{ALICE}/assignments", {"app_roles": [], "groups": [GROUP]})
    assert await sign_in_roles(browser) == {1: "editor", 2: "viewer"}
    sandbox.hook("POST", f"users/{ALICE}/assignments", {"groups": []})
    assert await sign_in_roles(browser) == {1: "editor"}
    assert sandbox.requests("graph")[-1]["path"].endswith("/me")  # no overage: no group reads


async def test_an_overage_users_groups_come_from_graph(service, sandbox):
    browser, operator = service
    await sign_in_roles(browser)
    async with operator.container() as container:
        await container.administration().add_role_mapping(
            f"{sandbox.base_url}/{CONTOSO}/v2.0", MappingSource.GROUP, GROUP, 2, "viewer"
        )
    many = [str(uuid.UUID(int=n)) for n in range(1, 251)] + [GROUP]
    sandbox.hook("POST", f"users/{ALICE}/assignments", {"groups": many})
    sandbox.clear_requests()
    assert await sign_in_roles(browser) == {1: "editor", 2: "viewer"}
    pages = [r for r in sandbox.requests("graph") if "transitiveMemberOf" in r["path"]]
    assert len(pages) == 3 and all(r["status"] == 200 for r in pages)  # 251 groups, 100 a page
    sandbox.hook("POST", f"users/{ALICE}/assignments", {"groups": many[:-1]})
    assert await sign_in_roles(browser) == {1: "editor"}


async def test_graph_down_fails_an_overage_users_sign_in_closed(service, sandbox):
    browser, _ = service
    many = [str(uuid.UUID(int=n)) for n in range(1, 202)]
    sandbox.hook("POST", f"users/{ALICE}/assignments", {"groups": many})
    sandbox.add_fault("graph", status=503, count=10)
    landing = await browser.login(ALICE, "aad")
    assert landing.error == "temporarily_unavailable" and landing.token is None
