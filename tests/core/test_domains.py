"""Email domains are compared as IDNA2008 (UTS #46 non-transitional) spells them, held
against the `idna` package (`uts46=True, transitional=False`).

Characters checked, each by name below and all of them in the property tests' alphabet:

- deviation characters, which IDNA2003 and transitional processing map away but IDNA2008
  keeps distinct: U+00DF sharp s (`stra\u00dfe.de` is `xn--strae-oqa.de`, never `strasse.de`),
  U+03C2 final sigma (kept, never folded to U+03C3), U+200D ZERO WIDTH JOINER and U+200C
  ZERO WIDTH NON-JOINER (CONTEXTJ: refused in every context, never dropped);
- ignored characters of UTS #46: U+00AD soft hyphen, U+FE0F variation selector, U+200B
  zero width space, U+034F combining grapheme joiner: refused, never dropped;
- mapped characters: ASCII and non-ASCII upper case (`\u00dc`, `\u03a3`, Kelvin sign
  U+212A, Angstrom sign U+212B), fullwidth letters and digits (U+FF21, U+FF41, U+FF10), the
  dots U+3002, U+FF0E, U+FF61: encoded exactly as the `idna` package encodes them;
  multi-code-point case mappings (U+0130, U+1E9E capital sharp s) and NFKC-only mappings
  (U+2488, mathematical letters, U+01C5): refused;
- CONTEXTO code points (U+00B7, U+0375, U+05F3, U+30FB, Arabic-Indic digits U+0660..): refused;
- IDNA2003-only symbols (U+2603 snowman), bidi mixtures, leading combining marks, fake and
  non-canonical A-labels: refused.
"""
from __future__ import annotations

import bisect
import sys
import unicodedata

import idna
import idna.idnadata
import idna.uts46data
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from idna.intranges import intranges_contain

from core.domains import is_pvalid, map_code_point
from core.emails import normalise_domain, normalise_email


