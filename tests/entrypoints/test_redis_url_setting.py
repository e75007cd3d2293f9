"""`SIGNIN_REDIS_URL` at start-up: cluster and sentinel URLs are accepted, a malformed one
stops start-up with a message naming the variable and the wrong part, never the password."""
from __future__ import annotations

import pytest

from entrypoints.settings import SettingsError, load_settings
from tests.entrypoints.test_settings import PRODUCTION


@pytest.mark.parametrize("url", [
    "redis+cluster://cache-0:6379,cache-1:6379,cache-2:6379/",
    "rediss+cluster://:pw@cache.example:6380/",
    "redis+sentinel://s1:26379,s2:26379,s3:26379/signin/0",
])
def test_production_accepts_cluster_and_sentinel_urls(url: str) -> None:
    assert load_settings({**PRODUCTION, "SIGNIN_REDIS_URL": url}).redis_url == url


def test_a_malformed_cluster_url_names_the_variable_and_the_part_but_not_the_password() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"SIGNIN_REDIS_URL": "redis+cluster://:hunter2secret@a:7000/4"})
    message = str(error.value)
    assert message.startswith("SIGNIN_REDIS_URL: ")
    assert "only database 0" in message
    assert "hunter2secret" not in message
