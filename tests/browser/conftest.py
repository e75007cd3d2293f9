"""Fixtures of the browser suite.

- `trusted_home`: a throwaway HOME whose NSS database trusts the session's sandbox CA, put
  there by `azure-signin sandbox trust` (the step the README gives a newcomer);
- `browser`: Debian's Chromium reading that HOME (no ignore_https_errors anywhere), one per
  module;
- `demo`: one `azure-signin demo` per module, on free ports, using that CA; a module that
  needs a fresh database overrides `demo` (see `start_demo`);
- `person` / `people`: someone at a fresh browser context, watched for the whole test; at
  teardown each page is saved as a PNG under var/test-artifacts/ and the watch must be clean.

Without Chromium, certutil or the playwright package the tests skip naming what is missing;
under CI=true they fail instead (`.ci/run` installs them).
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import IN_CI

from .harness import (
    BrowserDemo,
    Person,
    Watch,
    launch,
    missing_tools,
    trust_sandbox,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def browser_tools() -> None:
    missing = missing_tools()
    if not missing:
        return
    message = "the browser suite needs " + ", ".join(missing)
    if IN_CI:
        pytest.fail(message + " (CI=true: .ci/run installs them; they must not be skipped)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def sandbox_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sandbox-ca")


@pytest.fixture(scope="session")
def trusted_home(browser_tools, tmp_path_factory, sandbox_dir):
    home = tmp_path_factory.mktemp("home")
    trust_sandbox(home, sandbox_dir)
    return home


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in this
# thread while it is open, which would break every asyncio test collected after this folder.
@pytest.fixture(scope="module")
def playwright_driver(browser_tools) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver, trusted_home):
    instance = launch(playwright_driver, trusted_home)
    yield instance
    instance.close()


def start_demo(tmp_path_factory, sandbox_dir, name: str = "demo", **settings: str) -> BrowserDemo:
    return BrowserDemo(tmp_path_factory.mktemp(name), sandbox_dir=sandbox_dir, extra_env=settings).start()


@pytest.fixture(scope="module")
def demo(browser_tools, tmp_path_factory, sandbox_dir, trusted_home) -> Iterator[BrowserDemo]:
    running = start_demo(tmp_path_factory, sandbox_dir)
    yield running
    running.stop()


def _artifact_name(request, index: int, name: str) -> str:
    test = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    return f"{request.node.module.__name__.rsplit('.', 1)[-1]}--{test}" + (f"--{name}" if index else "")


@pytest.fixture
def people(request, browser, demo) -> Iterator[Callable[..., Person]]:
    """`people("alice")` gives a new person at a browser context of their own;
    `people("alice", context=other.context)` a second tab of the same browser."""
    made: list[Person] = []
    contexts: list[tuple[object, Watch]] = []

    def make(name: str = "person", *, context=None, expect_statuses=(), expect_console=()) -> Person:
        if context is None:
            context = browser.new_context(viewport={"width": 1100, "height": 760})
            watch = Watch(allowed=demo.origins)
            watch.attach(context)
            contexts.append((context, watch))
        watch = next(w for c, w in contexts if c is context)
        watch.expected_statuses.update(expect_statuses)
        watch.expected_console.extend(re.compile(p) for p in expect_console)
        person = Person(demo, context, watch, name)
        made.append(person)
        return person

    yield make
    for index, person in enumerate(made):
        with contextlib.suppress(Exception):  # a page that is gone has nothing to show
            person.screenshot(_artifact_name(request, index, person.name))
    problems = [f"{name}" for context, watch in contexts for name in watch.problems()]
    for context, _ in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def person(people) -> Person:
    return people("person")
