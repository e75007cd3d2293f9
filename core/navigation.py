"""Where the browser may be sent: allow-listed origins and same-site paths only."""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from core.errors import OriginNotAllowed

MAX_PATH_LENGTH = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_key(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a bare origin, or None when it is not one. An origin is ASCII
    (browsers send an IDN host in its xn-- form), so a look-alike such as `\u017ftore` (long s)
    or a Kelvin sign, which Unicode case mapping would turn into `s` or `k`, names no origin."""
    if not origin.isascii():
        return None
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.username or parts.password or parts.query or parts.fragment:
        return None
    if parts.path not in ("", "/"):
        return None
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme]  # urllib lower-cases hostname


def match_origin(candidate: str | None, allowed: Iterable[str]) -> str:
    """The allow-list's own spelling of `candidate`, which must name exactly one of the
    allowed origins (same scheme, host and port). Raises `OriginNotAllowed` (a
    `SignInError` with `invalid_request`) naming the refused candidate."""
    key = _origin_key(candidate) if candidate else None
    if key is not None:
        for origin in allowed:
            if _origin_key(origin) == key:
                return origin.rstrip("/")
    raise OriginNotAllowed(candidate)


def is_valid_origin(origin: str) -> bool:
    """Whether `origin` is a bare http(s) origin (used to check settings)."""
    return _origin_key(origin) is not None


def _fully_decoded(text: str) -> str | None:
    """`text` percent-decoded until nothing changes; None past seven levels of encoding."""
    for _ in range(8):
        decoded = unquote(text)
        if decoded == text:
            return text
        text = decoded
    return None


def safe_return_path(raw: str | None) -> str | None:
    """`raw`, unchanged, when its fully percent-decoded form is a same-site path: one
    leading `/`, no `//`, no backslash, no control or space characters, not too long.
    Otherwise None (the caller falls back to the landing default). `raw` itself is kept so
    that an encoded `&` or `?` inside the deep link keeps its meaning; any decoding of it is
    safe, since the check ran on the most decoded form. (A path that starts with one `/` and
    holds no `//` can have neither a scheme nor a host.)"""
    if not raw or len(raw) > MAX_PATH_LENGTH or not raw.startswith("/"):
        return None  # the value handed on must itself be a path, not only its decoding
    path = _fully_decoded(raw)
    if path is None or not path.startswith("/") or "//" in path or "\\" in path:
        return None
    if any(ord(ch) < 33 or ord(ch) == 127 or ch.isspace() for ch in path):
        return None
    return raw
