"""`client add|list|remove`: resource-server credentials, the secret printed once and
stored only as a hash."""
from __future__ import annotations

import hashlib
import sqlite3


def test_client_add_prints_a_secret_once_and_stores_only_its_hash(cli):
    added = cli.script("client", "add", "notes-api", "--json")
    assert added.code == 0, added.err
    body = added.json()
    secret = body["client_secret"]
    assert body["client_id"] == "notes-api" and len(secret) >= 40
    listed = cli.run("client", "list", "--json")
    assert [c["client_id"] for c in listed.json()] == ["notes-api"]
    assert secret not in listed.out and secret not in cli.run("client", "list").out
    raw = sqlite3.connect(cli.dir / "signin.db").execute(
        "SELECT id, secret_hash FROM resource_clients").fetchall()
    assert raw == [("notes-api", hashlib.sha256(secret.encode()).hexdigest())]
    table = cli.run("client", "add", "billing")
    assert table.code == 0 and "shown only this once" in table.out


def test_client_add_refuses_a_taken_or_malformed_name(cli):
    assert cli.run("client", "add", "notes-api").code == 0
    again = cli.run("client", "add", "notes-api")
    assert again.code == 2 and "exists" in again.err
    bad = cli.run("client", "add", "no spaces")
    assert bad.code == 2 and "client name" in bad.err


def test_client_remove(cli):
    assert cli.run("client", "add", "notes-api").code == 0
    removed = cli.run("client", "remove", "notes-api")
    assert removed.code == 0 and "removed" in removed.out
    assert cli.run("client", "list", "--json").json() == []
    missing = cli.run("client", "remove", "notes-api")
    assert missing.code == 2 and "no client named" in missing.err
