"""Email domains as IDNA2008 spells them: UTS #46 non-transitional mapping, RFC 5891-5893
validation, and a refusal wherever this module cannot be sure of the exact answer.

Why here and why conservative: the core compares domains in pure rules and imports only the
standard library, so it cannot use the `idna` package. Python's own `idna` codec is IDNA2003,
which maps characters IDNA2008 keeps distinct (`stra\u00dfe.de` became `strasse.de`, a
different registrable domain), so it must not be used either. This module derives the
IDNA2008 code point classes of RFC 5892 from `unicodedata` and accepts a domain only when
every step is one it can take exactly as IDNA2008 / UTS #46 would:

- mapped: ASCII upper case; the dots U+3002, U+FF0E, U+FF61; fullwidth ASCII letters and
  digits; an upper- or title-case letter whose lower case is a single PVALID code point
  equal to its case folding (`\u00dc` -> `\u00fc`, `\u03a3` -> `\u03c3`);
- kept: PVALID code points, including the deviations `\u00df` and `\u03c2` (non-transitional);
- refused, never mapped: everything else, among it CONTEXTJ (ZWJ, ZWNJ) and CONTEXTO code
  points (middle dot, Greek keraia, Hebrew geresh, katakana middle dot, Arabic-Indic digits)
  whatever their context, the ignored characters of UTS #46 (soft hyphen, variation
  selectors), letters whose case mapping is not one code point (`\u0130`, `\u1e9e`), labels
  breaking the hyphen, combining-mark or bidi rules (checked over the whole domain, RFC
  5893), A-labels that do not decode to a valid U-label or are not its canonical spelling.

tests/core/test_domains.py holds every accepted answer against the `idna` package
(`uts46=True, transitional=False`), code point by code point and by property.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ACE_PREFIX = "xn--"
_MAX_LABEL = 63
_MAX_DOMAIN = 253
_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_DOTS = frozenset("\u3002\uff0e\uff61")

# RFC 5892 section 2.6 (Exceptions): PVALID and DISALLOWED by decree.
_EXCEPTIONS_PVALID = frozenset("\u00df\u03c2\u06fd\u06fe\u0f0b\u3007")
_EXCEPTIONS_DISALLOWED = frozenset("\u0640\u07fa\u302e\u302f\u3031\u3032\u3033\u3034\u3035\u303b")
# CONTEXTO exceptions and CONTEXTJ (join controls): valid only in contexts we do not judge.
_CONTEXTUAL = frozenset(
    "\u00b7\u0375\u05f3\u05f4\u30fb\u200c\u200d"
    + "".join(chr(c) for c in range(0x0660, 0x066A))
    + "".join(chr(c) for c in range(0x06F0, 0x06FA))
)
# Default_Ignorable_Code_Point (DerivedCoreProperties.txt), RFC 5892 section 2.7.
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
# IgnorableBlocks (section 2.8) and OldHangulJamo (section 2.9), as whole blocks.
_DISALLOWED_BLOCKS = (
    (0x20D0, 0x20FF), (0x1D100, 0x1D1FF), (0x1D200, 0x1D24F),
    (0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF),
)
_LETTER_DIGITS = frozenset({"Ll", "Lu", "Lo", "Nd", "Lm", "Mn", "Mc"})
_RTL = frozenset({"R", "AL", "AN"})
_RTL_ALLOWED = frozenset({"R", "AL", "AN", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"})
_LTR_ALLOWED = frozenset({"L", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"})


def _in(ranges: tuple[tuple[int, int], ...], cp: int) -> bool:
    return any(low <= cp <= high for low, high in ranges)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=8192)
def is_pvalid(ch: str) -> bool:
    """Whether one code point is PVALID under RFC 5892 (its section 3 algorithm, on this
    Python's Unicode data; CONTEXTJ and CONTEXTO count as not valid)."""
    if ch in _EXCEPTIONS_PVALID:
        return True
    if ch in _EXCEPTIONS_DISALLOWED or ch in _CONTEXTUAL:
        return False
    category = unicodedata.category(ch)
    if category == "Cn":
        return False
    if ch.isascii():
        return ch in _LDH
    if _nfkc(_nfkc(ch).casefold()) != ch:  # Unstable
        return False
    cp = ord(ch)
    if _in(_DEFAULT_IGNORABLE, cp) or _in(_DISALLOWED_BLOCKS, cp) or ch.isspace():
        return False
    return category in _LETTER_DIGITS


@lru_cache(maxsize=8192)
def map_code_point(ch: str) -> str | None:
    """The UTS #46 mapping of one code point when this module can give it exactly (the
    code point itself when it is kept); None when the domain must be refused."""
    if ch.isascii():
        return ch.lower()
    if is_pvalid(ch):
        return ch
    if ch in _DOTS:
        return "."
    if "\uff10" <= ch <= "\uff19" or "\uff21" <= ch <= "\uff3a" or "\uff41" <= ch <= "\uff5a":
        return _nfkc(ch).lower()
    if unicodedata.category(ch) in ("Lu", "Lt"):
        lower = ch.lower()
        if len(lower) == 1 and lower == ch.casefold() and is_pvalid(lower):
            return lower
    return None


def _bidi_ok(label: str) -> bool:
    """RFC 5893 section 2, rules 1-6, for one label of a domain that has an RTL label."""
    directions = [unicodedata.bidirectional(ch) for ch in label]
    if directions[0] in ("R", "AL"):
        allowed, ending = _RTL_ALLOWED, {"R", "AL", "EN", "AN"}
        if "EN" in directions and "AN" in directions:
            return False
    elif directions[0] == "L":
        allowed, ending = _LTR_ALLOWED, {"L", "EN"}
    else:
        return False
    if any(d not in allowed for d in directions):
        return False
    last = next((d for d in reversed(directions) if d != "NSM"), None)
    return last in ending


def _u_label_ok(label: str) -> bool:
    """RFC 5891 section 5.4 for a non-ASCII label: NFC, PVALID only, hyphens, no leading
    combining mark (the bidi rule is checked over the whole domain)."""
    return (
        unicodedata.is_normalized("NFC", label)
        and all(is_pvalid(ch) for ch in label)
        and not label.startswith("-")
        and not label.endswith("-")
        and label[2:4] != "--"
        and not unicodedata.category(label[0]).startswith("M")
    )


def _label(label: str) -> tuple[str, str] | None:
    """(A-label, U-label) of one mapped label, or None when it is not valid IDNA2008."""
    if label.isascii():
        if not _LDH_LABEL.fullmatch(label):
            return None
        if not label.startswith(ACE_PREFIX):
            return (label, label) if label[2:4] != "--" else None
        try:
            unicode = label[len(ACE_PREFIX):].encode().decode("punycode")  # ASCII: UTF-8 is ASCII
        except UnicodeError:
            return None
        if unicode.isascii() or ACE_PREFIX + unicode.encode("punycode").decode() != label:
            return None
        return (label, unicode) if _u_label_ok(unicode) else None
    if not _u_label_ok(label):
        return None
    encoded = ACE_PREFIX + label.encode("punycode").decode()
    return (encoded, label) if len(encoded) <= _MAX_LABEL else None


def idna2008_domain(domain: str) -> str | None:
    """The ASCII (A-label) form of `domain`, lower-case and without a trailing dot, exactly as
    IDNA2008 with UTS #46 non-transitional processing gives it; None when the domain is not
    valid IDNA2008 or this module cannot be sure of its exact form (it refuses, never
    guesses). Idempotent: its answer maps to itself."""
    domain = domain.strip()
    if len(domain) > _MAX_DOMAIN + 1:  # no code point maps to less than one ASCII character
        return None
    mapped = []
    for ch in domain:
        out = map_code_point(ch)
        if out is None:
            return None
        mapped.append(out)
    text = unicodedata.normalize("NFC", "".join(mapped))
    if text.endswith("."):
        text = text[:-1]
    if not text:
        return None
    labels = [_label(label) if label else None for label in text.split(".")]
    if any(found is None for found in labels):
        return None
    pairs = [found for found in labels if found is not None]
    unicode_labels = [u for _, u in pairs]
    # RFC 5893: in a domain with any right-to-left label, every label obeys the bidi rule
    is_bidi = any(unicodedata.bidirectional(ch) in _RTL for u in unicode_labels for ch in u)
    if is_bidi and not all(_bidi_ok(u) for u in unicode_labels):
        return None
    ascii_form = ".".join(a for a, _ in pairs)
    return ascii_form if len(ascii_form) <= _MAX_DOMAIN else None
