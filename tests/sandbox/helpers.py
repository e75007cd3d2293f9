from __future__ import annotations

from typing import Any

import jwt
import msal

from adapters.azure_sandbox.testing import (
    AAD_CLIENT_ID,
    AAD_CLIENT_SECRET,
    B2C_CLIENT_ID,
    B2C_CLIENT_SECRET,
    REDIRECT_URI,
    SandboxHandle,
)


def aad_app(sandbox: SandboxHandle, authority: str | None = None, secret: str = AAD_CLIENT_SECRET):
    return msal.ConfidentialClientApplication(
        AAD_CLIENT_ID,
        client_credential=secret,
        authority=authority or sandbox.aad_authority,
        instance_discovery=False,
        verify=str(sandbox.ca_path),
        token_cache=msal.TokenCache(),
    )


def b2c_app(sandbox: SandboxHandle, authority: str | None = None, secret: str = B2C_CLIENT_SECRET):
    return msal.ConfidentialClientApplication(
        B2C_CLIENT_ID,
        client_credential=secret,
        authority=authority or sandbox.b2c_authority,
        instance_discovery=False,
        verify=str(sandbox.ca_path),
        token_cache=msal.TokenCache(),
    )


def jwks_for(sandbox: SandboxHandle, jwks_uri: str) -> jwt.PyJWKSet:
    with sandbox.client() as client:
        return jwt.PyJWKSet.from_dict(client.get(jwks_uri).json())


def verify_id_token(sandbox: SandboxHandle, token: str, jwks_uri: str, audience: str) -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    key = jwks_for(sandbox, jwks_uri)[header["kid"]]
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience)


def discovery(sandbox: SandboxHandle, authority: str, query: str = "") -> dict[str, Any]:
    with sandbox.client() as client:
        response = client.get(f"{authority}/v2.0/.well-known/openid-configuration{query}")
    response.raise_for_status()
    return response.json()


def aad_sign_in(sandbox: SandboxHandle, username: str, scopes=("User.Read",), **fields: str):
    app = aad_app(sandbox)
    flow = app.initiate_auth_code_flow(list(scopes), redirect_uri=REDIRECT_URI)
    reply = sandbox.sign_in(flow["auth_uri"], username, **fields)
    return app, flow, reply


__all__ = ["aad_app", "aad_sign_in", "b2c_app", "discovery", "jwks_for", "verify_id_token"]
