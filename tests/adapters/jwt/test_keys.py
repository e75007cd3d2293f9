from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.jwt import JwtTokenService, KeySet, load_or_create_key, validate_hmac_secret
from adapters.jwt.keys import private_pem, public_pem
from core.identity import SessionClaims
from tests.adapters.jwt.conftest import AUDIENCE, ISSUER, START, MovableClock

CLAIMS = SessionClaims("user-1", "sid-1", "jti-1", START, START.replace(hour=13))


def test_the_embedded_default_key_is_created_private_and_then_reused(tmp_path: Path) -> None:
    folder = tmp_path / "var"
    path = load_or_create_key(folder)
    assert path.parent == folder
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = KeySet.load(path).current_kid
    assert load_or_create_key(folder) == path
    assert KeySet.load(path).current_kid == first
    assert [p.name for p in folder.iterdir()] == [path.name]


def test_keys_load_from_pem_files_and_previous_ones_keep_verifying(
    tmp_path: Path, clock: MovableClock
) -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    (tmp_path / "old.pem").write_bytes(private_pem(old))
    (tmp_path / "old.pub.pem").write_bytes(public_pem(old.public_key()))
    (tmp_path / "new.pem").write_bytes(private_pem(new))
    before = JwtTokenService(
        KeySet.load(tmp_path / "old.pem"), issuer=ISSUER, audience=AUDIENCE, clock=clock
    )
    token = before.issue(CLAIMS)
    for previous in ("old.pub.pem", "old.pem"):  # a public key file, or the old private one
        after = KeySet.load(tmp_path / "new.pem", [tmp_path / previous])
        service = JwtTokenService(after, issuer=ISSUER, audience=AUDIENCE, clock=clock)
        assert service.verify(token) == CLAIMS
        assert len(service.public_jwks()["keys"]) == 2


def test_an_unusable_key_file_is_named_without_its_content(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "ec.pem").write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "junk.pem").write_text("-----BEGIN PRIVATE KEY-----\nnot-a-key\n")
    for name in ("ec.pem", "junk.pem", "missing.pem"):
        with pytest.raises(ValueError, match=name) as error:
            KeySet.load(tmp_path / name)
        assert "BEGIN" not in str(error.value)
    with pytest.raises(ValueError, match="ec.pem"):
        KeySet.load(load_or_create_key(tmp_path), [tmp_path / "ec.pem"])


def test_the_key_set_repr_shows_no_private_key() -> None:
    keys = KeySet.generate()
    assert "PRIVATE" not in repr(keys)
    assert "Ed25519PrivateKey" not in repr(keys)


@pytest.mark.parametrize("secret", ["", "short", "x" * 31, b"\x00" * 31])
def test_an_hmac_secret_shorter_than_32_bytes_is_refused(secret: str | bytes) -> None:
    with pytest.raises(ValueError, match="SIGNIN_JWT_SECRET"):
        validate_hmac_secret(secret, "SIGNIN_JWT_SECRET")


def test_an_hmac_secret_of_32_bytes_is_accepted() -> None:
    assert validate_hmac_secret("é" * 16) == ("é" * 16).encode()
    assert validate_hmac_secret(b"k" * 32) == b"k" * 32
