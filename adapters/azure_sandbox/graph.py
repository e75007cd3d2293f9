"""Microsoft Graph's `me` and `users/{id}`, with `$select`, and Graph-shaped errors."""

from __future__ import annotations

from typing import Any

import jwt
from litestar import Response

from .directory import User
from .errors import graph_error
from .responses import json_response
from .state import Sandbox
from .tokens import GRAPH_AUDIENCE

DEFAULT_FIELDS = (
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
)
EXTRA_FIELDS = ("otherMails", "identities", "accountEnabled", "userType", "createdDateTime")


class GraphError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def authenticate(sb: Sandbox, authorization: str | None) -> dict[str, Any]:
    """The claims of a valid Graph access token from this sandbox, or GraphError(401)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "Access token is empty.")
    try:
        claims = sb.aad_keys.verify(token.strip(), audience=GRAPH_AUDIENCE, now=sb.now())
    except jwt.ExpiredSignatureError as exc:
        raise GraphError(401, "Lifetime validation failed, the token is expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise GraphError(401, "Access token validation failure. Invalid audience.") from exc
    except jwt.InvalidTokenError as exc:
        raise GraphError(401, "Access token validation failure. Invalid signature or token.") from exc
    if not str(claims.get("iss", "")).startswith(sb.origin + "/"):
        raise GraphError(401, "Access token validation failure. Invalid issuer.")
    return claims


def user_json(sb: Sandbox, user: User, select: str | None) -> dict[str, Any]:
    fields = [f.strip() for f in select.split(",")] if select else list(DEFAULT_FIELDS)
    unknown = [f for f in fields if f not in DEFAULT_FIELDS + EXTRA_FIELDS]
    if unknown:
        raise GraphError(
            400, f"Could not find a property named '{unknown[0]}' on type 'microsoft.graph.user'."
        )
    full = _all_fields(sb, user)
    context = (
        f"{sb.origin}/graph/v1.0/$metadata#users" + (f"({','.join(fields)})" if select else "") + "/$entity"
    )
    return {"@odata.context": context, **{f: full[f] for f in fields}}


def _all_fields(sb: Sandbox, user: User) -> dict[str, Any]:
    return {
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": user.given_name,
        "id": user.oid,
        "jobTitle": None,
        "mail": user.mail,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": None,
        "surname": user.surname,
        "userPrincipalName": user.user_principal_name,
        "otherMails": list(user.other_mails),
        "identities": identities(sb, user),
        "accountEnabled": True,
        "userType": "Guest" if user.home_tenant else "Member",
        "createdDateTime": "2024-01-01T00:00:00Z",
    }


def identities(sb: Sandbox, user: User) -> list[dict[str, Any]]:
    """How the user signs in, as Graph reports it."""
    b2c = sb.directory.b2c_tenant(user.tenant)
    tenant = sb.directory.tenant(user.tenant)
    domain = b2c.domain if b2c else (tenant.name if tenant else "")
    upn = {"signInType": "userPrincipalName", "issuer": domain, "issuerAssignedId": user.user_principal_name}
    if user.home_tenant:
        return [{"signInType": "federated", "issuer": "ExternalAzureAD", "issuerAssignedId": None}]
    if (b2c or (tenant and tenant.external)) and user.idp:
        return [{"signInType": "federated", "issuer": user.idp, "issuerAssignedId": user.idp_subject}, upn]
    if b2c or (tenant and tenant.external):  # a local account: email + password or passcode
        email = (user.other_mails or (user.username,))[0]
        return [{"signInType": "emailAddress", "issuer": domain, "issuerAssignedId": email}, upn]
    return [upn]


GROUP_PAGE = 100  # the sandbox's page size for transitiveMemberOf (Graph's default is 100)


def _member_of(sb: Sandbox, claims: dict[str, Any], parts: list[str], query: dict[str, str]) -> Response[Any]:
    """`/users/{id}/transitiveMemberOf/microsoft.graph.group`: the user's groups, by pages
    of at most `$top` (and `GROUP_PAGE`), linked by `@odata.nextLink`."""
    if "GroupMember.Read.All" not in claims.get("roles", []):
        raise GraphError(403, "Insufficient privileges to complete the operation.")
    user = sb.directory.find_user(claims["tid"], parts[1])
    if user is None:
        raise GraphError(404, f"Resource '{parts[1]}' does not exist or one of its queried "
                         "reference-property objects are not present.")
    try:
        top = min(int(query.get("$top", GROUP_PAGE)), GROUP_PAGE)
        skip = int(query.get("$skiptoken", "0"))
    except ValueError as exc:
        raise GraphError(400, "Invalid paging parameters.") from exc
    page = [{"@odata.type": "#microsoft.graph.group", "id": g} for g in user.groups[skip:skip + top]]
    context = f"{sb.origin}/graph/v1.0/$metadata#directoryObjects"
    body: dict[str, Any] = {"@odata.context": context, "value": page}
    if skip + top < len(user.groups):
        base = f"{sb.origin}/graph/v1.0/{'/'.join(parts)}"
        body["@odata.nextLink"] = f"{base}?$select=id&$top={top}&$skiptoken={skip + top}"
    return json_response(body)


def handle_graph(
    sb: Sandbox, path: str, authorization: str | None, select: str | None, query: dict[str, str] | None = None
) -> Response[Any]:
    try:
        claims = authenticate(sb, authorization)
        parts = path.strip("/").split("/")
        member_of = ["transitiveMemberOf", "microsoft.graph.group"]
        if len(parts) == 4 and parts[0] == "users" and parts[2:] == member_of:
            return _member_of(sb, claims, parts, query or {})
        if parts == ["me"]:
            if claims.get("idtyp") == "app":
                raise GraphError(400, "/me request is only valid with delegated authentication flow.")
            user = sb.directory.find_user(claims["tid"], claims["oid"])
        elif len(parts) == 2 and parts[0] == "users":
            if "User.Read.All" not in claims.get("roles", []):
                raise GraphError(403, "Insufficient privileges to complete the operation.")
            user = sb.directory.find_user(claims["tid"], parts[1])
        else:
            raise GraphError(400, f"Resource not found for the segment '{parts[0]}'.")
        if user is None:
            ref = parts[-1] if parts != ["me"] else claims.get("oid")
            raise GraphError(
                404,
                f"Resource '{ref}' does not exist or one of its queried reference-property "
                "objects are not present.",
            )
        return json_response(user_json(sb, user, select))
    except GraphError as exc:
        headers = {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'} if exc.status == 401 else {}
        return json_response(graph_error(exc.status, exc.message, sb.now()), exc.status, headers)
