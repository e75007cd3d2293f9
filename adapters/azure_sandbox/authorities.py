"""Which authority and endpoint a request path names.

Azure AD: `/{tenant}/...` where tenant is a GUID, a domain, `organizations`, `common` or
`consumers`. B2C: `/{name}.onmicrosoft.com/{policy}/...` or `/{name}.onmicrosoft.com/...?p=`.
A B2C tenant addressed without a policy is its Azure AD face (client credentials for Graph).
Entra External ID: `/{tenant}/...` for an external tenant (family `external`); its tokens'
issuer is `https://{tenant-id}.ciamlogin.com/{tenant-id}/v2.0`, as Microsoft writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .directory import B2CTenant, Directory, Tenant

# (path suffix, endpoint kind), longest first.
ENDPOINT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("v2.0/.well-known/openid-configuration", "discovery"),
    ("oauth2/v2.0/authorize", "authorize"),
    ("oauth2/v2.0/token", "token"),
    ("oauth2/v2.0/logout", "logout"),
    ("discovery/v2.0/keys", "keys"),
)
AUDIENCES = {"organizations", "common", "consumers"}


def endpoint_kind(path: str) -> str:
    """The endpoint kind of any sandbox path (for the request log and the fault book)."""
    if path.startswith("/_sandbox/"):
        return "hooks"
    if path.startswith("/graph/"):
        return "graph"
    for suffix, kind in ENDPOINT_SUFFIXES:
        if path.rstrip("/").endswith("/" + suffix):
            return kind
    return "unknown"


@dataclass(frozen=True)
class Realm:
    """The authority a request addressed."""

    family: str  # "aad", "b2c" or "external"
    segment: str  # the tenant path segment as the client wrote it
    tenant: Tenant | None = None  # a concrete Azure AD tenant (None for organizations/common)
    b2c: B2CTenant | None = None
    policy: str | None = None  # canonical policy name (B2C only)
    policy_in_query: bool = False

    @property
    def audience(self) -> str:
        """`organizations`, `common`, `consumers` or `tenant`."""
        return self.segment.lower() if self.segment.lower() in AUDIENCES else "tenant"

    @property
    def tenant_id(self) -> str | None:
        if self.b2c:
            return self.b2c.id
        return self.tenant.id if self.tenant else None

    def base(self, origin: str) -> str:
        """The authority URL prefix endpoints hang off (B2C path form: lower-case policy)."""
        if self.b2c and self.policy and not self.policy_in_query:
            return f"{origin}/{self.b2c.domain}/{self.policy.lower()}"
        if self.b2c:
            return f"{origin}/{self.b2c.domain}"
        return f"{origin}/{self.segment}"

    def endpoint(self, origin: str, path: str) -> str:
        url = f"{self.base(origin)}/{path}"
        if self.b2c and self.policy and self.policy_in_query:
            url += f"?p={self.policy.lower()}"
        return url

    def issuer(self, origin: str, tid: str | None = None) -> str:
        """The `iss` of tokens from this realm (for a multi-tenant realm, pass the user's tid)."""
        if self.b2c and self.policy:
            return f"{origin}/{self.b2c.id}/v2.0/"
        if self.family == "external" and self.tenant is not None:
            return external_issuer(self.tenant.id)
        return f"{origin}/{tid or self.tenant_id}/v2.0"


def external_issuer(tenant_id: str) -> str:
    """The `iss` of an Entra External ID tenant's tokens."""
    return f"https://{tenant_id}.ciamlogin.com/{tenant_id}/v2.0"


@dataclass(frozen=True)
class Endpoint:
    kind: str
    realm: Realm | None  # None: unknown tenant or policy
    problem: str = ""  # why realm is None


def parse_endpoint(directory: Directory, path: str, policy_query: str | None) -> Endpoint | None:
    """Split `path` into authority and endpoint; None when it names no sandbox endpoint."""
    clean = path.strip("/")
    match = next(((s, k) for s, k in ENDPOINT_SUFFIXES if clean.endswith("/" + s)), None)
    if match is None:
        return None
    suffix, kind = match
    prefix = clean[: -len(suffix) - 1]
    segments = [s for s in prefix.split("/") if s]
    if not segments or len(segments) > 2:
        return None
    return Endpoint(kind, *_realm(directory, segments, policy_query))


def _realm(directory: Directory, segments: list[str], policy_query: str | None) -> tuple[Realm | None, str]:
    first = segments[0]
    b2c = directory.b2c_tenant(first)
    if b2c is not None:
        requested = segments[1] if len(segments) == 2 else policy_query
        if requested is None:
            return Realm("aad", first, b2c=b2c), ""
        policy = b2c.policy(requested)
        if policy is None:
            return None, f"policy '{requested}' not found in tenant '{b2c.domain}'"
        return Realm("b2c", first, b2c=b2c, policy=policy, policy_in_query=len(segments) == 1), ""
    if len(segments) == 2:
        return None, f"tenant '{first}' is not a B2C tenant"
    if first.lower() in AUDIENCES:
        consumer = next((t for t in directory.tenants if t.consumer), None)
        consumer = consumer if first.lower() == "consumers" else None
        return Realm("aad", first.lower(), tenant=consumer), ""
    tenant = directory.tenant(first)
    if tenant is None:
        return None, f"Tenant '{first}' not found."
    return Realm("external" if tenant.external else "aad", first, tenant=tenant), ""


def redirect_uri_matches(registered: str, requested: str) -> bool:
    """Exact match, except that an http://localhost or http://127.0.0.1 URI matches on any port."""
    if registered == requested:
        return True
    reg, req = urlsplit(registered), urlsplit(requested)
    loopback = {"localhost", "127.0.0.1"}
    if reg.scheme == req.scheme == "http" and reg.hostname in loopback and reg.hostname == req.hostname:
        try:
            req.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            return False
        return (reg.path or "/") == (req.path or "/") and reg.query == req.query and not req.fragment
    return False


def registered(uris: tuple[str, ...], requested: str | None) -> bool:
    return bool(requested) and any(redirect_uri_matches(uri, requested or "") for uri in uris)
