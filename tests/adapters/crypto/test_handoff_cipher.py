from __future__ import annotations

import base64

import pytest

from adapters.crypto import AeadHandoffCipher
from core.usecases.handoff import lookup_key

CODE = "Zk3x9Q-example-code-with-enough-entropy-0123456789"


def test_a_sealed_token_opens_only_with_its_code() -> None:
    cipher = AeadHandoffCipher()
    sealed = cipher.seal(CODE, "eyJ.token")
    assert "eyJ" not in sealed and CODE not in sealed
    assert cipher.open(CODE, sealed) == "eyJ.token"
    assert cipher.open(CODE + "x", sealed) is None
    assert AeadHandoffCipher().open(CODE, sealed) == "eyJ.token"  # no state: another process opens it


def test_each_seal_uses_a_fresh_nonce() -> None:
    cipher = AeadHandoffCipher()
    assert cipher.seal(CODE, "t") != cipher.seal(CODE, "t")


@pytest.mark.parametrize("flip", [3, 10, 20, -1])
def test_an_altered_sealed_value_does_not_open(flip: int) -> None:
    cipher = AeadHandoffCipher()
    sealed = cipher.seal(CODE, "eyJ.token")
    raw = bytearray(base64.urlsafe_b64decode(sealed[3:]))
    raw[flip] ^= 1
    assert cipher.open(CODE, "v1." + base64.urlsafe_b64encode(bytes(raw)).decode()) is None


@pytest.mark.parametrize("junk", ["", "eyJ.token", "v1.", "v1.%%%", "v1.AAAA", "v2." + "A" * 40, "v1.\u00e9"])
def test_anything_that_is_not_a_sealed_value_is_none_not_an_error(junk: str) -> None:
    assert AeadHandoffCipher().open(CODE, junk) is None


def test_the_lookup_key_is_not_the_plain_hash_of_the_code() -> None:
    import hashlib

    key = lookup_key(CODE)
    assert CODE not in key
    assert key != hashlib.sha256(CODE.encode()).hexdigest()  # domain-separated
