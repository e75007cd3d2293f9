from __future__ import annotations

import pytest

from tests.core.world import World


@pytest.fixture
async def world() -> World:
    built = World()
    await built.standard_setup()
    return built
