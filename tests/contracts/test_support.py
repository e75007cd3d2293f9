from __future__ import annotations

import pytest

from adapters.contracts._support import not_provided


def test_a_missing_optional_fixture_skips_naming_what_goes_unchecked(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not checked: tokens of another key"):
        not_provided("tokens of another key")


@pytest.mark.parametrize("value", ["true", "1", "TRUE", "yes"])
def test_a_missing_optional_fixture_fails_under_ci(monkeypatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI=true: provide the fixture"):
        not_provided("B2C policies")
