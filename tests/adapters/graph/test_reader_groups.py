"""Group overage: the user's groups from Graph `transitiveMemberOf`, bounded in pages,
never following a link away from Graph, and failing closed."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from adapters.graph import GraphProfileReader
from adapters.graph.reader import MAX_GROUP_PAGES
from adapters.memory.clock import SystemClock
from adapters.msal import AuthorityConfig
from core.errors import ErrorCode, SignInError
from core.identity import RedeemedLogin

OID = "a11ce000-0000-4000-8000-00000000a11c"
TID = "c0a7f3e2-1b4d-4e6a-9c8b-2d3e4f5a6b7c"
BASE = "https://graph.example/v1.0"
CLAIMS = {"iss": f"https://l.example/{TID}/v2.0", "tid": TID, "oid": OID, "roles": ["R1", "R1", 7, "R2"]}
OVERAGE = {**CLAIMS, "_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": "x"}}}
CONFIG = AuthorityConfig("aad", "aad", "https://l.example/organizations", "client", "secret")
GROUPS_URL = f"{BASE}/users/{OID}/transitiveMemberOf/microsoft.graph.group"
DISCOVERY = {
    "issuer": f"https://l.example/{TID}/v2.0",
    "token_endpoint": f"https://l.example/{TID}/oauth2/v2.0/token",
    "authorization_endpoint": "https://l.example/a",
    "jwks_uri": "https://l.example/k",
}


def group(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def reader(pages: Callable[[httpx.Request], httpx.Response], seen: list[httpx.Request]) -> GraphProfileReader:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        url = str(request.url)
        if url.startswith(f"https://l.example/{TID}/v2.0/.well-known"):
            return httpx.Response(200, json=DISCOVERY)
        if url == DISCOVERY["token_endpoint"]:
            return httpx.Response(200, json={"access_token": "app-token", "expires_in": 3599})
        if request.url.path.endswith("/me"):
            return httpx.Response(200, json={"id": OID, "displayName": "Alice"})
        assert request.headers["authorization"] == "Bearer app-token"
        return pages(request)

    return GraphProfileReader(
        [CONFIG],
        base_url=BASE,
        ca_bundle=None,
        connect_timeout=1,
        read_timeout=1,
        clock=SystemClock(),
        time_budget=2,
        transport=httpx.MockTransport(answer),
    )


def paged(total: int, size: int = 2) -> Callable[[httpx.Request], httpx.Response]:
    def page(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("$skiptoken", "0"))
        body: dict[str, object] = {
            "value": [{"id": group(n).upper()} for n in range(start, min(start + size, total))]
        }
        if start + size < total:
            body["@odata.nextLink"] = f"{GROUPS_URL}?$skiptoken={start + size}"
        return httpx.Response(200, json=body)

    return page


async def test_without_overage_the_tokens_roles_and_groups_are_used_and_graph_not_asked() -> None:
    seen: list[httpx.Request] = []
    claims = {**CLAIMS, "groups": [group(1).upper(), group(2), group(1)]}
    identity = await reader(paged(0), seen).read(RedeemedLogin("aad", claims, access_token="at"))
    assert identity.app_roles == ("R1", "R2")
    assert identity.groups == (group(1), group(2))
    assert [r.url.path for r in seen] == ["/v1.0/me"]


async def test_on_overage_every_page_of_groups_is_read_with_an_app_token_of_the_users_tenant() -> None:
    seen: list[httpx.Request] = []
    identity = await reader(paged(5), seen).read(RedeemedLogin("aad", OVERAGE, access_token="at"))
    assert identity.groups == tuple(group(n) for n in range(5))
    group_reads = [r for r in seen if "transitiveMemberOf" in r.url.path]
    assert len(group_reads) == 3
    assert group_reads[0].url.params["$select"] == "id" and group_reads[0].url.params["$top"] == "999"
    token_requests = [r for r in seen if str(r.url) == DISCOVERY["token_endpoint"]]
    assert len(token_requests) == 1


async def test_hasgroups_is_overage_too() -> None:
    seen: list[httpx.Request] = []
    claims = {**CLAIMS, "hasgroups": True}
    identity = await reader(paged(1), seen).read(RedeemedLogin("aad", claims, access_token="at"))
    assert identity.groups == (group(0),)


async def test_exactly_the_page_bound_is_read_and_one_more_page_fails_closed() -> None:
    within = await reader(paged(2 * MAX_GROUP_PAGES), []).read(
        RedeemedLogin("aad", OVERAGE, access_token="at")
    )
    assert len(within.groups) == 2 * MAX_GROUP_PAGES
    with pytest.raises(SignInError) as caught:
        await reader(paged(2 * MAX_GROUP_PAGES + 1), []).read(
            RedeemedLogin("aad", OVERAGE, access_token="at")
        )
    assert caught.value.code is ErrorCode.SERVER_ERROR


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            httpx.Response(200, json={"value": [], "@odata.nextLink": "https://evil.example/next"}),
            ErrorCode.TEMPORARILY_UNAVAILABLE,
        ),
        (httpx.Response(200, json={"nothing": []}), ErrorCode.TEMPORARILY_UNAVAILABLE),
        (
            httpx.Response(401, json={"error": {"code": "InvalidAuthenticationToken"}}),
            ErrorCode.TEMPORARILY_UNAVAILABLE,
        ),
        (
            httpx.Response(403, json={"error": {"code": "Authorization_RequestDenied"}}),
            ErrorCode.SERVER_ERROR,
        ),
        (httpx.Response(503, json={}), ErrorCode.TEMPORARILY_UNAVAILABLE),
    ],
)
async def test_a_bad_group_page_fails_the_sign_in_closed(answer: httpx.Response, expected: ErrorCode) -> None:
    with pytest.raises(SignInError) as caught:
        await reader(lambda _: answer, []).read(RedeemedLogin("aad", OVERAGE, access_token="at"))
    assert caught.value.code is expected
