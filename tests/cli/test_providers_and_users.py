"""`provider` and `user` commands; `user disable` closes open sessions at once."""
from __future__ import annotations

import asyncio

import pytest

from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity, SignInKind
from core.usecases.sessions import issue_token
from entrypoints.container import build_container
from entrypoints.settings import load_settings

CONTOSO = "https://login.example/c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c/v2.0"


def test_provider_add_and_list(cli):
    added = cli.script("provider", "add", "Fabrikam", "--kind", "external_ad", "--issuer",
                       "https://login.example/fab/v2.0", "--domain", "fabrikam.com",
                       "--domain", "FABRIKAM.example", "--trusted", "--json")
    assert added.code == 0, added.err
    provider = added.json()
    assert provider["domains"] == ["fabrikam.com", "fabrikam.example"] and provider["trusted"] is True
    listed = cli.run("provider", "list", "--json").json()
    assert [(p["name"], p["kind"], p["issuer"]) for p in listed] == [
        ("Fabrikam", "external_ad", "https://login.example/fab/v2.0")]
    assert "Fabrikam" in cli.run("provider", "list").out


def test_a_second_provider_for_the_same_issuer_is_refused(cli):
    assert cli.run("provider", "add", "Google", "--kind", "social", "--issuer", "google.com").code == 0
    again = cli.run("provider", "add", "Google 2", "--kind", "social", "--issuer", "google.com")
    assert again.code == 2 and "exists already" in again.err


def test_provider_add_refuses_an_unknown_kind(cli):
    answer = cli.run("provider", "add", "X", "--kind", "magic", "--issuer", "x")
    assert answer.code == 2 and "invalid choice: 'magic'" in answer.err


def _settings(cli):
    return load_settings(cli.settings)


async def _signed_in_token(cli, email: str) -> tuple[str, object]:
    """Alice signs in through the core's RecordSignIn use case; returns her token."""
    container = build_container(_settings(cli))
    record = await container.record_signin()(ExternalIdentity(
        issuer=CONTOSO, tenant_id="c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c", object_id="oid-alice",
        email=email, email_verified=True, display_name="Alice", kind=SignInKind.AZURE_AD,
    ))
    token, _ = issue_token(container.tokens(), container.ids(), container.policy(), record.session,
                           container.clock().now())
    await container.database().dispose()
    return token, record.user


async def _authenticate(cli, token: str) -> None:
    container = build_container(_settings(cli))
    try:
        await container.authenticate()(token)
    finally:
        await container.database().dispose()


def test_user_list_shows_who_signed_in(cli):
    assert cli.run("user", "list", "--json").json() == []  # also creates the schema
    _, user = asyncio.run(_signed_in_token(cli, "alice@contoso.com"))
    users = cli.script("user", "list", "--json").json()
    assert [(u["id"], u["email"], u["verified"], u["disabled"]) for u in users] == [
        (user.id, "alice@contoso.com", True, False)]


def test_user_disable_makes_an_open_session_fail_at_once(cli):
    assert cli.run("user", "list").code == 0
    token, user = asyncio.run(_signed_in_token(cli, "alice@contoso.com"))
    asyncio.run(_authenticate(cli, token))  # open: accepted
    disabled = cli.script("user", "disable", "alice@contoso.com")
    assert disabled.code == 0, disabled.err
    assert disabled.out.strip() == f"user {user.id} disabled; 1 open session(s) revoked"
    with pytest.raises(SignInError) as refused:
        asyncio.run(_authenticate(cli, token))
    assert refused.value.code is ErrorCode.INVALID_TOKEN
    assert cli.run("user", "list", "--json").json()[0]["disabled"] is True


def test_user_enable_undoes_disable_and_a_new_sign_in_works(cli):
    assert cli.run("user", "list").code == 0
    old_token, user = asyncio.run(_signed_in_token(cli, "alice@contoso.com"))
    assert cli.run("user", "disable", "alice@contoso.com").code == 0
    with pytest.raises(SignInError) as refused:  # disabled: a new sign-in is refused
        asyncio.run(_signed_in_token(cli, "alice@contoso.com"))
    assert refused.value.code is ErrorCode.ACCOUNT_DISABLED
    enabled = cli.script("user", "enable", "alice@contoso.com")
    assert enabled.code == 0, enabled.err
    assert enabled.out.strip() == f"user {user.id} enabled; they may sign in again"
    assert cli.run("user", "list", "--json").json()[0]["disabled"] is False
    new_token, again = asyncio.run(_signed_in_token(cli, "alice@contoso.com"))
    assert again.id == user.id
    asyncio.run(_authenticate(cli, new_token))  # accepted again
    with pytest.raises(SignInError):  # the sessions disable revoked stay revoked
        asyncio.run(_authenticate(cli, old_token))
    twice = cli.run("user", "enable", user.id, "--json")
    assert twice.code == 0 and twice.json()["was_disabled"] is False


def test_user_enable_of_an_unknown_address_fails(cli):
    answer = cli.run("user", "enable", "nobody@example.org")
    assert answer.code == 2 and answer.err.strip() == "azure-signin user enable: no such user"


def test_user_disable_of_an_unknown_address_fails(cli):
    answer = cli.run("user", "disable", "nobody@example.org")
    assert answer.code == 2 and answer.err.strip() == "azure-signin user disable: no such user"


def test_provider_map_add_list_and_remove(cli):
    assert cli.run("workspace", "add", "Acme", "--host", "https://acme.example.com").code == 0
    assert cli.run("provider", "add", "Contoso", "--kind", "external_ad", "--issuer", CONTOSO).code == 0
    by_role = cli.run("provider", "map", "add", "Contoso", "--app-role", "Workspace.Editor",
                      "--workspace", "1", "--role", "editor", "--json")
    assert by_role.code == 0, by_role.err
    made = by_role.json()
    assert (made["source"], made["value"], made["workspace"], made["role"]) == (
        "app_role", "Workspace.Editor", 1, "editor")
    by_group = cli.run("provider", "map", "add", CONTOSO, "--group", "0B1E7A2C-0000-4000-8000-00000000000A",
                       "--workspace", "1", "--role", "owner", "--json")
    assert by_group.code == 0 and by_group.json()["value"] == "0b1e7a2c-0000-4000-8000-00000000000a"
    listed = cli.run("provider", "map", "list", "Contoso", "--json").json()
    assert [(m["source"], m["role"]) for m in listed] == [("app_role", "editor"), ("group", "owner")]
    assert "Workspace.Editor" in cli.run("provider", "map", "list").out
    removed = cli.run("provider", "map", "remove", made["id"])
    assert removed.code == 0 and "removed" in removed.out
    assert [m["role"] for m in cli.run("provider", "map", "list", "--json").json()] == ["owner"]
    again = cli.run("provider", "map", "remove", made["id"])
    assert again.code == 2 and "no role mapping" in again.err


def test_provider_map_add_needs_exactly_one_of_app_role_and_group(cli):
    both = cli.run("provider", "map", "add", "X", "--app-role", "A", "--group", "g", "--workspace", "1",
                   "--role", "viewer")
    assert both.code == 2 and "not allowed with argument" in both.err
    unknown = cli.run("provider", "map", "add", "nobody", "--app-role", "A", "--workspace", "1",
                      "--role", "viewer")
    assert unknown.code == 2 and "no provider 'nobody'" in unknown.err
