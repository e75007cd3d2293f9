"""ID-token validation by the service (MSAL 1.38+ no longer validates ID tokens).

Checked, in order: header (`alg` RS256 only, a `kid`), signature against the authority's
JWKS, `iss` (exactly the discovery issuer; for `organizations`/`common` the issuer template
filled with the token's `tid`, which must be a GUID), `aud` (and `azp` when `aud` is a
list), `exp`/`iat`/`nbf` against the injected clock with at most 120 s leeway, the nonce,
the required claims, the tenant (allow-list, personal accounts) and, for B2C, the policy:
the token's `tfp` (or `acr`) must name the policy of the authority the flow used (the
sign-up/sign-in policy, or the reset policy for a reset flow), compared case-insensitively
as B2C compares policy names. All policies of a B2C tenant share its issuer and keys, so
without this check a token of another policy (one with weaker sign-in steps) would pass.
For Entra External ID the issuer is also rebuilt from the token's own `tid` (required):
`https://{tid}.ciamlogin.com/{tid}/v2.0`, as Microsoft issues it, and must equal both the
discovery issuer and `iss`, so a token of another external tenant never passes.
Every failure is `SignInError(invalid_token)`; only an unreachable Microsoft is
`temporarily_unavailable`. Tokens never appear in logs or messages.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import jwt

from adapters.microsoft.config import AuthorityConfig, b2c_policy, discovery_url, is_guid, issuer_tenant
from adapters.microsoft.discovery import DiscoveryCache, OidcMetadata
from adapters.msal.jwks import JwksCache
from core.errors import ErrorCode, SignInError
from core.ports.clock import Clock

ALLOWED_ALGORITHMS = ("RS256",)
MAX_LEEWAY = 120
_SIGNATURE_ONLY: Any = {  # PyJWT's Options: only the signature; the rest is checked below
    "verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
    "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False,
}


def nonce_hash(nonce: str) -> str:
    """What the authorization request (and so the ID token) carries for the flow's nonce:
    MSAL sends sha256-hex of `flow["nonce"]`."""
    return hashlib.sha256(nonce.encode("ascii")).hexdigest()


def _invalid(detail: str) -> SignInError:
    return SignInError(ErrorCode.INVALID_TOKEN, detail)


def _number(claims: Mapping[str, Any], name: str, required: bool) -> float | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"{name} missing or not a number")
    return float(value)


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise _invalid(f"{name} missing")
    return value


def external_issuer(tid: str) -> str:
    """The `iss` of an Entra External ID tenant's tokens (docs/microsoft.md)."""
    return f"https://{tid}.ciamlogin.com/{tid}/v2.0"


def _check_policy(claims: Mapping[str, Any], expected: str | None) -> None:
    """The B2C policy the token names (`tfp`, or `acr` for a policy configured that way)
    is the flow's; a token naming two different policies, or none, is refused."""
    named = {claims[name].lower() for name in ("tfp", "acr") if isinstance(claims.get(name), str)}
    if any(name in claims and not isinstance(claims[name], str) for name in ("tfp", "acr")):
        raise _invalid("policy claim is not a string")
    if not named:
        raise _invalid("the token names no B2C policy")
    if expected is None or named != {expected.lower()}:
        raise _invalid("the token was issued under another B2C policy")


