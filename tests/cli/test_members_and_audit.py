"""`member list|set|remove`, `audit list` and an audited `invite revoke`, in-process."""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

from core.model import Membership, User
from entrypoints.container import build_container
from entrypoints.settings import load_settings


def _people(cli, *members: tuple[str, str]) -> list[str]:
    """Verified users with a role in workspace 1, written straight into the CLI's database."""
    async def write() -> list[str]:
        container = build_container(load_settings(cli.env()))
        try:
            async with container.uow()() as uow:
                ids = []
                for n, (email, role) in enumerate(members):
                    user = User(f"u{n}", email, email, f"Person {n}", datetime(2025, 1, 1, tzinfo=UTC))
                    await uow.users.add(user)
                    await uow.memberships.add(Membership(user.id, 1, role, user.created_at))
                    ids.append(user.id)
                await uow.commit()
            return ids
        finally:
            await container.database().dispose()

    return asyncio.run(write())


def test_members_are_listed_changed_and_removed_and_each_change_is_audited(cli, caplog):
    cli.run("workspace", "add", "Acme", "--host", "http://localhost:3001")
    owner, viewer = _people(cli, ("olga@contoso.com", "owner"), ("vic@contoso.com", "viewer"))
    listed = cli.run("member", "list", "--workspace", "1", "--json")
    assert listed.code == 0, listed.err
    assert [(m["user"], m["email"], m["role"]) for m in listed.json()] == [
        (owner, "olga@contoso.com", "owner"), (viewer, "vic@contoso.com", "viewer")]
    with caplog.at_level(logging.INFO, logger="azure_signin.security"):
        changed = cli.run("member", "set", "VIC@contoso.com", "--workspace", "1", "--role", "editor",
                          "--json")
    assert changed.code == 0, changed.err
    assert changed.json() == {"user": viewer, "workspace": 1, "role": "editor"}
    [record] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "azure_signin.security"]
    assert (record["event"], record["actor"], record["workspace"]) == ("member_role_changed", "operator", 1)
    assert viewer not in json.dumps(record) and "vic@" not in json.dumps(record)

    last = cli.run("member", "set", owner, "--workspace", "1", "--role", "viewer")
    assert last.code == 2
    assert last.err.strip() == "azure-signin member set: a workspace keeps at least one owner"
    removed = cli.run("member", "remove", "vic@contoso.com", "--workspace", "1", "--json")
    assert removed.json() == {"user": viewer, "workspace": 1, "invites_revoked": 0}
    gone = cli.run("member", "remove", "vic@contoso.com", "--workspace", "1")
    assert (gone.code, gone.err.strip()) == (2, "azure-signin member remove: no such member")
    nobody = cli.run("member", "set", "nobody@contoso.com", "--workspace", "1", "--role", "viewer")
    assert (nobody.code, nobody.err.strip()) == (2, "azure-signin member set: no such user")
    nowhere = cli.run("member", "list", "--workspace", "9")
    assert (nowhere.code, nowhere.err.strip()) == (2, "azure-signin member list: no such workspace")

    trail = cli.run("audit", "list", "--json").json()
    assert [(e["action"], e["actor"], e["target"], e["details"]) for e in trail] == [
        ("member_removed", "operator", viewer, "was=editor"),
        ("member_role_changed", "operator", viewer, "role=editor was=viewer"),
    ]
    newest = cli.run("audit", "list", "--workspace", "1", "--limit", "1", "--json").json()
    assert [e["action"] for e in newest] == ["member_removed"]
    table = cli.run("audit", "list").out.splitlines()
    assert table[0].split() == ["AT", "ACTION", "WORKSPACE", "ACTOR", "TARGET", "DETAILS", "CORRELATION"]


def test_invite_revoke_goes_through_the_audited_use_case(cli):
    cli.run("workspace", "add", "Acme", "--host", "http://localhost:3001")
    added = cli.run("invite", "add", "erin@contoso.com", "--workspace", "1", "--role", "viewer", "--json")
    invite = added.json()
    revoked = cli.run("invite", "revoke", invite["id"], "--json")
    assert revoked.code == 0, revoked.err
    assert revoked.json()["status"] == "revoked"
    [event] = cli.run("audit", "list", "--json").json()
    assert (event["action"], event["target"], event["details"], event["correlation"]) == (
        "invite_revoked", invite["id"], "was=pending", "cli")
