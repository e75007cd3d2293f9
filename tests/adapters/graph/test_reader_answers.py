"""How the reader treats answers the sandbox cannot produce (an HTML page, odd JSON)."""

from __future__ import annotations

import httpx
import pytest

from adapters.graph import GraphProfileReader
from adapters.memory.clock import SystemClock
from adapters.msal import AuthorityConfig
from core.errors import ErrorCode, SignInError
from core.identity import RedeemedLogin

OID = "a11ce000-0000-4000-8000-00000000a11c"
TID = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
LOGIN = RedeemedLogin(
    "aad", {"iss": f"https://l.example/{TID}/v2.0", "tid": TID, "oid": OID}, access_token="at"
)
CONFIG = AuthorityConfig("aad", "aad", "https://l.example/organizations", "client", "secret")


def reader_answering(response: httpx.Response) -> GraphProfileReader:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer at"
        assert request.url.params["$select"] == "id,displayName,mail,otherMails,userPrincipalName,identities"
        return response

    return GraphProfileReader(
        [CONFIG],
        base_url="https://graph.example/v1.0",
        ca_bundle=None,
        connect_timeout=1,
        read_timeout=1,
        clock=SystemClock(),
        time_budget=2,
        transport=httpx.MockTransport(answer),
    )


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(200, html="<html>Sign in</html>"), ErrorCode.TEMPORARILY_UNAVAILABLE),
        (
            httpx.Response(200, text="{not json", headers={"content-type": "application/json"}),
            ErrorCode.TEMPORARILY_UNAVAILABLE,
        ),
        (httpx.Response(200, json=["a list"]), ErrorCode.TEMPORARILY_UNAVAILABLE),
        (httpx.Response(502, html="<html>Bad gateway</html>"), ErrorCode.TEMPORARILY_UNAVAILABLE),
        (
            httpx.Response(401, json={"error": {"code": "InvalidAuthenticationToken"}}),
            ErrorCode.INVALID_TOKEN,
        ),
        (httpx.Response(404, json={"error": {"code": "Request_ResourceNotFound"}}), ErrorCode.INVALID_TOKEN),
        (
            httpx.Response(403, json={"error": {"code": "Authorization_RequestDenied"}}),
            ErrorCode.SERVER_ERROR,
        ),
        (httpx.Response(200, json={"id": "someone-else", "displayName": "X"}), ErrorCode.INVALID_TOKEN),
    ],
)
async def test_odd_answers_map_to_errors(response: httpx.Response, expected: ErrorCode) -> None:
    reader = reader_answering(response)
    with pytest.raises(SignInError) as caught:
        await reader.read(LOGIN)
    assert caught.value.code is expected
    await reader.aclose()


async def test_a_good_answer_builds_the_identity() -> None:
    reader = reader_answering(
        httpx.Response(200, json={"id": OID, "displayName": "Alice", "mail": "a@contoso.com"})
    )
    identity = await reader.read(LOGIN)
    assert (identity.object_id, identity.email, identity.email_verified) == (OID, "a@contoso.com", False)
    await reader.aclose()
