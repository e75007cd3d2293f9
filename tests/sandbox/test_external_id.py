"""The sandbox's Entra External ID tenant (issue 18 item 4): discovery, keys, authorize,
token and Graph `/me`, as `https://{subdomain}.ciamlogin.com/{tenant}` answers them."""
from __future__ import annotations

from urllib.parse import urlencode

import jwt
import msal

from adapters.azure_sandbox.testing import (
    AAD_CLIENT_ID,
    EXTERNAL_CLIENT_ID,
    EXTERNAL_CLIENT_SECRET,
    EXTERNAL_TENANT,
    EXTERNAL_TENANT_ID,
    REDIRECT_URI,
)

from .helpers import discovery, verify_id_token

ISSUER = f"https://{EXTERNAL_TENANT_ID}.ciamlogin.com/{EXTERNAL_TENANT_ID}/v2.0"


def external_app(sandbox, authority: str | None = None):
    return msal.ConfidentialClientApplication(
        EXTERNAL_CLIENT_ID,
        client_credential=EXTERNAL_CLIENT_SECRET,
        authority=authority or sandbox.external_authority,
        instance_discovery=False,
        verify=str(sandbox.ca_path),
        token_cache=msal.TokenCache(),
    )


def sign_in(sandbox, username: str, authority: str | None = None) -> dict:
    app = external_app(sandbox, authority)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI)
    reply = sandbox.sign_in(flow["auth_uri"], username)
    result = app.acquire_token_by_auth_code_flow(flow, reply)
    assert "id_token" in result, result
    return result


def test_discovery_by_tenant_id_or_name_has_the_ciamlogin_issuer(sandbox):
    for tenant in (EXTERNAL_TENANT_ID, EXTERNAL_TENANT):
        document = discovery(sandbox, f"{sandbox.base_url}/{tenant}")
        assert document["issuer"] == ISSUER
        assert document["token_endpoint"] == f"{sandbox.base_url}/{tenant}/oauth2/v2.0/token"
        assert document["jwks_uri"] == f"{sandbox.base_url}/{tenant}/discovery/v2.0/keys"


def test_a_local_account_gets_an_id_token_of_the_tenant_and_graph_me(sandbox):
    result = sign_in(sandbox, "ines@example.net")
    claims = verify_id_token(
        sandbox, result["id_token"], f"{sandbox.external_authority}/discovery/v2.0/keys", EXTERNAL_CLIENT_ID
    )
    assert (claims["iss"], claims["tid"]) == (ISSUER, EXTERNAL_TENANT_ID)
    assert claims["email"] == "ines@example.net" and "xms_edov" not in claims and "idp" not in claims
    with sandbox.client() as client:
        me = client.get("/graph/v1.0/me", params={"$select": "id,mail,identities"},
                        headers={"Authorization": f"Bearer {result['access_token']}"}).json()
    assert me["id"] == "1e5e0000-0000-4000-8000-0000001e5e00"
    assert {"signInType": "emailAddress", "issuer": EXTERNAL_TENANT,
            "issuerAssignedId": "ines@example.net"} in me["identities"]


def test_a_social_account_names_its_idp(sandbox):
    result = sign_in(sandbox, "ines.impostor@gmail.com")
    claims = jwt.decode(result["id_token"], options={"verify_signature": False})
    assert claims["idp"] == "google.com" and claims["iss"] == ISSUER


def test_the_tenant_is_not_reached_through_organizations_nor_by_another_app(sandbox):
    with sandbox.client() as client:
        page = client.get(f"{sandbox.aad_authority}/oauth2/v2.0/authorize?" + urlencode({
            "client_id": AAD_CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI,
            "scope": "openid",
        }))
        assert "ines@example.net" not in page.text
        wrong_app = client.get(f"{sandbox.external_authority}/oauth2/v2.0/authorize?" + urlencode({
            "client_id": AAD_CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI,
            "scope": "openid",
        }))
        assert "AADSTS700016" in wrong_app.text
        other_realm = client.get(f"{sandbox.aad_authority}/oauth2/v2.0/authorize?" + urlencode({
            "client_id": EXTERNAL_CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT_URI,
            "scope": "openid",
        }))
        assert "AADSTS700016" in other_realm.text
