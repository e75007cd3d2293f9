"""Settings: every bad value stops start-up with a message naming the variable; production
refuses the embedded conveniences one by one."""
from __future__ import annotations

import pytest

from entrypoints.settings import SettingsError, load_settings
from entrypoints.settings_table import SETTINGS

PRODUCTION = {
    "SIGNIN_ENV": "production",
    "SIGNIN_PUBLIC_URL": "https://signin.example.com",
    "SIGNIN_ALLOWED_ORIGINS": "https://app.example.com",
    "SIGNIN_DATABASE_URL": "postgresql://signin@db:5432/signin",
    "SIGNIN_REDIS_URL": "redis://cache:6379/0",
    "SIGNIN_TOKEN_ENCRYPTION_KEY": "A" * 43 + "=",
    "SIGNIN_JWT_PRIVATE_KEY_FILE": "/run/secrets/jwt.pem",
    "SIGNIN_AAD_AUTHORITY": "https://login.microsoftonline.com/organizations",
    "SIGNIN_AAD_CLIENT_ID": "11111111-1111-1111-1111-111111111111",
    "SIGNIN_AAD_CLIENT_SECRET": "real-secret",
    "SIGNIN_B2C_AUTHORITY": "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN",
    "SIGNIN_B2C_CLIENT_ID": "22222222-2222-2222-2222-222222222222",
    "SIGNIN_B2C_CLIENT_SECRET": "real-secret-2",
    "SIGNIN_B2C_GRAPH_AUTHORITY": "https://login.microsoftonline.com/contoso.onmicrosoft.com",
    "SIGNIN_GRAPH_URL": "https://graph.microsoft.com/v1.0",
}


def test_embedded_defaults_start_with_no_settings_at_all():
    settings = load_settings({})
    assert settings.env == "embedded"
    assert settings.redirect_uri == "http://localhost:8000/redirect"
    assert settings.allowed_origins == ("http://localhost:3001",)
    assert [a.name for a in settings.authorities] == ["aad", "b2c"]
    assert settings.token_delivery == "fragment"


def test_a_complete_production_configuration_is_accepted():
    settings = load_settings(PRODUCTION)
    assert settings.production and settings.ca_bundle is None


