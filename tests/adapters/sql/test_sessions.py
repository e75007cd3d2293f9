from __future__ import annotations

import asyncio
import os
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.sql import (
    DatabaseConfig,
    InvalidTokenKey,
    SqlDatabase,
    TokenCipher,
    generate_key,
    load_or_create_key_file,
)
from core.errors import DuplicateKey
from core.model import Invite, InviteStatus, MicrosoftTokens, Session
from tests.adapters.sql.support import NOW, raw_value, seed_person

TOKENS = MicrosoftTokens(access_token="at-SECRET-1", refresh_token="rt-SECRET-2", id_token="it-3")


def a_session(session_id: str = "s1", **changes) -> Session:
    return replace(
        Session(
            id=session_id,
            user_id="u1",
            account_id="a1",
            authority="aad",
            created_at=NOW,
            idle_expires_at=NOW + timedelta(hours=1),
            expires_at=NOW + timedelta(hours=8),
            microsoft_tokens=TOKENS,
        ),
        **changes,
    )


async def test_session_round_trip_with_tokens(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        await uow.sessions.add(a_session())
        await uow.commit()
    async with database.unit_of_work() as uow:
        stored = await uow.sessions.get("s1")
    assert stored == a_session()
    assert stored.microsoft_tokens == TOKENS


async def test_tokens_are_encrypted_at_rest_with_a_fresh_nonce(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        await uow.sessions.add(a_session("s1"))
        await uow.sessions.add(a_session("s2"))
        await uow.commit()
    first = bytes(await raw_value(database, "SELECT microsoft_tokens FROM sessions WHERE id = 's1'"))
    second = bytes(await raw_value(database, "SELECT microsoft_tokens FROM sessions WHERE id = 's2'"))
    for sealed in (first, second):
        assert b"SECRET" not in sealed and b"at-" not in sealed
    assert first[1:13] != second[1:13]  # nonces
    assert first != second


async def test_revoking_deletes_the_tokens(database: SqlDatabase):
    await seed_person(database)
    async with database.unit_of_work() as uow:
        await uow.sessions.add(a_session())
        await uow.commit()
    revoked = a_session(revoked_at=NOW + timedelta(minutes=5), microsoft_tokens=None)
    async with database.unit_of_work() as uow:
        assert await uow.sessions.revoke("s1", revoked.revoked_at) == revoked
        await uow.commit()
    assert await raw_value(database, "SELECT microsoft_tokens FROM sessions WHERE id = 's1'") is None
    async with database.unit_of_work() as uow:
        assert await uow.sessions.get("s1") == revoked
        assert await uow.sessions.revoke("unknown", NOW) is None


async def test_open_for_user_skips_revoked_and_expired(database: SqlDatabase):
    await seed_person(database)
    later = NOW + timedelta(minutes=30)
    sessions = {
        "open": a_session("open"),
        "revoked": a_session("revoked", revoked_at=NOW),
        "idle": a_session("idle", idle_expires_at=later),
        "old": a_session("old", expires_at=later - timedelta(seconds=1)),
    }
    async with database.unit_of_work() as uow:
        for session in sessions.values():
            await uow.sessions.add(session)
        assert await uow.sessions.open_for_user("u1", later) == [sessions["open"]]
        assert await uow.sessions.open_for_user("someone-else", later) == []


async def test_a_session_under_another_key_loses_only_its_tokens(db_config: DatabaseConfig):
    first = SqlDatabase(db_config, token_key=generate_key())
    try:
        await seed_person(first)
        async with first.unit_of_work() as uow:
            await uow.sessions.add(a_session())
            await uow.commit()
    finally:
        await first.dispose()
    rotated = SqlDatabase(db_config, token_key=generate_key())
    try:
        async with rotated.unit_of_work() as uow:
            assert await uow.sessions.get("s1") == a_session(microsoft_tokens=None)
    finally:
        await rotated.dispose()


def test_a_ciphertext_is_bound_to_its_session():
    cipher = TokenCipher(generate_key())
    sealed = cipher.seal(TOKENS, "s1")
    assert cipher.open(sealed, "s1") == TOKENS
    with pytest.raises(ValueError):
        cipher.open(sealed, "s2")
    with pytest.raises(ValueError):
        TokenCipher(generate_key()).open(sealed, "s1")


@pytest.mark.parametrize("bad", ["", "not base64 !!", generate_key()[:20], "A" * 60],
                         ids=["empty", "not-base64", "too-short", "too-long"])
def test_bad_keys_are_refused_without_quoting_them(bad: str):
    with pytest.raises(InvalidTokenKey) as caught:
        TokenCipher(bad)
    assert not bad or bad not in str(caught.value)


def test_key_file_is_created_once_and_private(tmp_path: Path):
    path = tmp_path / "var" / "token.key"
    key = load_or_create_key_file(path)
    assert load_or_create_key_file(path) == key
    assert len(TokenCipher(key).seal(TOKENS, "s")) > 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.postgres
async def test_concurrent_applies_of_one_invite_succeed_once(
    postgres_config: DatabaseConfig, token_key: str
):
    database = SqlDatabase(postgres_config, token_key=token_key)
    try:
        await seed_person(database)
        invite = Invite("i1", "ada@contoso.com", 1, "editor", InviteStatus.ACCEPTED, NOW)
        async with database.unit_of_work() as uow:
            await uow.workspaces.add("one", "https://one.example")
            await uow.invites.add(invite)
            await uow.commit()
        applied = replace(invite, status=InviteStatus.APPLIED, applied_at=NOW, applied_user_id="u1")
        gate = asyncio.Event()

        async def apply() -> str:
            async with database.unit_of_work() as uow:
                await gate.wait()
                try:
                    await uow.invites.update(applied)
                    await asyncio.sleep(0.05)  # hold the row while the others queue
                    await uow.commit()
                except DuplicateKey:
                    return "duplicate"
                return "applied"

        tasks = [asyncio.create_task(apply()) for _ in range(10)]
        await asyncio.sleep(0.1)
        gate.set()
        outcomes = await asyncio.gather(*tasks)
        assert sorted(outcomes) == ["applied"] + ["duplicate"] * 9
    finally:
        await database.dispose()


def test_a_process_starting_while_another_writes_the_key_never_reads_a_partial_file(
    tmp_path, monkeypatch
):
    # Workers of `serve --workers N` create the embedded key together. Another worker
    # arrives exactly while this one writes its key (before the bytes are in): the old
    # O_EXCL creation showed it an empty file ("the token encryption key must be 32 bytes").
    from adapters.sql import crypto

    path = tmp_path / "var" / "token-encryption.key"
    seen: list[str] = []
    started: list[bool] = []
    real_fdopen = os.fdopen

    class Interrupted:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, text):
            if not started:
                started.append(True)
                seen.append(load_or_create_key_file(path))  # the other worker, mid-write
            return self.handle.write(text)

    monkeypatch.setattr(crypto.os, "fdopen", lambda *a, **k: Interrupted(real_fdopen(*a, **k)))
    first = load_or_create_key_file(path)
    assert seen == [first] == [path.read_text().strip()]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["token-encryption.key"]
