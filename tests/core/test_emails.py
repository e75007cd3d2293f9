from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.emails import email_domain, normalise_domain, normalise_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice@contoso.com", "alice@contoso.com"),
        ("  Alice@Contoso.COM \t", "alice@contoso.com"),
        ("ALICE@CONTOSO.COM.", "alice@contoso.com"),
        ("bob@B\u00fccher.DE", "bob@xn--bcher-kva.de"),
        ("bob@xn--bcher-kva.de", "bob@xn--bcher-kva.de"),
        ("bob@contoso\uff0ecom", "bob@contoso.com"),  # a fullwidth full stop is an IDNA dot
    ],
)
def test_email_is_trimmed_ascii_folded_and_its_domain_idna_encoded(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("look_alike", "ascii"),
    [
        ("adm\u0131n@contoso.com", "admin@contoso.com"),       # dotless i
        ("\u017fam@contoso.com", "sam@contoso.com"),           # long s
        ("\u212aelly@contoso.com", "kelly@contoso.com"),       # Kelvin sign
        ("\uff41dmin@contoso.com", "admin@contoso.com"),       # fullwidth a
        ("alice@cont\u043eso.com", "alice@contoso.com"),       # Cyrillic o in the domain
    ],
)
def test_unicode_look_alike_never_matches_its_ascii_twin(look_alike: str, ascii: str) -> None:
    normalised = normalise_email(look_alike)
    assert normalised is not None
    assert normalised != normalise_email(ascii)
    assert normalised != normalise_email(ascii.upper())


def test_non_ascii_local_part_is_kept_exactly_and_matches_only_itself() -> None:
    assert normalise_email("J\u00f6rg@Contoso.com") == "J\u00f6rg@contoso.com"
    assert normalise_email("J\u00f6rg@contoso.com") != normalise_email("j\u00f6rg@contoso.com")


@pytest.mark.parametrize(
    "raw",
    [
        None, "", "   ", "alice", "alice@", "@contoso.com", "a@b@contoso.com", "al ice@contoso.com",
        "al\tice@contoso.com", "alice\x00@contoso.com", "alice@conto so.com", "alice@contoso..com",
        "alice@.", "alice@...", "x" * 65 + "@contoso.com", "alice@" + "x" * 64 + ".com",
        "alice@" + ".".join(["x" * 60] * 5), "alice@contoso.com\x7f", "alice@\u200b.com",
    ],
)
def test_unusable_address_normalises_to_none(raw: str | None) -> None:
    assert normalise_email(raw) is None


def test_domain_normalisation_and_email_domain() -> None:
    assert normalise_domain(" Contoso.COM. ") == "contoso.com"
    assert normalise_domain("") is None
    assert normalise_domain("a..b") is None
    assert normalise_domain("con toso.com") is None
    assert email_domain("alice@contoso.com") == "contoso.com"


_address_text = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ09._-+@ ") + ["\u0131", "\u017f", "\u212a", "\uff41", "\u043e", "\u00fc",
                                  "\uff0e", "\u3002", "\u00df", "\t", "\u200b"]
    ),
    max_size=30,
)


@given(_address_text)
def test_normalising_twice_changes_nothing(raw: str) -> None:
    once = normalise_email(raw)
    if once is not None:
        assert normalise_email(once) == once


@given(st.emails())
def test_every_valid_email_normalises_to_a_lowercase_ascii_address(raw: str) -> None:
    once = normalise_email(raw)
    assert once is not None
    assert once == once.lower() and once.isascii()
    assert normalise_email(once) == once
    assert normalise_email(raw.upper()) == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice@contoso.com\uff0e", "alice@contoso.com"),    # trailing fullwidth full stop
        ("alice@contoso\u3002com", "alice@contoso.com"),     # ideographic full stop
        ("alice@contoso\uff61com", "alice@contoso.com"),     # halfwidth ideographic full stop
        ("alice@contoso\uff0e\uff0ecom", None),              # an empty label, spelled in Unicode
        ("alice@x\u2488com", None),                          # NFKC turns U+2488 into "1."
    ],
)
def test_unicode_dots_separate_labels_like_ascii_dots(raw: str, expected: str | None) -> None:
    assert normalise_email(raw) == expected
    if expected is not None:
        assert normalise_email(expected) == expected


@pytest.mark.parametrize("address", ["a@contoso.com/evil", "a@b_c.com", "a@-b.com", "a@b-.com", "a@b c.com"])
def test_domains_must_be_letters_digits_and_inner_hyphens(address: str) -> None:
    assert normalise_email(address) is None


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\u00a0", "\u00ad", "\u200b", "\u202e",
     "\u2028", "\ue000", "\U000e0041"],
)
def test_control_and_invisible_characters_in_the_local_part_are_refused(character: str) -> None:
    assert normalise_email(f"ali{character}ce@contoso.com") is None


@pytest.mark.parametrize("character", ["~", "!", "\u00a1", "\u00e9", "\u4e2d"])
def test_printable_characters_next_to_the_refused_ranges_are_kept(character: str) -> None:
    assert normalise_email(f"ali{character}ce@contoso.com") == f"ali{character}ce@contoso.com"


def test_local_part_may_be_64_characters_not_65() -> None:
    assert normalise_email("x" * 64 + "@contoso.com") == "x" * 64 + "@contoso.com"
    assert normalise_email("x" * 65 + "@contoso.com") is None


def test_address_may_be_254_characters_not_255() -> None:
    domain = ".".join(["d" * 63, "d" * 63, "d" * 63, "d" * 45]) + ".com"   # 241 characters
    assert len(domain) == 241
    assert normalise_email("x" * 12 + "@" + domain) == "x" * 12 + "@" + domain   # 254
    assert normalise_email("x" * 13 + "@" + domain) is None                     # 255
