"""ID tokens, access tokens and token-endpoint responses, with Azure AD's and B2C's claims."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from .authorities import external_issuer
from .grants import REFRESH_LIFETIME, Grant
from .keys import b64url

if TYPE_CHECKING:
    from .directory import User
    from .faults import Fault
    from .state import Sandbox

GRAPH_AUDIENCE = "00000003-0000-0000-c000-000000000000"
GROUPS_CLAIM_LIMIT = 200  # Azure AD's: more groups than this and the token says "overage"
GRAPH_RESOURCE = "https://graph.microsoft.com"
OIDC_SCOPES = {"openid", "profile", "email", "offline_access"}
ID_TOKEN_LIFETIME = 3600
ACCESS_TOKEN_LIFETIME = 3599
_MISSING = object()


def pairwise_sub(oid: str, client_id: str) -> str:
    """Azure AD v2 `sub`: stable per (user, app), different across apps."""
    return b64url(hashlib.sha256(f"{oid}|{client_id}".encode()).digest())[:43]


def service_principal_oid(client_id: str, tenant_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp:{tenant_id}:{client_id}"))


def issuer_of(sb: Sandbox, grant: Grant) -> str:
    """The `iss` of the ID tokens issued for `grant`."""
    if grant.realm.family in ("b2c", "external"):
        return grant.realm.issuer(sb.origin)
    return f"{sb.origin}/{sb.directory.tenant_id_of(grant.user.tenant)}/v2.0"


def assignment_claims(sb: Sandbox, user: User, tenant_id: str) -> dict[str, Any]:
    """`roles` (the user's app roles) and `groups` (object ids), or the overage marker that
    sends the app to Graph when there are more than `GROUPS_CLAIM_LIMIT` groups."""
    claims: dict[str, Any] = {}
    if user.app_roles:
        claims["roles"] = list(user.app_roles)
    if len(user.groups) > GROUPS_CLAIM_LIMIT:
        endpoint = f"{sb.origin}/graph/v1.0/users/{user.oid}/transitiveMemberOf/microsoft.graph.group"
        claims["_claim_names"] = {"groups": "src1"}
        claims["_claim_sources"] = {"src1": {"endpoint": endpoint}}
    elif user.groups:
        claims["groups"] = list(user.groups)
    return claims


def aad_id_token_claims(sb: Sandbox, grant: Grant, now: int) -> dict[str, Any]:
    user = grant.user
    tenant = sb.directory.tenant(user.tenant)
    assert tenant is not None
    claims: dict[str, Any] = {
        "aud": grant.client_id,
        "iss": external_issuer(tenant.id) if tenant.external else f"{sb.origin}/{tenant.id}/v2.0",
        "iat": now,
        "nbf": now,
        "exp": now + ID_TOKEN_LIFETIME,
    }
    email = user.token_email
    if email:
        claims["email"] = email
    home = sb.directory.tenant(user.home_tenant) if user.home_tenant else None
    if home is not None:
        claims["idp"] = f"{sb.origin}/{home.id}/v2.0"  # a B2B guest: no xms_edov
    elif email and not tenant.external:  # External ID sends no xms_edov (docs/sandbox.md)
        claims["xms_edov"] = tenant.verifies(email)
    if tenant.external and user.idp:
        claims["idp"] = user.idp  # a social account behind the external tenant
    claims["name"] = user.display_name
    claims.update(assignment_claims(sb, user, tenant.id))
    if grant.nonce is not None:
        claims["nonce"] = grant.nonce
    claims.update(
        oid=user.oid,
        preferred_username=user.sign_in_name,
        sid=grant.sid,  # the optional claim `sid` (docs/microsoft.md: app registration)
        sub=pairwise_sub(user.oid, grant.client_id),
        tid=tenant.id,
        uti=secrets.token_urlsafe(16),
        ver="2.0",
    )
    return claims


def b2c_id_token_claims(sb: Sandbox, grant: Grant, now: int) -> dict[str, Any]:
    user, realm = grant.user, grant.realm
    assert realm.b2c is not None
    claims: dict[str, Any] = {
        "ver": "1.0",
        "iss": realm.issuer(sb.origin),
        "sub": user.oid,
        "aud": grant.client_id,
        "exp": now + ID_TOKEN_LIFETIME,
    }
    if grant.nonce is not None:
        claims["nonce"] = grant.nonce
    claims.update(iat=now, auth_time=int(grant.auth_time or now), oid=user.oid, name=user.display_name)
    if user.given_name:
        claims["given_name"] = user.given_name
    if user.surname:
        claims["family_name"] = user.surname
    claims["emails"] = list(user.other_mails or ([user.username] if "@" in user.username else []))
    if user.idp:
        claims["idp"] = user.idp
    if realm.b2c.emit_tid:
        claims["tid"] = realm.b2c.id
    claims.update(tfp=realm.policy, nbf=now)
    return claims


def apply_claim_overrides(claims: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Set each overridden claim; a null value removes the claim."""
    result = dict(claims)
    for name, value in overrides.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def id_token(sb: Sandbox, grant: Grant, now: int, fault: Fault | None = None) -> str:
    family = grant.realm.family
    claims = (b2c_id_token_claims if family == "b2c" else aad_id_token_claims)(sb, grant, now)
    if fault is not None and fault.claims:
        claims = apply_claim_overrides(claims, fault.claims)
    tamper = fault.id_token if fault is not None else None
    return sb.keys_for(family).sign(claims, tamper=tamper)


def graph_user_token(sb: Sandbox, grant: Grant, now: int, scopes: list[str]) -> str:
    user = grant.user
    tid = sb.directory.tenant_id_of(user.tenant)
    claims = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"{sb.origin}/{tid}/",
        "iat": now,
        "nbf": now,
        "exp": now + ACCESS_TOKEN_LIFETIME,
        "appid": grant.client_id,
        "idtyp": "user",
        "name": user.display_name,
        "oid": user.oid,
        "scp": " ".join(scopes),
        "sub": pairwise_sub(user.oid, GRAPH_AUDIENCE),
        "tid": tid,
        "ver": "1.0",
    }
    return sb.aad_keys.sign(claims)


