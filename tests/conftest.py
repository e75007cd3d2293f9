"""Fixtures shared by the whole suite: the machine's real services, and hypothesis profiles.

A test that needs PostgreSQL or Redis asks for `postgres_url` / `redis_url`. When the server
is unreachable the test is skipped with a reason naming the service, except under CI=true,
where it fails: CI must never turn green by skipping the tests that matter.
"""
from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# Mutation testing (mutation/run.py) runs tests/core once per mutant: the same examples every
# time (a verdict never depends on luck), and fewer of them.
settings.register_profile("mutation", max_examples=30, deadline=None, derandomize=True, database=None)
settings.load_profile("ci" if IN_CI else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

POSTGRES_HOST = os.environ.get("SIGNIN_TEST_POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("SIGNIN_TEST_POSTGRES_PORT", "5432"))
REDIS_HOST = os.environ.get("SIGNIN_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("SIGNIN_TEST_REDIS_PORT", "6379"))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or, under CI=true, fail) the calling test when the service is down."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a test that needs {name} must not be skipped)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The base URL of the machine's PostgreSQL (database `test`, trust auth)."""
    require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    user = os.environ.get("SIGNIN_TEST_POSTGRES_USER", "postgres")
    return f"postgresql://{user}@{POSTGRES_HOST}:{POSTGRES_PORT}/test"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The machine's Redis; tests keep to their own key prefix (see `redis_prefix`)."""
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own, so parallel runs never see each other's keys."""
    yield f"test-{uuid.uuid4().hex[:12]}:"


def require_module(module: str, install: str) -> None:
    """Skip (or, under CI=true, fail) the calling test when `module` cannot be imported;
    `install` says what provides it (an optional extra that `make install` installs)."""
    import importlib.util

    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if found:
        return
    message = f"{module} is not installed ({install})"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a test that needs it must not be skipped)")
    pytest.skip(message)
