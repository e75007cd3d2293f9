"""`workspace`, `role` and `invite` commands, through the console script and `main`."""
from __future__ import annotations

import pytest


def test_workspace_add_through_the_console_script_then_list(cli):
    added = cli.script("workspace", "add", "Acme", "--host", "http://localhost:3001")
    assert added.code == 0, added.err
    assert "Acme" in added.out and "http://localhost:3001" in added.out
    listed = cli.script("workspace", "list", "--json")
    assert listed.json() == [{"id": 1, "name": "Acme", "host": "http://localhost:3001"}]


def test_workspace_add_refuses_a_host_that_is_not_an_origin(cli):
    answer = cli.run("workspace", "add", "Acme", "--host", "localhost:3001/app")
    assert answer.code == 2
    assert answer.err.strip() == (
        "azure-signin workspace add: the host must be an origin such as https://app.example.com"
    )
    assert cli.run("workspace", "list", "--json").json() == []


def test_adding_a_workspace_creates_the_standard_roles(cli):
    assert cli.run("role", "list", "--json").json() == []
    cli.run("workspace", "add", "Acme", "--host", "https://app.example.com")
    roles = cli.run("role", "list", "--json").json()
    assert [(r["name"], r["rank"]) for r in roles] == [("owner", 30), ("editor", 20), ("viewer", 10)]
    table = cli.run("role", "list").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "RANK"] and len(table) == 4


def test_invite_add_through_the_console_script_accepted(cli):
    cli.run("workspace", "add", "Acme", "--host", "http://localhost:3001")
    added = cli.script("invite", "add", "Alice@Contoso.com", "--workspace", "1", "--role", "editor",
                       "--accepted", "--json")
    assert added.code == 0, added.err
    invite = added.json()
    assert (invite["email"], invite["workspace"], invite["role"], invite["status"]) == (
        "alice@contoso.com", 1, "editor", "accepted")
    assert [i["id"] for i in cli.run("invite", "list", "--json").json()] == [invite["id"]]


def test_an_invite_is_pending_unless_accepted_and_moves_through_accept_and_revoke(cli):
    cli.run("workspace", "add", "Globex", "--host", "http://localhost:3001")
    invite = cli.run("invite", "add", "frank@fabrikam.com", "--workspace", "1", "--role", "owner",
                     "--json").json()
    assert invite["status"] == "pending"
    assert cli.run("invite", "accept", invite["id"], "--json").json()["status"] == "accepted"
    assert cli.run("invite", "revoke", invite["id"], "--json").json()["status"] == "revoked"
    again = cli.run("invite", "revoke", invite["id"])
    assert again.code == 2 and f"invite {invite['id']} is revoked" in again.err
    assert cli.run("invite", "list", "--json").json()[0]["status"] == "revoked"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("invite", "add", "a@b.example", "--workspace", "9", "--role", "editor"), "no workspace 9"),
        (("invite", "add", "a@b.example", "--workspace", "1", "--role", "boss"), "no role named 'boss'"),
        (("invite", "add", "not-an-email", "--workspace", "1", "--role", "editor"), "not a valid email"),
        (("invite", "accept", "no-such-invite"), "no invite no-such-invite"),
        (("invite", "revoke", "no-such-invite"), "no invite no-such-invite"),
    ],
)
def test_invite_mistakes_are_one_line_errors(cli, argv, message):
    cli.run("workspace", "add", "Acme", "--host", "http://localhost:3001")
    answer = cli.run(*argv)
    assert answer.code == 2
    assert message in answer.err and answer.err.count("\n") == 1
    assert answer.out == ""


def test_workspace_remove_deletes_it_once_and_then_says_there_is_none(cli):
    cli.run("workspace", "add", "Acme", "--host", "http://localhost:3001")
    cli.run("workspace", "add", "Globex", "--host", "http://localhost:3001")
    cli.run("invite", "add", "alice@contoso.com", "--workspace", "2", "--role", "editor", "--accepted")
    removed = cli.script("workspace", "remove", "2", "--json")
    assert removed.code == 0, removed.err
    assert removed.json() == {"id": 2, "name": "Globex", "host": "http://localhost:3001"}
    assert [w["id"] for w in cli.run("workspace", "list", "--json").json()] == [1]
    again = cli.run("workspace", "remove", "2")
    assert again.code == 2 and again.err.strip() == "azure-signin workspace remove: no such workspace"
