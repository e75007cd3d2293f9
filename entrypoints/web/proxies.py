"""Who the client is, behind the proxies the operator trusts (`SIGNIN_TRUSTED_PROXIES`).

The peer of the socket is the client unless it is a trusted proxy. Then `X-Forwarded-For`
(every such header, in order, as one list) is read from the right: each address a trusted
proxy appended is skipped while it is itself trusted, and the first one that is not is the
client (the right-most untrusted address: anything left of it was written by the client
and proves nothing). A chain of trusted addresses only gives its left-most; an entry that
is not an address stops the walk at the last trusted hop. `X-Forwarded-For` from a peer
that is not trusted is ignored.

This is the one place the service reads proxy headers: `serve` turns uvicorn's own
proxy-header handling off, so one setting rules both (docs/operations.md).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDRs (a bare address is its own /32 or /128); raises ValueError naming a bad one."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an address or CIDR such as 10.0.0.0/8") from None
    return tuple(out)


def _address(text: str) -> Address | None:
    """An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
    `[2001:db8::1]:443`; None for anything else (`unknown`, an obfuscated name)."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    def __init__(self, networks: Sequence[Network] = ()) -> None:
        self._networks = tuple(networks)

    def trusts(self, address: Address) -> bool:
        return any(address.version == n.version and address in n for n in self._networks)

    def client(self, peer: str | None, forwarded_for: Sequence[bytes]) -> str:
        """The client's address (as text) for a socket `peer` and the request's
        `X-Forwarded-For` header values; `peer` itself when it is not a trusted proxy."""
        known = _address(peer) if peer else None
        if known is None or not self._networks or not self.trusts(known):
            return peer or "unknown"
        hops = [h for value in forwarded_for for h in value.decode("latin-1").split(",") if h.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break
            known = address
            if not self.trusts(address):
                break
        return str(known)
