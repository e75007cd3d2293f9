"""The pytest plugin of the contract suites, registered by the wheel's `pytest11` entry point
(`azure_signin_contracts`): fixtures any adapter's contract tests may use.

- `manual_clock`: a `ManualClock` of the product (a `core.ports.clock.Clock`), so an adapter
  that takes a clock can be tested without waiting: give the adapter `manual_clock` and
  the contract `advance = manual_clock.advance`.
- `contract_namespace`: a short name of this test's own (letters, digits and `_`, starting
  with a letter), usable as a key prefix, a table name prefix or a schema, so tests sharing
  one server never see each other's data.

It also has pytest rewrite the suites' `assert`s, so a failing contract test shows the values
it compared.
"""

from __future__ import annotations

import pkgutil
import uuid
from typing import TYPE_CHECKING

import pytest

import adapters.contracts

if TYPE_CHECKING:
    from adapters.memory.clock import ManualClock

pytest.register_assert_rewrite(
    *(
        f"{adapters.contracts.__name__}.{module.name}"
        for module in pkgutil.iter_modules(adapters.contracts.__path__)
        if module.name != "plugin"
    )
)


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock that moves only when `advance(seconds)` is called."""
    from adapters.memory.clock import ManualClock  # imported by the tests that use it only

    return ManualClock()


@pytest.fixture
def contract_namespace() -> str:
    """A fresh identifier-safe name for this test's data (`c` and twelve hex digits)."""
    return f"c{uuid.uuid4().hex[:12]}"
