"""OpenID discovery documents and JWKS, in Azure AD's and B2C's shapes."""

from __future__ import annotations

from typing import Any

from .authorities import Realm
from .state import Sandbox

AAD_CLAIMS = [
    "sub",
    "iss",
    "cloud_instance_name",
    "cloud_instance_host_name",
    "cloud_graph_host_name",
    "msgraph_host",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "acr",
    "nonce",
    "preferred_username",
    "name",
    "tid",
    "ver",
    "at_hash",
    "c_hash",
    "email",
]
B2C_CLAIMS = [
    "sub",
    "oid",
    "name",
    "given_name",
    "family_name",
    "emails",
    "idp",
    "tfp",
    "nonce",
    "iss",
    "iat",
    "exp",
    "aud",
    "acr",
    "auth_time",
]


def discovery_document(sb: Sandbox, realm: Realm) -> dict[str, Any]:
    return _b2c_document(sb, realm) if realm.family == "b2c" else _aad_document(sb, realm)


def _aad_document(sb: Sandbox, realm: Realm) -> dict[str, Any]:
    origin = sb.origin
    issuer = realm.issuer(origin) if realm.tenant_id else f"{origin}/{{tenantid}}/v2.0"
    host = origin.split("://", 1)[1]
    return {
        "token_endpoint": realm.endpoint(origin, "oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": realm.endpoint(origin, "discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{origin}/graph/oidc/userinfo",
        "authorization_endpoint": realm.endpoint(origin, "oauth2/v2.0/authorize"),
        "device_authorization_endpoint": realm.endpoint(origin, "oauth2/v2.0/devicecode"),
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": realm.endpoint(origin, "oauth2/v2.0/logout"),
        "claims_supported": AAD_CLAIMS,
        "kerberos_endpoint": realm.endpoint(origin, "kerberos"),
        "tenant_region_scope": "EU" if realm.tenant_id else None,
        "cloud_instance_name": host,
        "cloud_graph_host_name": host,
        "msgraph_host": f"{host}/graph",
        "rbac_url": "https://pas.windows.net",
    }


def _b2c_document(sb: Sandbox, realm: Realm) -> dict[str, Any]:
    origin = sb.origin
    return {
        "issuer": realm.issuer(origin),
        "authorization_endpoint": realm.endpoint(origin, "oauth2/v2.0/authorize"),
        "token_endpoint": realm.endpoint(origin, "oauth2/v2.0/token"),
        "end_session_endpoint": realm.endpoint(origin, "oauth2/v2.0/logout"),
        "jwks_uri": realm.endpoint(origin, "discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": [
            "code",
            "code id_token",
            "code token",
            "code id_token token",
            "id_token",
            "id_token token",
            "token",
            "token id_token",
        ],
        "scopes_supported": ["openid"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": B2C_CLAIMS,
    }


def jwks(sb: Sandbox, realm: Realm) -> dict[str, Any]:
    return sb.keys_for("b2c" if realm.family == "b2c" else "aad").jwks()
