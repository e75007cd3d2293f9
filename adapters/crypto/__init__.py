"""Cryptography the core needs as ports (`cryptography` package)."""
from adapters.crypto.handoff import AeadHandoffCipher

__all__ = ["AeadHandoffCipher"]
