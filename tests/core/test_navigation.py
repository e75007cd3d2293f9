from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ErrorCode, SignInError
from core.navigation import MAX_PATH_LENGTH, is_valid_origin, match_origin, parse_origin, safe_return_path

ALLOWED = ("https://app.contoso.com", "http://localhost:3001", "https://admin.contoso.com:8443/")


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("https://app.contoso.com", "https://app.contoso.com"),
        ("https://app.contoso.com/", "https://app.contoso.com"),
        ("HTTPS://APP.Contoso.COM", "https://app.contoso.com"),
        ("https://app.contoso.com:443", "https://app.contoso.com"),
        ("http://localhost:3001", "http://localhost:3001"),
        ("https://admin.contoso.com:8443", "https://admin.contoso.com:8443"),
    ],
)
def test_allowed_origin_is_returned_in_the_allow_lists_spelling(candidate: str, expected: str) -> None:
    assert match_origin(candidate, ALLOWED) == expected


@pytest.mark.parametrize(
    "candidate",
    [
        None,
        "",
        "http://app.contoso.com",                  # other scheme
        "https://app.contoso.com:444",             # other port
        "http://localhost:3000",
        "http://localhost",
        "https://admin.contoso.com",               # default port, allowed one is 8443
        "https://evil.com",
        "https://app.contoso.com.evil.com",
        "https://evilapp.contoso.com",
        "https://app.contoso.com/path",            # a path
        "https://app.contoso.com?x=1",             # a query
        "https://app.contoso.com#frag",            # a fragment
        "https://user@app.contoso.com",            # userinfo
        "https://user:pw@app.contoso.com",
        "https://evil.com@app.contoso.com",
        "https://app.contoso.com:99999",           # invalid port
        "https://app.contoso.com:abc",
        "javascript://app.contoso.com",
        "ftp://app.contoso.com",
        "app.contoso.com",
        "//app.contoso.com",
    ],
)
def test_anything_but_an_exact_allowed_origin_is_refused(candidate: str | None) -> None:
    with pytest.raises(SignInError) as caught:
        match_origin(candidate, ALLOWED)
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    assert caught.value.detail == "frontend origin is not allowed"
    assert caught.value.frontend_origin is None


@pytest.mark.parametrize(
    ("candidate", "allowed"),
    [
        ("https://\u017ftore.example", "https://store.example"),      # long s: upper-cases to S
        ("https://\u212aelly.example", "https://kelly.example"),      # Kelvin sign: lower-cases to k
        ("https://\uff53tore.example", "https://store.example"),      # fullwidth s
        ("https://st\u043ere.example", "https://store.example"),      # Cyrillic o
        ("https://stra\u00dfe.example", "https://strasse.example"),   # sharp s: case-folds to ss
        ("https://stra\u00dfe.example", "https://xn--strae-oqa.example"),  # Unicode, not the xn-- form
    ],
)
def test_unicode_look_alike_hosts_are_refused(candidate: str, allowed: str) -> None:
    with pytest.raises(SignInError):
        match_origin(candidate, [allowed])
    assert not is_valid_origin(candidate)


def test_invalid_entries_of_the_allow_list_match_nothing() -> None:
    with pytest.raises(SignInError):
        match_origin("https://app.contoso.com", ["https://app.contoso.com/path", "not an origin"])


def test_is_valid_origin_accepts_bare_http_origins_only() -> None:
    assert is_valid_origin("https://app.contoso.com")
    assert is_valid_origin("http://localhost:3001/")
    assert not is_valid_origin("https://app.contoso.com/home")
    assert not is_valid_origin("mailto:alice@contoso.com")
    assert not is_valid_origin("https://")


@pytest.mark.parametrize(
    "path",
    ["/", "/workspace/3/home", "/a?x=1", "/a#section", "/r\u00e9sum\u00e9", "/ok%2", "/a%2Fb"],
)
def test_same_site_path_is_accepted_unchanged(path: str) -> None:
    # kept as given, so an encoded "&" or "/" inside the deep link keeps its meaning
    assert safe_return_path(path) == path


