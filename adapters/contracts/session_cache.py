"""The contract of `core.ports.sessions.SessionCache`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.contracts._support import Advance, abstract, elapse
from core.ports.sessions import CachedSession, SessionCache

_EXPIRES = datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def entry(session_id: str, user_id: str = "user-1", *, revoked: bool = False) -> CachedSession:
    return CachedSession(session_id=session_id, user_id=user_id, expires_at=_EXPIRES, revoked=revoked)


@pytest.mark.asyncio
class SessionCacheContract:
    """Tests every `SessionCache` must pass.

    Subclass it in a `test_*.py` module and provide `session_cache`, the cache under test,
    and `advance(seconds)`, which makes time pass for it (a manual clock's `advance`, or
    `time.sleep` for a cache with a real clock; it may be async)::

        class TestRedisSessionCache(SessionCacheContract):
            @pytest.fixture
            def session_cache(self, redis_url, redis_prefix):
                return RedisSessionCache(redis_url, prefix=redis_prefix)

            @pytest.fixture
            def advance(self):
                return time.sleep
    """

    @pytest.fixture
    def session_cache(self) -> SessionCache:
        return abstract("session_cache", "SessionCacheContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def advance(self) -> Advance:
        return abstract("advance", "SessionCacheContract")  # type: ignore[no-any-return]

    async def test_get_returns_what_was_put(self, session_cache: SessionCache) -> None:
        stored = entry("sid-round-trip")
        await session_cache.put(stored, timedelta(minutes=5))
        found = await session_cache.get(stored.session_id)
        assert found == stored
        assert found is not None and found.expires_at.utcoffset() == timedelta(0)

    async def test_unknown_session_gives_none(self, session_cache: SessionCache) -> None:
        assert await session_cache.get("sid-never-stored") is None

    async def test_delete_forgets_the_entry(self, session_cache: SessionCache) -> None:
        await session_cache.put(entry("sid-deleted"), timedelta(minutes=5))
        await session_cache.delete("sid-deleted")
        assert await session_cache.get("sid-deleted") is None

    async def test_deleting_an_unknown_session_is_not_an_error(self, session_cache: SessionCache) -> None:
        await session_cache.delete("sid-never-stored")
        await session_cache.delete("sid-never-stored")

    async def test_delete_leaves_other_entries_alone(self, session_cache: SessionCache) -> None:
        kept = entry("sid-kept")
        await session_cache.put(kept, timedelta(minutes=5))
        await session_cache.put(entry("sid-dropped"), timedelta(minutes=5))
        await session_cache.delete("sid-dropped")
        assert await session_cache.get("sid-kept") == kept

    async def test_entry_is_gone_after_its_ttl(self, session_cache: SessionCache, advance: Advance) -> None:
        await session_cache.put(entry("sid-expires"), timedelta(seconds=1))
        await elapse(advance, 1.2)
        assert await session_cache.get("sid-expires") is None

    async def test_entry_is_there_before_its_ttl(self, session_cache: SessionCache, advance: Advance) -> None:
        stored = entry("sid-alive")
        await session_cache.put(stored, timedelta(seconds=30))
        await elapse(advance, 1.2)
        assert await session_cache.get("sid-alive") == stored

    async def test_revoked_entry_stays_revoked_for_its_ttl(
        self, session_cache: SessionCache, advance: Advance
    ) -> None:
        revoked = entry("sid-revoked", revoked=True)
        await session_cache.put(revoked, timedelta(seconds=30))
        assert await session_cache.get("sid-revoked") == revoked
        await elapse(advance, 1.2)
        assert await session_cache.get("sid-revoked") == revoked

    async def test_put_again_replaces_the_entry(self, session_cache: SessionCache) -> None:
        await session_cache.put(entry("sid-overwritten"), timedelta(minutes=5))
        revoked = entry("sid-overwritten", revoked=True)
        await session_cache.put(revoked, timedelta(minutes=5))
        assert await session_cache.get("sid-overwritten") == revoked

    async def test_put_again_renews_the_ttl(self, session_cache: SessionCache, advance: Advance) -> None:
        stored = entry("sid-renewed")
        await session_cache.put(stored, timedelta(seconds=1))
        await session_cache.put(stored, timedelta(seconds=30))
        await elapse(advance, 1.2)
        assert await session_cache.get("sid-renewed") == stored
