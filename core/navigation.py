"""Where the browser may be sent: allow-listed origins and same-site paths only."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from core.errors import OriginNotAllowed

MAX_PATH_LENGTH = 2048
MAX_ORIGIN_LENGTH = 300
_DEFAULT_PORTS = {"http": 80, "https": 443}
# scheme://host[:port] and at most one trailing "/": userinfo, a path, a query, a fragment,
# a backslash or a space cannot match, so they are refused rather than stripped.
_ORIGIN = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"
    r"(?::(?P<port>[0-9]{1,5}))?/?"
)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class Origin:
    """A web origin (RFC 6454) in its one canonical spelling, as browsers send it in the
    `Origin` header: lowercase scheme and host, the port only when not the default."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        if self.port == _DEFAULT_PORTS[self.scheme]:
            return f"{self.scheme}://{self.host}"
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def loopback(self) -> bool:
        """The host is this machine: `localhost`, 127.0.0.0/8 or ::1."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False


def _host(raw: str) -> str | None:
    """The canonical host: a bracketed IPv6 address, a dotted-quad IPv4 address, or an
    ASCII DNS name (letters, digits, inner hyphens; no wildcard, no empty label, no
    trailing dot). International names are written as their A-labels (`xn--...`)."""
    host = raw.lower()
    if host.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            return None
    labels = host.split(".")
    if labels[-1].isdigit():  # only a real dotted quad may end in digits ("127.1" may not)
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            return None
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return host


def parse_origin(text: str | None) -> Origin | None:
    """The one parser of origins, for the allow-list setting, the CORS list built from it,
    a login's `frontendHost` and a workspace's host alike. None unless `text` is an http(s)
    origin and nothing else. Canonicalised: case, a trailing "/", an explicit default
    port. Refused: wildcards, userinfo, paths, queries, fragments, percent-encoding,
    non-ASCII hosts, port 0, ports with leading zeros or beyond 65535."""
    if not text or len(text) > MAX_ORIGIN_LENGTH:
        return None
    found = _ORIGIN.fullmatch(text.strip())
    if found is None:
        return None
    scheme = found["scheme"].lower()
    if scheme not in _DEFAULT_PORTS:
        return None
    host = _host(found["host"])
    port_text = found["port"]
    if port_text is None:
        port = _DEFAULT_PORTS[scheme]
    elif port_text.startswith("0") or not 0 < int(port_text) < 65536:
        return None
    else:
        port = int(port_text)
    return None if host is None else Origin(scheme, host, port)


def match_origin(candidate: str | None, allowed: Iterable[str]) -> str:
    """The canonical spelling of `candidate`, which must name exactly one of the allowed
    origins (same scheme, host and port). Raises `OriginNotAllowed` (a `SignInError` with
    `invalid_request`) naming the refused candidate."""
    wanted = parse_origin(candidate)
    if wanted is not None:
        for origin in allowed:
            if parse_origin(origin) == wanted:
                return str(wanted)
    raise OriginNotAllowed(candidate)


def is_valid_origin(origin: str) -> bool:
    """Whether `origin` is a bare http(s) origin (used to check settings and hosts)."""
    return parse_origin(origin) is not None


def _fully_decoded(text: str) -> str:
    for _ in range(8):
        decoded = unquote(text)
        if decoded == text:
            return text
        text = decoded
    raise ValueError("too deeply encoded")


def safe_return_path(raw: str | None) -> str | None:
    """`raw`, unchanged, when its fully percent-decoded form is a same-site path: one
    leading `/`, no `//`, no backslash, no control or space characters, not too long.
    Otherwise None (the caller falls back to the landing default). `raw` itself is kept so
    that an encoded `&` or `?` inside the deep link keeps its meaning; any decoding of it is
    safe, since the check ran on the most decoded form. (A path that starts with one `/` and
    holds no `//` can have neither a scheme nor a host.)"""
    if not raw or len(raw) > MAX_PATH_LENGTH or not raw.startswith("/"):
        return None  # the value handed on must itself be a path, not only its decoding
    try:
        path = _fully_decoded(raw)
    except ValueError:
        return None
    if not path.startswith("/") or "//" in path or "\\" in path:
        return None
    if any(ord(ch) < 33 or ord(ch) == 127 or ch.isspace() for ch in path):
        return None
    return raw