def graph_app_token(sb: Sandbox, client_id: str, tenant_id: str, now: int) -> str:
    sp = service_principal_oid(client_id, tenant_id)
    claims = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"{sb.origin}/{tenant_id}/",
        "iat": now,
        "nbf": now,
        "exp": now + ACCESS_TOKEN_LIFETIME,
        "appid": client_id,
        "idtyp": "app",
        "oid": sp,
        "roles": ["User.Read.All", "GroupMember.Read.All"],
        "sub": sp,
        "tid": tenant_id,
        "ver": "1.0",
    }
    return sb.aad_keys.sign(claims)


def b2c_access_token(sb: Sandbox, grant: Grant, now: int, scopes: list[str]) -> str:
    claims = {
        "iss": grant.realm.issuer(sb.origin),
        "exp": now + ACCESS_TOKEN_LIFETIME,
        "nbf": now,
        "aud": grant.client_id,
        "oid": grant.user.oid,
        "sub": grant.user.oid,
        "name": grant.user.display_name,
        "tfp": grant.realm.policy,
        "scp": " ".join(s for s in scopes if s != grant.client_id) or "openid",
        "azp": grant.client_id,
        "ver": "1.0",
        "iat": now,
    }
    return sb.b2c_keys.sign(claims)


def client_info(grant: Grant, tenant_id: str) -> str:
    uid = grant.user.oid
    if grant.realm.family == "b2c" and grant.realm.policy:
        uid = f"{uid}-{grant.realm.policy.lower()}"
    return b64url(json.dumps({"uid": uid, "utid": tenant_id}).encode())


def user_token_response(
    sb: Sandbox, grant: Grant, fault: Fault | None, with_id_token: bool
) -> dict[str, Any]:
    """The JSON answer to a successful authorization_code or refresh_token grant."""
    now = int(sb.now())
    requested = list(grant.scopes)
    refresh = sb.grants.issue_refresh_token(grant) if "offline_access" in requested else None
    tenant_id = grant.realm.tenant_id if grant.realm.family == "b2c" else None
    tenant_id = tenant_id or sb.directory.tenant_id_of(grant.user.tenant)
    if grant.realm.family == "b2c":
        body: dict[str, Any] = {}
        if with_id_token:
            body.update(id_token=id_token(sb, grant, now, fault), id_token_expires_in=ID_TOKEN_LIFETIME)
        body.update(token_type="Bearer", not_before=now)
        if grant.client_id in requested or any(s.startswith("https://") for s in requested):
            body.update(
                access_token=b2c_access_token(sb, grant, now, requested), expires_in=ACCESS_TOKEN_LIFETIME
            )
        body["scope"] = " ".join(s for s in requested if s != "profile")
        if refresh:
            body.update(refresh_token=refresh, refresh_token_expires_in=REFRESH_LIFETIME["b2c"])
        body["client_info"] = client_info(grant, tenant_id)
        return body
    graph_scopes = [s.removeprefix(GRAPH_RESOURCE + "/") for s in requested if s not in OIDC_SCOPES]
    graph_scopes = graph_scopes or ["User.Read"]
    granted = [*graph_scopes, "openid", "profile", "email"]
    body = {
        "token_type": "Bearer",
        "scope": " ".join(granted),
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "ext_expires_in": ACCESS_TOKEN_LIFETIME,
        "access_token": graph_user_token(sb, grant, now, granted),
    }
    if refresh:
        body["refresh_token"] = refresh
    if with_id_token and "openid" in requested:
        body["id_token"] = id_token(sb, grant, now, fault)
    body["client_info"] = client_info(grant, tenant_id)
    return body