def idna2008(domain: str) -> str | None:
    """The reference: the idna package's A-label form, or None when it refuses."""
    try:
        encoded = idna.encode(domain.strip(), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    return encoded[:-1] if encoded.endswith(".") else encoded


def test_sharp_s_domain_never_signs_in_as_its_ss_twin() -> None:
    victim = normalise_email("victim@strasse.de")
    look_alike = normalise_email("victim@stra\u00dfe.de")
    assert look_alike == "victim@xn--strae-oqa.de" == "victim@" + str(idna2008("stra\u00dfe.de"))
    assert look_alike != victim
    assert normalise_email("victim@xn--strae-oqa.de") == look_alike
    assert normalise_email("victim@STRA\u00dfE.DE") == look_alike


def test_final_sigma_is_kept_distinct_from_sigma() -> None:
    final, medial, capital = (normalise_domain(f"\u03b1\u03b2{s}.gr") for s in ("\u03c2", "\u03c3", "\u03a3"))
    assert final is not None and medial is not None
    assert final != medial and capital == medial
    assert final == idna2008("\u03b1\u03b2\u03c2.gr") and medial == idna2008("\u03b1\u03b2\u03c3.gr")


@pytest.mark.parametrize(
    "domain",
    [
        "a\u200db.com", "a\u200cb.com", "\u0915\u094d\u200c\u0937.in",  # ZWJ, ZWNJ (even after a virama)
        "stra\u00adsse.de", "contoso\ufe0f.com", "con\u200btoso.com", "con\u034ftoso.com",  # ignored
        "\u2603.com", "a\u2488b.com", "\U0001d41a\U0001d41b.com", "\u01c5.com",  # IDNA2003 / NFKC only
        "\u0130stanbul.tr", "STRA\u1e9eE.de",  # multi-code-point case mappings
        "l\u00b7l.cat", "\u30a2\u30fb\u30a2.jp", "\u0661\u0662.eg",  # CONTEXTO
        "a\u0628.com", "\u05d0a.il", "1.\u05d0\u05d1", "\u0308a.com",  # bidi, leading mark
        "xn--abc-", "xn--.com", "xn---bbk.com", "xn--zz-zz.com", "ab--cd.com", "-a.com", "a-.com",
        "a_b.com", "a b.com", "contoso..com", ".", "", "a" * 64 + ".com", ".".join(["a" * 63] * 5),
    ],
)
def test_domain_invalid_under_idna2008_or_uncertain_is_refused_not_mapped(domain: str) -> None:
    assert normalise_domain(domain) is None
    assert normalise_email(f"alice@{domain}") is None


@pytest.mark.parametrize(
    "domain",
    [
        "B\u00fccher.DE", "bu\u0308cher.de", "\uff43\uff4f\uff4e\uff54\uff4f\uff53\uff4f.com",
        "\uff23\uff2f\uff2e\uff34\uff2f\uff33\uff2f\uff10.com", "contoso\u3002com", "contoso\uff0ecom.",
        "contoso\uff61com", "\u212aelvin.com", "\u212bngstrom.se", "\u039c\u0391\u0398\u0397.gr",
        "XN--BCHER-KVA.de", "\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631",
        "\u05e2\u05d1\u05e8\u05d9\u05ea.il", "\u4f8b\u3048.\u30c6\u30b9\u30c8", "\ud55c\uad6d.kr",
        "\u13a0\u13a1.com",  # Cherokee capitals are PVALID themselves (they case-fold to themselves)
    ],
)
def test_mapped_and_unicode_domains_encode_as_the_idna_package_encodes_them(domain: str) -> None:
    expected = idna2008(domain)
    assert expected is not None
    assert normalise_domain(domain) == expected
    assert normalise_domain(expected) == expected


def _uts46(cp: int) -> tuple[str, str | None]:
    i = cp if cp < 256 else bisect.bisect_right(idna.uts46data.uts46_starts, cp) - 1
    return chr(idna.uts46data.uts46_statuses[i]), idna.uts46data.uts46_replacements[i]


def test_every_code_point_kept_or_mapped_agrees_with_the_idna_tables() -> None:
    pvalid = idna.idnadata.codepoint_classes["PVALID"]
    disagreements = []
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cn", "Cs", "Co"):
            assert map_code_point(ch) is None or ch.isascii()
            continue
        mapped = map_code_point(ch)
        if mapped is None or ch.isascii():
            continue
        status, replacement = _uts46(cp)
        if mapped == ".":
            ok = status == "M" and replacement == "."
        elif mapped == ch:
            ok = is_pvalid(ch) and intranges_contain(cp, pvalid) and status in "VD"
        else:
            ok = status == "M" and replacement == mapped and intranges_contain(ord(mapped), pvalid)
        if not ok:
            disagreements.append(f"U+{cp:04X}")
    assert not disagreements


# Property tests: an alphabet rich in the characters above, and labels spelled as A-labels.
_pieces = st.sampled_from(
    list("abcxyzABZ019-.") + [
        "\u00df", "\u03c2", "\u03c3", "\u03a3", "\u200d", "\u200c", "\u00ad", "\ufe0f", "\u200b",
        "\u00fc", "\u00dc", "u\u0308", "\u0308", "\u212a", "\u212b", "\u0130", "\u1e9e", "\u0131",
        "\uff21", "\uff41", "\uff10", "\uff0d", "\u3002", "\uff0e", "\uff61", "\u2488", "\u2603",
        "\u00b7", "\u30fb", "\u0661", "\u06f1", "\u0628", "\u05d0", "\u0627", "\u0301", "\u043e",
        "\u4f8b", "\u1100", "\u1161", "\uac00", "\u13a0", "\uab70", "\u0915", "\u094d", "xn--",
        "xn--strae-oqa", "xn--bcher-kva", "xn--zca", "strasse", "ss",
    ]
)
_domains = st.lists(_pieces, min_size=1, max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_domains)
def test_anything_accepted_encodes_as_the_idna_package_encodes_it(domain: str) -> None:
    ours = normalise_domain(domain)
    if ours is not None:
        assert ours == idna2008(domain)
        assert normalise_domain(ours) == ours


_SWAPS = [("\u00df", "ss"), ("\u03c2", "\u03c3"), ("\u03c3", "\u03a3"), ("\u00fc", "u\u0308"),
          ("\u00fc", "\u00dc"), ("a", "\uff41"), ("a", "A"), (".", "\u3002"), ("k", "\u212a"),
          ("xn--strae-oqa", "stra\u00dfe"), ("xn--zca", "\u00df"), ("ss", "\u1e9e"), ("s", "\u017f")]


@st.composite
def _look_alike_pairs(draw: st.DrawFn) -> tuple[str, str]:
    first = draw(_domains)
    second = first
    for old, new in draw(st.lists(st.sampled_from(_SWAPS), max_size=4)):
        second = second.replace(*((new, old) if draw(st.booleans()) else (old, new)))
    return first, second


@settings(max_examples=800, deadline=None)
@given(st.one_of(_look_alike_pairs(), st.tuples(_domains, _domains)))
def test_two_emails_normalise_equal_only_if_their_idna2008_a_labels_are_equal(pair: tuple[str, str]) -> None:
    a, b = pair
    first, second = normalise_email(f"victim@{a}"), normalise_email(f"victim@{b}")
    if first is not None and first == second:
        assert idna2008(a) is not None and idna2008(a) == idna2008(b)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=20))
