"""`azure-signin demo` seeds its data idempotently: started twice on the same var/, the
workspaces, roles, invites and providers are the same."""
from __future__ import annotations

import asyncio

import pytest

from entrypoints.container import build_container
from entrypoints.lifecycle import stop
from entrypoints.settings import load_settings

from .support import Demo

pytestmark = pytest.mark.slow


async def _snapshot(demo: Demo) -> dict[str, list]:
    env = {k: v for k, v in demo.env().items() if k.startswith("SIGNIN_")}
    env["SIGNIN_DATA_DIR"] = str(demo.folder / "var")
    container = build_container(load_settings(env))
    admin = container.administration()
    try:
        return {
            "workspaces": [(w.id, w.name, w.frontend_host) for w in await admin.workspaces()],
            "roles": [(r.id, r.name, r.rank) for r in await admin.roles()],
            "invites": sorted((i.id, i.email, i.workspace_id, i.role, i.status.value)
                              for i in await admin.invites()),
            "providers": sorted((p.id, p.name, p.kind.value, p.issuer) for p in await admin.providers()),
        }
    finally:
        await stop(container)


def test_starting_the_demo_twice_on_the_same_var_changes_nothing(tmp_path):
    demo = Demo(tmp_path / "project")
    demo.start()
    assert demo.stop() == 0
    first = asyncio.run(_snapshot(demo))
    demo.start()
    assert demo.stop() == 0
    second = asyncio.run(_snapshot(demo))
    assert second == first
    assert first["workspaces"] == [
        (1, "Acme", demo.frontend), (2, "Globex", demo.frontend), (3, "Initech", demo.frontend)]
    assert [r[1] for r in first["roles"]] == ["owner", "editor", "viewer"]
    assert sorted(i[1:] for i in first["invites"]) == [
        ("alice@contoso.com", 1, "editor", "accepted"),
        ("alice@contoso.com", 3, "owner", "accepted"),
        ("bob@example.org", 1, "viewer", "accepted"),
        ("frank@fabrikam.com", 2, "owner", "pending"),
    ]
    assert {p[2] for p in first["providers"]} == {"local", "social"}
