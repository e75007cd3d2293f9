from __future__ import annotations

import pytest

from adapters.contracts.revocation_feed import RevocationFeedContract
from adapters.memory.revocations import MemoryRevocationFeed


class TestMemoryRevocationFeed(RevocationFeedContract):
    @pytest.fixture
    def feeds(self):
        shared = MemoryRevocationFeed()  # one process: every "feed" is the same one
        return lambda: shared
