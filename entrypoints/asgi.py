"""The production ASGI application, for servers that import it by name.

`azure-signin serve` runs uvicorn with `entrypoints.asgi:app_factory` and `factory=True`, so
that each worker process reads the settings and builds its own container, connection pools
and clients (nothing is built at import time). Any ASGI server can do the same, e.g.
`uvicorn --factory entrypoints.asgi:app_factory`.
"""
from __future__ import annotations

from litestar import Litestar

from entrypoints.container import build_container
from entrypoints.logging_setup import configure_logging
from entrypoints.settings import load_settings
from entrypoints.web.app import create_app


def app_factory() -> Litestar:
    """Settings from the environment → container → app; raises `SettingsError` naming a
    missing or malformed setting."""
    settings = load_settings()
    configure_logging(settings.log_level, log_format=settings.log_format)
    return create_app(build_container(settings))