@pytest.mark.parametrize("missing", [
    "SIGNIN_ALLOWED_ORIGINS", "SIGNIN_REDIS_URL", "SIGNIN_TOKEN_ENCRYPTION_KEY",
    "SIGNIN_JWT_PRIVATE_KEY_FILE", "SIGNIN_AAD_AUTHORITY", "SIGNIN_AAD_CLIENT_ID",
    "SIGNIN_AAD_CLIENT_SECRET", "SIGNIN_B2C_CLIENT_SECRET", "SIGNIN_B2C_GRAPH_AUTHORITY",
    "SIGNIN_GRAPH_URL",
])
def test_production_refuses_to_start_without_each_required_setting(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings(env)


@pytest.mark.parametrize(("name", "value"), [
    ("SIGNIN_DATABASE_URL", "sqlite:///var/signin.db"),
    ("SIGNIN_AAD_AUTHORITY", "https://localhost:8443/organizations"),
    ("SIGNIN_PUBLIC_URL", "http://signin.example.com"),
    ("SIGNIN_GRAPH_URL", "https://localhost:8443/graph/v1.0"),
])
def test_production_refuses_embedded_conveniences(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({**PRODUCTION, name: value})


@pytest.mark.parametrize(("name", "value"), [
    ("SIGNIN_PORT", "eighty"),
    ("SIGNIN_PORT", "0"),
    ("SIGNIN_ENV", "staging"),
    ("SIGNIN_TOKEN_DELIVERY", "cookie"),
    ("SIGNIN_ALLOWED_ORIGINS", "localhost:3001"),
    ("SIGNIN_DATABASE_URL", "mysql://x"),
    ("SIGNIN_REDIS_URL", "http://cache"),
    ("SIGNIN_PROVIDERS", "aad,google"),
    ("SIGNIN_AAD_AUTHORITY", "http://login.microsoftonline.com/organizations"),
    ("SIGNIN_AAD_ALLOW_PERSONAL_ACCOUNTS", "maybe"),
    ("SIGNIN_SESSION_IDLE_TIMEOUT", "5"),
    ("SIGNIN_PUBLIC_URL", "http://localhost:8000/prefix"),
    ("SIGNIN_CONSUMER_DOMAINS", "gmail.com,\u2603.com"),
    ("SIGNIN_CONSUMER_DOMAINS", "a\u200db.com"),
    ("SIGNIN_B2C_AUTHORITY", "https://contoso.b2clogin.com/contoso.onmicrosoft.com"),
])
def test_malformed_values_are_named(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


def test_consumer_domains_are_normalised_by_the_same_idna2008_function_as_emails():
    settings = load_settings({"SIGNIN_CONSUMER_DOMAINS": "GMail.com., stra\u00dfe.de"})
    assert settings.consumer_domains == ("gmail.com", "xn--strae-oqa.de")


def test_an_unknown_signin_variable_is_refused_as_a_likely_typo():
    with pytest.raises(SettingsError, match="SIGNIN_REDIS_UR"):
        load_settings({"SIGNIN_REDIS_UR": "redis://x"})


def test_secrets_never_show_in_the_settings_repr():
    text = repr(load_settings(PRODUCTION)) + repr(load_settings(PRODUCTION).authorities)
    assert "real-secret" not in text and "A" * 43 not in text


def test_every_setting_has_a_description_and_an_example():
    for setting in SETTINGS:
        assert setting.name.startswith("SIGNIN_") and setting.description and setting.example


@pytest.mark.parametrize("origins", [
    "http://app.example.com",                       # http in production
    "http://localhost:3001",                        # even localhost: embedded mode only
    "https://*.example.com",                        # a wildcard (Litestar's CORS would expand it)
    "https://app.example.com,https://*",
    "*",
    "https://app.example.com/app",                  # a path
    "https://user@app.example.com",                 # userinfo
    "https://app.example.com?x=1",
    "https://app.example.com#x",
    "https://app.example.com:0443",                 # an odd port spelling
])
def test_production_refuses_unsafe_allowed_origins_naming_the_setting(origins):
    with pytest.raises(SettingsError, match="SIGNIN_ALLOWED_ORIGINS") as caught:
        load_settings({**PRODUCTION, "SIGNIN_ALLOWED_ORIGINS": origins})
    assert origins.split(",")[-1] in str(caught.value)


@pytest.mark.parametrize(("origins", "ok"), [
    ("http://localhost:3001", True),
    ("http://127.0.0.1:3001,http://[::1]:3001", True),
    ("https://app.example.com", True),
    ("http://app.example.com", False),              # http only for this machine
    ("http://10.0.0.5:3001", False),
    ("https://*.example.com", False),
])
def test_embedded_mode_keeps_http_for_loopback_only(origins, ok):
    if ok:
        assert load_settings({"SIGNIN_ALLOWED_ORIGINS": origins}).allowed_origins
    else:
        with pytest.raises(SettingsError, match="SIGNIN_ALLOWED_ORIGINS"):
            load_settings({"SIGNIN_ALLOWED_ORIGINS": origins})


def test_allowed_origins_are_kept_in_their_canonical_spelling_once_each():
    settings = load_settings({**PRODUCTION, "SIGNIN_ALLOWED_ORIGINS":
                              "HTTPS://App.Example.com/, https://app.example.com:443,https://b.example.com:8443"})
    assert settings.allowed_origins == ("https://app.example.com", "https://b.example.com:8443")


EXTERNAL_ID = {
    "SIGNIN_PROVIDERS": "aad,b2c,external",
    "SIGNIN_EXTERNAL_AUTHORITY": "https://contoso.ciamlogin.com/contoso.onmicrosoft.com",
    "SIGNIN_EXTERNAL_CLIENT_ID": "33333333-3333-3333-3333-333333333333",
    "SIGNIN_EXTERNAL_CLIENT_SECRET": "real-secret-3",
}


def test_an_external_id_authority_is_a_third_kind_configured_like_b2c():
    settings = load_settings({**PRODUCTION, **EXTERNAL_ID})
    external = settings.authorities[2]
    assert (external.name, external.kind, external.authority) == (
        "external", "external", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com"
    )
    embedded = load_settings({"SIGNIN_PROVIDERS": "external"}).authorities
    assert [(a.kind, a.client_id) for a in embedded] == [("external", "ce1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b")]
    assert embedded[0].authority == "https://localhost:8443/c1a40000-4e5f-4a6b-9c8d-7e6f5a4b3c2d"


@pytest.mark.parametrize("missing", [
    "SIGNIN_EXTERNAL_AUTHORITY", "SIGNIN_EXTERNAL_CLIENT_ID", "SIGNIN_EXTERNAL_CLIENT_SECRET",
])
def test_production_refuses_the_sandboxs_external_id_values(missing):
    env = {k: v for k, v in {**PRODUCTION, **EXTERNAL_ID}.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings(env)
    with pytest.raises(SettingsError, match="SIGNIN_EXTERNAL_AUTHORITY"):
        load_settings({**PRODUCTION, **EXTERNAL_ID, "SIGNIN_EXTERNAL_AUTHORITY": "https://localhost:8443/x.onmicrosoft.com"})


@pytest.mark.parametrize("authority", [
    "https://contoso.ciamlogin.com", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com/B2C_1_susi",
    "http://contoso.ciamlogin.com/contoso.onmicrosoft.com",
])
def test_an_external_id_authority_must_name_its_tenant_over_https(authority):
    with pytest.raises(SettingsError, match="SIGNIN_EXTERNAL_AUTHORITY"):
        load_settings({"SIGNIN_PROVIDERS": "external", "SIGNIN_EXTERNAL_AUTHORITY": authority})


def test_trusted_proxies_are_cidrs_or_addresses():
    from entrypoints.settings import SettingsError, load_settings

    loaded = load_settings({"SIGNIN_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5,2001:db8::/32"})
    assert loaded.trusted_proxies == ("10.0.0.0/8", "192.168.1.5/32", "2001:db8::/32")
    assert load_settings({}).trusted_proxies == ()
    with pytest.raises(SettingsError, match="SIGNIN_TRUSTED_PROXIES: 'proxy.internal' is not"):
        load_settings({"SIGNIN_TRUSTED_PROXIES": "proxy.internal"})