def test_arbitrary_text_is_refused_or_encoded_as_idna2008(domain: str) -> None:
    ours = normalise_domain(domain)
    if ours is not None:
        assert ours == idna2008(domain)


@pytest.mark.parametrize(
    ("domain", "accepted"),
    [
        ("\U00010d00\U00010d30.com", True),         # RTL label ending in an Arabic number (AN)
        ("\U00010d001.com", True),                  # RTL label ending in a European number (EN)
        ("\U00010d00\U00010d301.com", False),       # RTL label mixing AN and EN (rule 4)
        ("\u05d0\u05d11.il", True),                 # R R EN
        ("\u05d0\u05d1\u0591.il", True),            # ends in a non-spacing mark after R (rule 3)
        ("a1.\u05d0\u05d1", True),                  # LTR label ending in EN, in a bidi domain (rule 6)
        ("a\u0591.\u05d0", True),                   # LTR label ending in a mark after L
        ("1\u05d0.il", False),                      # starts with neither R, AL nor L (rule 1)
        ("\u05d0ab.il", False),                     # L inside an RTL label (rule 2)
        ("a\u05d0.il", False),                      # R inside an LTR label of a bidi domain (rule 5)
        ("\u05d0\u05d1-.il", False),                # RTL label ending in ES (rule 3)
        ("-\u00e9.com", False),                     # a U-label may not start with a hyphen
    ],
)
def test_the_bidi_rule_and_hyphens_decide_as_idna2008_does(domain: str, accepted: bool) -> None:
    assert (normalise_domain(domain) is not None) is accepted
    assert normalise_domain(domain) == idna2008(domain)


def test_a_u_label_may_encode_to_63_characters_not_64() -> None:
    fits, too_long = "\u00e9" + "a" * 55 + ".com", "\u00e9" + "a" * 56 + ".com"
    assert normalise_domain(fits) == idna2008(fits) and len(str(normalise_domain(fits))) == 63 + 4
    assert normalise_domain(too_long) is None and idna2008(too_long) is None


def test_a_domain_may_be_253_characters_plus_its_trailing_dot() -> None:
    labels = ["d" * 63, "d" * 63, "d" * 63, "d" * 59]          # 248 characters and 3 dots: 251
    at_most = ".".join(labels) + ".x"                           # 253
    assert len(at_most) == 253
    assert normalise_domain(at_most) == at_most
    assert normalise_domain(at_most + ".") == at_most
    assert normalise_domain(at_most + "x") is None              # 254
    assert normalise_domain(at_most + "x.") is None


@pytest.mark.parametrize("domain", ["1password.com", "3com.com", "1.example"])
def test_a_left_to_right_domain_starting_with_a_digit_is_not_held_to_the_bidi_rule(domain: str) -> None:
    assert normalise_domain(domain) == domain == idna2008(domain)


def test_consumer_domains_of_the_policy_are_normalised_by_the_same_function() -> None:
    from core.policy import SignInPolicy

    policy = SignInPolicy(consumer_domains=frozenset({"GMail.com.", "stra\u00dfe.de"}))
    assert policy.consumer_domains == {"gmail.com", "xn--strae-oqa.de"}
    assert policy.is_consumer_domain(normalise_domain("STRA\u00dfE.de"))
    assert not policy.is_consumer_domain("strasse.de")
    with pytest.raises(ValueError) as caught:
        SignInPolicy(consumer_domains=frozenset({"\u2603.com"}))
    assert str(caught.value) == "consumer_domains must be valid (IDNA2008) domains"
