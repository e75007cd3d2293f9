from __future__ import annotations

import pytest
from litestar.testing import TestClient

from adapters.azure_sandbox import create_sandbox_app, load_directory
from adapters.azure_sandbox.directory import DirectoryError

CUSTOM = """
[[applications]]
name = "app"
kind = "aad"
client_id = "11111111-1111-4111-8111-111111111111"
secret = "s"
redirect_uris = ["https://app.example/cb"]

[[tenants]]
key = "acme"
id = "22222222-2222-4222-8222-222222222222"
name = "acme.onmicrosoft.com"
verified_domains = ["acme.example"]

[[users]]
username = "wile@acme.example"
tenant = "acme"
mail = "wile@acme.example"
"""


def test_custom_directory_file_is_loaded(tmp_path):
    path = tmp_path / "dir.toml"
    path.write_text(CUSTOM)
    directory = load_directory(path)
    assert [u.username for u in directory.all_users()] == ["wile@acme.example"]
    assert directory.tenant("acme.example").id == "22222222-2222-4222-8222-222222222222"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[users]]\nusername = "x"\ntenant = "nowhere"\n', "unknown tenant"),
        ('[[users]]\nusername = "x"\ntenant = "t"\nshoe = 1\n', "unknown user field"),
        ('[[applications]]\nname = "a"\nkind = "saml"\nclient_id = "c"\nsecret = "s"\n', "kind"),
    ],
)
def test_bad_directory_files_are_refused_with_a_message(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(DirectoryError, match=message):
        load_directory(path)


def test_default_directory_covers_the_sign_in_rules():
    directory = load_directory()
    names = {u.username for u in directory.all_users()}
    assert {
        "alice@contoso.com",
        "erin@contoso.com",
        "frank@fabrikam.com",
        "frank@fabrikam.com#contoso",
        "mallory@evil.example",
        "dave@outlook.com",
        "bob@example.org",
        "carol@gmail.com",
    } <= names
    evil = directory.tenant("evil")
    assert not any(evil.verifies(f"x@{d}") for d in ("contoso.com", "fabrikam.com"))


def test_in_process_app_with_injected_clock():
    now = [1_700_000_000.0]
    app = create_sandbox_app(clock=lambda: now[0])
    with TestClient(app, base_url="https://localhost:8443") as client:
        assert client.get("/_sandbox/clock").json()["now"] == 1_700_000_000.0
        doc = client.get("/organizations/v2.0/.well-known/openid-configuration").json()
    assert doc["issuer"] == "https://localhost:8443/{tenantid}/v2.0"
    assert app.state.sandbox.requests.entries()[0]["kind"] == "discovery"


OTHER_OID = "aaaaaaaa-0000-4000-8000-000000000000"
THIRD_OID = "bbbbbbbb-0000-4000-8000-000000000000"


def test_the_directory_finds_users_by_name_and_object_id_after_every_change(tmp_path):
    """Its look-ups are indexes of the user list: added, changed and removed users are found
    (or not) at once, by name case-insensitively and by object id exactly, within their
    tenant, and a second user of a taken name or object id is refused."""
    from dataclasses import replace

    path = tmp_path / "dir.toml"
    path.write_text(CUSTOM)
    directory = load_directory(path)
    wile = directory.user_named("WILE@acme.example")
    assert wile is not None and directory.user_by_oid(wile.oid) is wile
    assert directory.user_by_oid(wile.oid.upper()) is None  # object ids are matched exactly
    acme = directory.tenant_id_of("acme")
    assert directory.find_user(acme, wile.oid.upper()) is wile  # Graph's look-up ignores case
    assert directory.find_user("33333333-3333-4333-8333-333333333333", wile.oid) is None

    road = directory.add_user(replace(wile, username="road@acme.example", oid=OTHER_OID))
    assert directory.user_named("road@acme.example") is road
    with pytest.raises(DirectoryError, match="already exists"):
        directory.add_user(replace(wile, username="Road@acme.example", oid=THIRD_OID))
    with pytest.raises(DirectoryError, match="object id"):
        directory.add_user(replace(wile, username="other@acme.example", oid=road.oid.upper()))

    changed = directory.change_user("road@acme.example", disabled=True)
    assert directory.user_named("road@acme.example") is changed and changed is not road
    assert directory.user_by_oid(road.oid) is changed
    assert directory.find_user(acme, road.oid) is changed

    directory.remove_user("ROAD@acme.example")
    assert directory.user_named("road@acme.example") is None
    assert directory.user_by_oid(road.oid) is None
    assert directory.find_user(acme, road.oid) is None
