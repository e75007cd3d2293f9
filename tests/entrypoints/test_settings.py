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


def test_log_format_and_metrics_port_are_checked_naming_the_setting():
    assert load_settings({}).log_format == "text" and load_settings({}).metrics_port is None
    assert load_settings({"SIGNIN_LOG_FORMAT": "JSON"}).log_format == "json"
    assert load_settings({"SIGNIN_METRICS_PORT": "9100"}).metrics_port == 9100
    with pytest.raises(SettingsError, match="SIGNIN_LOG_FORMAT"):
        load_settings({"SIGNIN_LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="SIGNIN_METRICS_PORT"):
        load_settings({"SIGNIN_METRICS_PORT": "ninety"})
    with pytest.raises(SettingsError, match="SIGNIN_METRICS_PORT: must differ"):
        load_settings({"SIGNIN_METRICS_PORT": "8000"})


def test_tracing_is_on_only_with_an_otlp_endpoint():
    assert load_settings({}).otel_endpoint is None
    on = load_settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert on.otel_endpoint == "http://collector:4318"


def test_trusted_proxies_are_cidrs_or_addresses():
    from entrypoints.settings import SettingsError, load_settings

    loaded = load_settings({"SIGNIN_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5,2001:db8::/32"})
    assert loaded.trusted_proxies == ("10.0.0.0/8", "192.168.1.5/32", "2001:db8::/32")
    assert load_settings({}).trusted_proxies == ()
    with pytest.raises(SettingsError, match="SIGNIN_TRUSTED_PROXIES: 'proxy.internal' is not"):
        load_settings({"SIGNIN_TRUSTED_PROXIES": "proxy.internal"})


# --- secrets from files (Docker / Kubernetes secrets: SIGNIN_<NAME>_FILE) -----------------

SECRETS = [s.name for s in SETTINGS if s.secret]


def test_the_secret_settings_are_the_credentials_and_the_urls_that_may_hold_a_password():
    assert set(SECRETS) == {
        "SIGNIN_AAD_CLIENT_SECRET", "SIGNIN_B2C_CLIENT_SECRET", "SIGNIN_EXTERNAL_CLIENT_SECRET",
        "SIGNIN_TOKEN_ENCRYPTION_KEY", "SIGNIN_DATABASE_URL", "SIGNIN_REDIS_URL",
    }


@pytest.mark.parametrize("name", SECRETS)
def test_every_secret_setting_is_read_from_its_file_without_the_trailing_newline(name, tmp_path):
    value = PRODUCTION.get(name) or "sandbox-secret-from-a-file"
    secret = tmp_path / "secret"
    secret.write_text(value + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != name}
    env[name + "_FILE"] = str(secret)
    if name == "SIGNIN_EXTERNAL_CLIENT_SECRET":
        env = {**PRODUCTION, "SIGNIN_PROVIDERS": "aad,b2c,external",
               "SIGNIN_EXTERNAL_AUTHORITY": "https://contoso.ciamlogin.com/contoso.onmicrosoft.com",
               "SIGNIN_EXTERNAL_CLIENT_ID": "33333333-3333-3333-3333-333333333333",
               name + "_FILE": str(secret)}
    settings = load_settings(env)
    read = {
        "SIGNIN_DATABASE_URL": settings.database_url,
        "SIGNIN_REDIS_URL": settings.redis_url,
        "SIGNIN_TOKEN_ENCRYPTION_KEY": settings.token_encryption_key,
        **{f"SIGNIN_{a.name.upper()}_CLIENT_SECRET": a.client_secret for a in settings.authorities},
    }
    assert read[name] == value


def test_a_file_counts_as_the_setting_production_requires(tmp_path):
    secret = tmp_path / "aad"
    secret.write_text("from-the-vault\r\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "SIGNIN_AAD_CLIENT_SECRET"}
    env["SIGNIN_AAD_CLIENT_SECRET_FILE"] = str(secret)
    aad = load_settings(env).authorities[0]
    assert aad.client_secret == "from-the-vault"


def test_both_the_setting_and_its_file_is_refused_naming_both(tmp_path):
    secret = tmp_path / "b2c"
    secret.write_text("other")
    env = {**PRODUCTION, "SIGNIN_B2C_CLIENT_SECRET_FILE": str(secret)}
    with pytest.raises(SettingsError) as refused:
        load_settings(env)
    assert "SIGNIN_B2C_CLIENT_SECRET and SIGNIN_B2C_CLIENT_SECRET_FILE" in str(refused.value)


@pytest.mark.parametrize("problem", ["missing", "a folder", "unreadable", "empty", "not utf-8", "blank path"])
def test_a_secret_file_that_cannot_be_used_is_named_and_its_content_never_shown(problem, tmp_path):
    import os

    path = tmp_path / "key"
    if problem == "a folder":
        path.mkdir()
    elif problem == "unreadable":
        path.write_text("top-secret-value")
        path.chmod(0)
        if os.access(path, os.R_OK):  # root reads anything: make it unreadable another way
            path.chmod(0o600)
            path.unlink()
            path.symlink_to(path)  # a loop: ELOOP for everyone
    elif problem == "empty":
        path.write_text("\n")
    elif problem == "not utf-8":
        path.write_bytes(b"top-secret-\xff")
    env = {k: v for k, v in PRODUCTION.items() if k != "SIGNIN_TOKEN_ENCRYPTION_KEY"}
    env["SIGNIN_TOKEN_ENCRYPTION_KEY_FILE"] = "  " if problem == "blank path" else str(path)
    with pytest.raises(SettingsError) as refused:
        load_settings(env)
    message = str(refused.value)
    assert message.startswith("SIGNIN_TOKEN_ENCRYPTION_KEY_FILE: ")
    assert "top-secret" not in message
    if problem != "blank path":
        assert str(path) in message


def test_a_file_variant_of_a_setting_that_is_not_secret_is_an_unknown_setting(tmp_path):
    with pytest.raises(SettingsError, match="SIGNIN_PORT_FILE is not a setting"):
        load_settings({"SIGNIN_PORT_FILE": str(tmp_path / "port")})


def test_the_readme_names_each_file_variant():
    from tests.cli.test_readme import README

    text = README.read_text()
    assert [n for n in SECRETS if f"`{n}_FILE`" not in text] == []
