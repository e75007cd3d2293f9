"""SIGNIN_INVITE_LIFETIME and SIGNIN_WORKSPACE_CREATORS: parsed, bounded, handed to the core."""
from __future__ import annotations

from datetime import timedelta

import pytest

from entrypoints.container import build_container
from entrypoints.settings import SettingsError, load_settings


def test_defaults_are_a_week_and_nobody():
    settings = load_settings({})
    assert (settings.invite_lifetime, settings.workspace_creators) == (604800, ())
    policy = build_container(settings).policy()
    assert (policy.invite_lifetime, policy.workspace_creators) == (timedelta(days=7), ())


def test_the_lifetime_is_at_least_a_minute_and_at_most_thirty_days():
    assert load_settings({"SIGNIN_INVITE_LIFETIME": "60"}).invite_lifetime == 60
    assert load_settings({"SIGNIN_INVITE_LIFETIME": "2592000"}).invite_lifetime == 2592000
    with pytest.raises(SettingsError, match=r"^SIGNIN_INVITE_LIFETIME: at most 2592000 \(30 days\)$"):
        load_settings({"SIGNIN_INVITE_LIFETIME": "2592001"})
    with pytest.raises(SettingsError, match="^SIGNIN_INVITE_LIFETIME: must be at least 60$"):
        load_settings({"SIGNIN_INVITE_LIFETIME": "59"})
    with pytest.raises(SettingsError, match="SIGNIN_INVITE_LIFETIME: 'soon' is not a number of seconds"):
        load_settings({"SIGNIN_INVITE_LIFETIME": "soon"})
    policy = build_container(load_settings({"SIGNIN_INVITE_LIFETIME": "3600"})).policy()
    assert policy.invite_lifetime == timedelta(hours=1)


def test_creators_are_star_or_normalised_domains():
    settings = load_settings({"SIGNIN_WORKSPACE_CREATORS": " Contoso.COM , *,fabrikam.com."})
    assert settings.workspace_creators == ("contoso.com", "*", "fabrikam.com")
    assert build_container(settings).policy().workspace_creators == ("contoso.com", "*", "fabrikam.com")
    with pytest.raises(SettingsError, match="^SIGNIN_WORKSPACE_CREATORS: 'not a domain' is neither"):
        load_settings({"SIGNIN_WORKSPACE_CREATORS": "contoso.com,not a domain"})
