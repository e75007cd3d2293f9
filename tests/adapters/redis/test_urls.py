"""`SIGNIN_REDIS_URL`'s three forms: parsed into what the connector needs, and every wrong
one refused with a message naming the wrong part and never echoing a password."""
from __future__ import annotations

import pytest

from adapters.redis import RedisConnector
from adapters.redis.urls import RedisTarget, RedisUrlError, parse_redis_url


@pytest.mark.parametrize("url", [
    "redis://cache:6379/0", "rediss://user:pw@cache:6380/2", "unix:///run/redis.sock?db=1",
])
def test_a_single_server_url_goes_to_redis_py_unchanged(url: str) -> None:
    assert parse_redis_url(url) == RedisTarget(mode="server", url=url)


def test_a_cluster_url_lists_its_seed_nodes() -> None:
    target = parse_redis_url("redis+cluster://a.example:7000,10.0.0.2:7001,[::1]:7002/")
    assert target.mode == "cluster"
    assert target.nodes == (("a.example", 7000), ("10.0.0.2", 7001), ("::1", 7002))
    assert (target.username, target.password, target.tls, target.db) == (None, None, False, 0)


def test_a_cluster_url_carries_tls_and_credentials_with_a_default_port() -> None:
    target = parse_redis_url("rediss+cluster://app:p%40ss@node-1,node-2:6380")
    assert target.tls is True
    assert (target.username, target.password) == ("app", "p@ss")
    assert target.nodes == (("node-1", 6379), ("node-2", 6380))


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_database() -> None:
    target = parse_redis_url("redis+sentinel://:secret@s1:26379,s2,s3:26380/signin-cache/3")
    assert target.mode == "sentinel"
    assert target.nodes == (("s1", 26379), ("s2", 26379), ("s3", 26380))
    assert (target.service, target.db, target.password, target.sentinel_auth) == (
        "signin-cache", 3, "secret", False)
    assert parse_redis_url("redis+sentinel://s1/main?sentinel_auth=true").sentinel_auth is True
    assert parse_redis_url("rediss+sentinel://s1/main").db == 0


@pytest.mark.parametrize(("url", "says"), [
    ("http://cache", "must be redis://"),
    ("redis+cluster:///", "host:port"),
    ("redis+cluster://a:7000,,b:7001/", "host:port"),
    ("redis+cluster://a:99999/", "between 1 and 65535"),
    ("redis+cluster://a:7000/1", "only database 0"),
    ("redis+cluster://a:7000/?read_from_replicas=yes", "unknown option"),
    ("redis+cluster://a:7000/#x", "fragment"),
    ("redis+sentinel://s1:26379", "service_name"),
    ("redis+sentinel://s1:26379/", "service_name"),
    ("redis+sentinel://s1/main/zero", "whole number"),
    ("redis+sentinel://s1/main/0/extra", "service_name"),
    ("redis+sentinel://s1/ma%20in", "service name"),
    ("redis+sentinel://s1/main?sentinel_auth=perhaps", "sentinel_auth"),
    ("redis+sentinel://s1/main?timeout=3", "unknown option"),
    ("redis+sentinel://host name/main", "host:port"),
])
def test_a_wrong_url_is_refused_saying_what_is_wrong(url: str, says: str) -> None:
    with pytest.raises(RedisUrlError, match=says):
        parse_redis_url(url)


@pytest.mark.parametrize("url", [
    "redis+cluster://user:hunter2secret@a:7000/9",
    "redis+sentinel://:hunter2secret@s1/main/x",
    "redis+sentinel://:hunter2secret@s1:port/main",
])
def test_no_error_repeats_the_password(url: str) -> None:
    with pytest.raises(RedisUrlError) as error:
        parse_redis_url(url)
    assert "hunter2secret" not in str(error.value)


def test_the_connector_refuses_a_wrong_url_before_connecting() -> None:
    with pytest.raises(RedisUrlError):
        RedisConnector("redis+cluster://")
