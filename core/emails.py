"""Email addresses as the sign-in rules compare them (design §3.2).

Normalisation trims, lower-cases ASCII letters only, and encodes the domain as IDNA2008
(UTS #46 non-transitional, `core.domains`), refusing a domain IDNA2008 does not allow. A local
part with any non-ASCII character is kept exactly as given, so it matches only itself:
`adm\u0131n@` (dotless i), `\u017fam@` (long s), `\u212aelly@` (Kelvin sign) or a fullwidth
`\uff41dmin@` never equal their ASCII look-alikes
(Unicode case folding and NFKC would merge them, which is how look-alike takeovers work).
"""
from __future__ import annotations

import unicodedata

from core.domains import idna2008_domain

_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MAX_LOCAL = 64
_MAX_ADDRESS = 254


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_UPPER)


def normalise_domain(domain: str) -> str | None:
    """The IDNA2008 ASCII form of a domain, lower-cased, without its trailing dot; None when
    it is not a valid IDNA2008 domain (refused, never mapped to another domain). Every
    domain the service compares (emails, invites, directories, provider and consumer
    domains) goes through this one function."""
    return idna2008_domain(domain)


def normalise_email(raw: str | None) -> str | None:
    """The comparison form of an address, or None when there is no usable address."""
    if raw is None:
        return None
    text = raw.strip()
    parts = text.split("@")
    if len(parts) != 2:
        return None
    local, domain = parts
    if not local or not domain or _refused_in_local_part(local):
        return None
    if len(local) > _MAX_LOCAL:
        return None
    if local.isascii():
        local = _ascii_lower(local)
    ascii_domain = normalise_domain(domain)
    if ascii_domain is None:
        return None
    address = f"{local}@{ascii_domain}"
    return address if len(address) <= _MAX_ADDRESS else None


def email_domain(normalised: str) -> str:
    """The domain of an address already normalised by `normalise_email`."""
    return normalised.split("@")[1]


def _refused_in_local_part(local: str) -> bool:
    """Spaces, and every control or invisible character: Unicode category C holds C0, DEL, the
    C1 range U+0080-U+009F, format characters (U+200B, the bidi overrides), private use and
    unassigned code points. Such an address would display as another."""
    return any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in local)