def test_a_value_that_only_decodes_to_a_path_is_refused() -> None:
    assert safe_return_path("%2Fworkspace") is None
    assert safe_return_path("%252F") is None


@pytest.mark.parametrize(
    "path",
    [
        None,
        "",
        "workspace/3",                     # no leading slash
        "//evil.com",                      # protocol-relative
        "///evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "/a\\b",
        "https://evil.com",
        "javascript:alert(1)",
        "/%2F%2Fevil.com",                 # encoded //
        "/%2f/evil.com",
        "%2F%2Fevil.com",
        "/%252F%252Fevil.com",             # double-encoded //
        "/%25252F%25252Fevil.com",         # triple-encoded //
        "/%5Cevil.com",                    # encoded backslash
        "/%255Cevil.com",
        "/a b",
        "/a\tb",
        "/a%09b",
        "/a%0d%0aSet-Cookie:x",            # header injection
        "/a%00",
        "/a%7f",
        "/a\u00a0b",                       # a Unicode space
        "%68ttps://evil.com",
        "/%" + "25" * 9 + "2F",            # encoded too deeply to be worth decoding
        "/" + "a" * MAX_PATH_LENGTH,       # too long
    ],
)
def test_unsafe_return_path_is_refused(path: str | None) -> None:
    assert safe_return_path(path) is None


def test_percent_encoding_is_decoded_seven_levels_deep_and_no_deeper() -> None:
    seven = "/%" + "25" * 6 + "41"           # "/A" after seven decodings
    assert unquote(unquote(unquote(unquote(unquote(unquote(unquote(seven))))))) == "/A"
    assert safe_return_path(seven) == seven
    assert safe_return_path("/%" + "25" * 7 + "41") is None


@pytest.mark.parametrize("path", ["/a!b", "/!", "/~user", "/a%21b"])
def test_printable_ascii_next_to_the_refused_characters_is_kept(path: str) -> None:
    assert safe_return_path(path) == path


def test_path_of_exactly_the_maximum_length_is_accepted() -> None:
    path = "/" + "a" * (MAX_PATH_LENGTH - 1)
    assert safe_return_path(path) == path


_path_text = st.lists(
    st.sampled_from(list("/\\%25Ffc:.a?#@ \t") + ["%2F", "%5C", "%25", "%252F", "\u00a0", "\x00"]),
    max_size=16,
).map("".join)


@given(st.one_of(_path_text, _path_text.map(lambda s: "/" + s), st.text(max_size=40)))
def test_any_accepted_path_is_a_same_site_path_after_full_decoding(raw: str) -> None:
    accepted = safe_return_path(raw)
    if accepted is None:
        return
    decoded = accepted
    for _ in range(10):
        decoded = unquote(decoded)
    for text in (accepted, decoded):
        assert text.startswith("/")
        assert "//" not in text
        assert "\\" not in text
        assert not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text)


def test_a_refused_origin_carries_what_was_asked_for_cut_to_its_limit() -> None:
    from core.errors import OriginNotAllowed

    with pytest.raises(OriginNotAllowed) as caught:
        match_origin("https://evil.example", ALLOWED)
    assert caught.value.origin == "https://evil.example"
    with pytest.raises(OriginNotAllowed) as caught:
        match_origin(None, ALLOWED)
    assert caught.value.origin == ""
    long = "https://" + "e" * 300 + ".example"
    with pytest.raises(OriginNotAllowed) as caught:
        match_origin(long, ALLOWED)
    assert caught.value.origin == long[: OriginNotAllowed.MAX_SHOWN]


# --- the one origin parser (issue 11 point 8) ---------------------------------------------