class IdTokenValidator:
    """Validates ID tokens for configured authorities."""

    def __init__(
        self, discovery: DiscoveryCache, jwks: JwksCache, clock: Clock, leeway: int = MAX_LEEWAY
    ) -> None:
        if not 0 <= leeway <= MAX_LEEWAY:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY} seconds")
        self._discovery = discovery
        self._jwks = jwks
        self._clock = clock
        self._leeway = leeway

    async def validate(
        self, config: AuthorityConfig, id_token: str, nonce: str | None, *, authority_url: str | None = None
    ) -> dict[str, Any]:
        """The claims of `id_token`, issued by `authority_url` (default: the config's
        authority; the B2C reset policy's for a reset flow) to `config`'s app for the flow
        whose nonce (before hashing) is `nonce`. `nonce=None` is for an ID token from a
        refresh-token grant, which has no flow: every other check still applies."""
        url = authority_url or config.authority
        metadata = await self._discovery.get(discovery_url(url))
        claims = await self._verified_claims(metadata, id_token)
        self._check_times(claims)
        tid = self._check_issuer(config, metadata, claims)
        self._check_audience(config, claims)
        if config.kind == "b2c":
            _check_policy(claims, b2c_policy(url))
        token_nonce = claims.get("nonce")
        if nonce is not None and (
            not isinstance(token_nonce, str) or not hmac.compare_digest(token_nonce, nonce_hash(nonce))
        ):
            raise _invalid("nonce mismatch")
        _text(claims, "sub")
        if not is_guid(_text(claims, "oid")):
            raise _invalid("oid is not a GUID")
        if tid is not None and not config.tenant_allowed(tid):
            raise _invalid("tenant not allowed")
        return claims

    async def _verified_claims(self, metadata: OidcMetadata, id_token: str) -> dict[str, Any]:
        if not isinstance(id_token, str) or id_token.count(".") != 2:
            raise _invalid("malformed id_token")
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise _invalid("malformed id_token header") from None
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise _invalid("id_token algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _invalid("id_token has no kid")
        key = await self._jwks.key(metadata.jwks_uri, kid)
        if key is None:
            raise _invalid("id_token signed with an unknown key")
        try:
            claims = jwt.decode(id_token, key, algorithms=list(ALLOWED_ALGORITHMS), options=_SIGNATURE_ONLY)
        except jwt.PyJWTError:
            raise _invalid("id_token signature invalid or payload malformed") from None
        if not isinstance(claims, dict):
            raise _invalid("id_token payload is not an object")
        return claims

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self._clock.now().timestamp()
        exp = _number(claims, "exp", required=True)
        iat = _number(claims, "iat", required=True)
        nbf = _number(claims, "nbf", required=False)
        if exp is not None and now > exp + self._leeway:
            raise _invalid("id_token expired")
        if iat is not None and iat > now + self._leeway:
            raise _invalid("id_token issued in the future")
        if nbf is not None and nbf > now + self._leeway:
            raise _invalid("id_token not yet valid")

    def _check_issuer(
        self, config: AuthorityConfig, metadata: OidcMetadata, claims: Mapping[str, Any]
    ) -> str | None:
        """Returns the tenant id the token is from (None for a B2C token without `tid`)."""
        iss = _text(claims, "iss")
        tid = claims.get("tid")
        if tid is not None and not is_guid(tid):
            raise _invalid("tid is not a GUID")
        if metadata.multi_tenant:
            if tid is None:
                raise _invalid("tid missing")
            expected = metadata.issuer.replace("{tenantid}", tid)
        else:
            expected = metadata.issuer
        if not hmac.compare_digest(iss.encode(), expected.encode()):
            raise _invalid("issuer mismatch")
        if config.kind in ("aad", "external") and tid is None:
            raise _invalid("tid missing")
        if (config.kind == "external" and tid is not None  # None was refused just above
                and not hmac.compare_digest(iss.encode(), external_issuer(tid).encode())):
            raise _invalid("issuer is not the External ID tenant's")
        if tid is not None and issuer_tenant(iss) not in (None, tid):
            raise _invalid("tid does not match the issuer")
        return tid

    def _check_audience(self, config: AuthorityConfig, claims: Mapping[str, Any]) -> None:
        aud = claims.get("aud")
        if isinstance(aud, str):
            if aud != config.client_id:
                raise _invalid("audience mismatch")
        elif isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
            if config.client_id not in aud:
                raise _invalid("audience mismatch")
            if (len(aud) > 1 or "azp" in claims) and claims.get("azp") != config.client_id:
                raise _invalid("authorized party mismatch")
        else:
            raise _invalid("audience missing")
