"""Email addresses as the sign-in rules compare them (design §3.2).

Normalisation trims, lower-cases ASCII letters only, and IDNA-encodes the domain. A local
part with any non-ASCII character is kept exactly as given, so it matches only itself:
`adm\u0131n@` (dotless i), `\u017fam@` (long s), `\u212aelly@` (Kelvin sign) or a fullwidth
`\uff41dmin@` never equal their ASCII look-alikes
(Unicode case folding and NFKC would merge them, which is how look-alike takeovers work).
"""
from __future__ import annotations

import encodings.idna
import re
import unicodedata

_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# IDNA label separators besides "." (RFC 3490 §3.1): split on them before encoding.
_IDNA_DOTS = str.maketrans("\u3002\uff0e\uff61", "...")
_MAX_LOCAL = 64
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MAX_ADDRESS = 254


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_UPPER)


def _has_control_or_space(text: str) -> bool:
    return any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text)


def normalise_domain(domain: str) -> str | None:
    """The IDNA (ASCII) form of a domain, lower-cased; None when it is not a valid domain."""
    domain = _ascii_lower(domain.strip()).translate(_IDNA_DOTS).rstrip(".")
    if not domain or _has_control_or_space(domain):
        return None
    labels = []
    for label in domain.split("."):
        if not label:
            return None
        try:
            encoded = encodings.idna.ToASCII(label).decode("ascii")
        except UnicodeError:
            return None
        encoded = _ascii_lower(encoded)
        # letters, digits and inner hyphens only (punycode is made of them too): no "/", no
        # "_", and no dot that NFKC made inside the label (U+2488 is "1.")
        if not _LDH_LABEL.fullmatch(encoded):
            return None
        labels.append(encoded)
    return ".".join(labels)


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