@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://app.contoso.com", "https://app.contoso.com"),
        ("HTTPS://App.Contoso.COM/", "https://app.contoso.com"),
        ("https://app.contoso.com:443", "https://app.contoso.com"),
        ("http://localhost:80", "http://localhost"),
        ("http://localhost:3001", "http://localhost:3001"),
        ("https://xn--strae-oqa.de", "https://xn--strae-oqa.de"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://[0:0:0:0:0:0:0:1]:3001", "http://[::1]:3001"),
        ("  https://app.contoso.com  ", "https://app.contoso.com"),
        ("https://a-b.c0.example:65535", "https://a-b.c0.example:65535"),
    ],
)
def test_an_origin_has_one_canonical_spelling(raw: str, canonical: str) -> None:
    origin = parse_origin(raw)
    assert origin is not None and str(origin) == canonical
    assert parse_origin(canonical) == origin


@pytest.mark.parametrize(
    "raw",
    [
        None, "", "https://", "https:///", "https://*.example.com", "https://*", "*",
        "https://app.*.com", "https://app.example.com*", "https://user@app.example.com",
        "https://:pw@app.example.com", "https://app.example.com/path", "https://app.example.com//",
        "https://app.example.com?q", "https://app.example.com#f", "https://app.example.com:0",
        "https://app.example.com:0443", "https://app.example.com:65536", "https://app.example.com:",
        "https://app.example.com:+443", "https://app.example.com.", "https://.example.com",
        "https://app..example.com", "https://-app.example.com", "https://app-.example.com",
        "https://app_1.example.com", "https://straße.de", "https://app.example.com\\",
        "https://app%2eexample.com", "https://app example.com", "https://127.1", "https://1.2.3.256",
        "https://01.2.3.4", "https://[::1", "https://[fe80::1%25eth0]", "https://[not:an:ip:x]", "https://[1::2::3]",
        "ftp://app.example.com", "javascript://app.example.com", "//app.example.com",
        "app.example.com", "https://" + "a" * 64 + ".com", "https://" + "a." * 127 + "com",
        "https://" + "a" * 300,
    ],
)
def test_anything_that_is_not_exactly_an_origin_is_refused(raw: str | None) -> None:
    assert parse_origin(raw) is None
    assert raw is None or not is_valid_origin(raw)


@pytest.mark.parametrize(
    ("raw", "loopback"),
    [("http://localhost:3001", True), ("http://127.0.0.1", True), ("http://127.9.9.9:1", True),
     ("http://[::1]", True), ("http://localhost.example.com", False), ("http://10.0.0.1", False),
     ("https://app.example.com", False), ("http://[2001:db8::1]", False)],
)
def test_loopback_origins_are_this_machine_only(raw: str, loopback: bool) -> None:
    origin = parse_origin(raw)
    assert origin is not None and origin.loopback is loopback


_origin_text = st.lists(
    st.sampled_from(["https://", "http://", "HTTP://", "a", "b.", "xn--", "-", "*", ".", ":", "443",
                     "0", "8080", "/", "@", "?", "#", "[", "]", "::1", "%2e", " ", "\\", "\u00df"]),
    max_size=8,
).map("".join)


@given(st.one_of(_origin_text, st.text(max_size=30)))
def test_the_canonical_spelling_is_a_fixed_point_and_carries_nothing_but_an_origin(raw: str) -> None:
    origin = parse_origin(raw)
    if origin is None:
        return
    text = str(origin)
    assert parse_origin(text) == origin and str(parse_origin(text)) == text
    assert text.startswith(("http://", "https://"))
    assert not any(ch in text[len(origin.scheme) + 3:] for ch in "*@?#/\\% ")
    assert text == text.lower() and text.isascii()


def test_a_host_may_be_253_characters_not_254() -> None:
    host = ".".join(["a" * 63] * 3 + ["b" * 61])  # 253 characters
    assert len(host) == 253 and parse_origin(f"https://{host}") is not None
    assert parse_origin(f"https://{host}b") is None  # 254


def test_an_origin_as_given_may_be_300_characters_not_301() -> None:
    origin = "https://app.contoso.com"
    padded = origin + " " * (300 - len(origin))  # surrounding blanks are trimmed
    assert str(parse_origin(padded)) == origin
    assert parse_origin(padded + " ") is None
