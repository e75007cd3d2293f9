"""`db upgrade` registers the configured B2C / External ID authorities' local-account
providers (issue 13), idempotently; `provider list` shows them."""
from __future__ import annotations

from entrypoints.local_providers import LOCAL_ACCOUNTS
from tests.service_fixtures import sandbox  # noqa: F401

B2C_TENANT = "b2c0ffee-4d3c-4b2a-8e1f-7a6b5c4d3e2f"  # the sandbox's default directory


def _sandboxed(handle) -> dict[str, str]:
    return {
        "SIGNIN_B2C_AUTHORITY": handle.b2c_authority,
        "SIGNIN_B2C_GRAPH_AUTHORITY": handle.b2c_graph_authority,
        "SIGNIN_EXTERNAL_AUTHORITY": handle.external_authority,
        "SIGNIN_AAD_AUTHORITY": handle.aad_authority,
        "SIGNIN_CA_BUNDLE": str(handle.ca_path),
        "SIGNIN_PROVIDERS": "aad,b2c,external",
    }


def test_db_upgrade_registers_the_local_account_providers_once(cli, sandbox):  # noqa: F811
    first = cli.script("db", "upgrade", **_sandboxed(sandbox))
    assert first.code == 0, first.err
    assert "identity provider for b2c's local accounts registered" in first.out
    assert "identity provider for external's local accounts registered" in first.out
    listed = cli.run("provider", "list", "--json").json()
    assert {(p["name"], p["kind"]) for p in listed} == {(n, "local") for n in LOCAL_ACCOUNTS.values()}
    b2c = next(p for p in listed if p["name"] == LOCAL_ACCOUNTS["b2c"])
    assert b2c["issuer"] == f"{sandbox.base_url}/{B2C_TENANT}/v2.0/"
    again = cli.run("db", "upgrade", **_sandboxed(sandbox))
    assert again.code == 0 and "local accounts present" in again.out
    assert len(cli.run("provider", "list", "--json").json()) == 2


def test_db_upgrade_still_migrates_when_microsoft_does_not_answer(cli, sandbox):  # noqa: F811
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = {**_sandboxed(sandbox), "SIGNIN_PROVIDERS": "b2c",
                "SIGNIN_B2C_AUTHORITY": f"https://localhost:{port}/x.onmicrosoft.com/B2C_1A_SIGNIN"}
    answer = cli.run("db", "upgrade", **settings)
    assert answer.code == 0, answer.err
    assert "identity providers not ensured (the service retries at start-up)" in answer.err
    assert cli.run("provider", "list", "--json").json() == []
