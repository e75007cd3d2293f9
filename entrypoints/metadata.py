"""What the installed distribution says about itself (its metadata, never a copy in code)."""
from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "azure-signin"


@cache
def package_version() -> str:
    """The installed version of azure-signin, as pyproject.toml set it at install time."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"
