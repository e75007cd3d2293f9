"""The service's own session tokens (PyJWT, EdDSA/Ed25519) and their keys."""
from adapters.jwt.keys import KeySet, load_or_create_key, public_jwk, thumbprint, validate_hmac_secret
from adapters.jwt.service import TOKEN_TYPE, JwtTokenService

__all__ = [
    "TOKEN_TYPE", "JwtTokenService", "KeySet", "load_or_create_key", "public_jwk", "thumbprint",
    "validate_hmac_secret",
]
