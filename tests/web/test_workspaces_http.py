"""The workspace API over HTTP, with real sign-ins against the Azure sandbox, on SQLite with
in-process stores and on PostgreSQL with Redis (issue 17's acceptance)."""
from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from core.rules.workspaces import Actor
from tests.web.support import roles_of


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(browser, username: str, provider: str = "aad") -> str:
    landing = await browser.login(username, provider)
    assert landing.token, landing.hops
    return landing.token


async def grant(operator, email: str, workspace_id: int, role: str) -> None:
    """The operator's accepted invite: applied at the person's next sign-in."""
    async with operator.container() as container:
        await container.administration().invite(email, workspace_id, role, accepted=True)


async def test_an_owner_invites_erin_who_accepts_once_and_lands_as_editor(service, caplog):
    caplog.set_level(logging.INFO)
    browser, operator = service
    await grant(operator, "alice@contoso.com", 1, "owner")
    alice = await sign_in(browser, "alice@contoso.com")
    mine = await browser.client.get("/workspaces", headers=auth(alice))
    assert [(w["id"], w["role"]) for w in mine.json()] == [(1, "owner")]

    made = await browser.client.post("/workspaces/1/invites", headers=auth(alice),
                                     json={"email": " Erin@Contoso.com", "role": "editor"})
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store"
    invite = made.json()
    assert (invite["email"], invite["role"], invite["state"], invite["workspaceId"]) == (
        "erin@contoso.com", "editor", "pending", 1)
    created, expires = (datetime.fromisoformat(invite[k]) for k in ("createdAt", "expiresAt"))
    assert expires - created == timedelta(days=7)
    prefix = "http://localhost:3001/invite#token="
    assert invite["acceptUrl"].startswith(prefix)
    token = invite["acceptUrl"][len(prefix):]
    assert token.startswith(invite["id"] + ".")

    erin_landing = await browser.login("erin@contoso.com", "aad")
    assert erin_landing.uri == "/no-workspace"
    erin = erin_landing.token
    accepted = await browser.client.post("/invites/accept", headers=auth(erin), json={"token": token})
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["role"], accepted.json()["workspaceId"]) == ("editor", 1)
    assert roles_of((await browser.me(erin)).json()) == {1: "editor"}
    again = await browser.login("erin@contoso.com", "aad")
    assert again.uri == "/workspace/1/home"
    assert roles_of((await browser.me(again.token)).json()) == {1: "editor"}

    before = await operator.row_counts()
    twice = await browser.client.post("/invites/accept", headers=auth(erin), json={"token": token})
    assert (twice.status_code, twice.json()) == (409, {"error": "invite_used"})
    assert await operator.row_counts() == before

    listed = await browser.client.get(
        "/workspaces/1/invites", params={"state": "accepted"}, headers=auth(alice)
    )
    [row] = [i for i in listed.json() if i["id"] == invite["id"]]
    erin_id = (await browser.me(erin)).json()["user"]["id"]
    assert row["state"] == "accepted" and row["acceptedBy"] == erin_id and row["acceptUrl"] is None
    members = await browser.client.get("/workspaces/1/members", headers=auth(alice))
    assert {m["email"]: m["role"] for m in members.json()}["erin@contoso.com"] == "editor"
    trail = (await browser.client.get("/workspaces/1/audit", headers=auth(alice))).json()
    assert [e["action"] for e in trail[:2]] == ["invite_accepted", "invite_created"]
    assert trail[0]["correlationId"] == accepted.headers["x-correlation-id"]
    assert trail[0]["actorId"] == erin_id and trail[0]["target"] == invite["id"]
    assert trail[1]["correlationId"] == made.headers["x-correlation-id"]
    assert trail[1]["details"] == {"role": "editor"}

    # each change is a security event too: hashed ids, the request's correlation id, no secret
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "azure_signin.security"]
    [accept_event] = [e for e in events if e["event"] == "invite_accepted"]
    assert accept_event["correlation_id"] == accepted.headers["x-correlation-id"]
    assert accept_event["workspace"] == 1 and accept_event["actor"] not in (erin_id, "operator")
    [refusal] = [e for e in events if e["event"] == "admin_refused"]
    assert (refusal["reason"], refusal["route"]) == ("invite_used", "/invites/accept")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert token.split(".", 1)[1] not in logged and "erin@contoso.com" not in json.dumps(events)


async def test_refusals_answer_their_code_and_write_nothing(service):
    browser, operator = service
    await grant(operator, "alice@contoso.com", 1, "owner")
    await grant(operator, "frank@fabrikam.com", 2, "owner")
    await grant(operator, "newbie@example.net", 1, "editor")
    alice = await sign_in(browser, "alice@contoso.com")
    frank = await sign_in(browser, "frank@fabrikam.com")
    editor = await sign_in(browser, "newbie@example.net", "b2c")
    bob = await sign_in(browser, "bob@example.org", "b2c")   # viewer of workspace 1
    erin = await sign_in(browser, "erin@contoso.com")
    frank_id = (await browser.me(frank)).json()["user"]["id"]
    alice_id = (await browser.me(alice)).json()["user"]["id"]
    bob_id = (await browser.me(bob)).json()["user"]["id"]
    theirs = (await browser.client.post("/workspaces/2/invites", headers=auth(frank),
                                        json={"email": "x@contoso.com", "role": "viewer"})).json()
    c = browser.client

    async def refused(call, status: int, code: str) -> None:
        before = await operator.row_counts()
        answer = await call
        assert (answer.status_code, answer.json()) == (status, {"error": code}), answer.text
        assert await operator.row_counts() == before

    owner_invite = {"email": "boss@contoso.com", "role": "owner"}
    await refused(c.post("/workspaces/1/invites", headers=auth(editor), json=owner_invite), 403, "forbidden")
    opened = await c.patch("/workspaces/1", headers=auth(alice), json={"editorsInvite": True})
    assert opened.json()["editorsInvite"] is True
    await refused(
        c.post("/workspaces/1/invites", headers=auth(editor), json=owner_invite), 403, "role_too_high"
    )
    await refused(c.get("/workspaces/1/invites", headers=auth(bob)), 403, "forbidden")
    await refused(c.get("/workspaces/1/audit", headers=auth(editor)), 403, "forbidden")
    await refused(c.patch(f"/workspaces/1/members/{bob_id}", headers=auth(bob), json={"role": "editor"}),
                  403, "own_role")
    await refused(c.patch(f"/workspaces/1/members/{alice_id}", headers=auth(alice), json={"role": "viewer"}),
                  409, "last_owner")
    await refused(c.delete(f"/workspaces/1/members/{alice_id}", headers=auth(alice)), 409, "last_owner")
    await refused(c.patch(f"/workspaces/1/members/{alice_id}", headers=auth(editor), json={"role": "viewer"}),
                  403, "forbidden")

    # workspace 1's owner cannot touch workspace 2, whatever the route
    for call in (
        c.get("/workspaces/2/members", headers=auth(alice)),
        c.get("/workspaces/2/invites", headers=auth(alice)),
        c.get("/workspaces/2/audit", headers=auth(alice)),
        c.post("/workspaces/2/invites", headers=auth(alice), json={"email": "y@x.example", "role": "viewer"}),
        c.patch("/workspaces/2", headers=auth(alice), json={"name": "Mine now"}),
        c.patch(f"/workspaces/2/members/{frank_id}", headers=auth(alice), json={"role": "viewer"}),
        c.delete(f"/workspaces/2/members/{frank_id}", headers=auth(alice)),
        c.delete(f"/workspaces/2/invites/{theirs['id']}", headers=auth(alice)),
        c.delete(f"/workspaces/1/invites/{theirs['id']}", headers=auth(alice)),
    ):
        await refused(call, 404, "not_found")
    await refused(c.get("/workspaces/1/members"), 401, "invalid_token")
    await refused(c.post("/invites/accept", json={"token": "a.b"}), 401, "invalid_token")

    # an accept token: not by another user, not after revoke, not after expiry
    made = (await c.post("/workspaces/1/invites", headers=auth(alice),
                         json={"email": "erin@contoso.com", "role": "viewer"})).json()
    token = made["acceptUrl"].split("#token=", 1)[1]
    await refused(c.post("/invites/accept", headers=auth(bob), json={"token": token}), 403, "email_mismatch")
    wrong = {"token": token + "x"}
    await refused(c.post("/invites/accept", headers=auth(erin), json=wrong), 400, "invite_invalid")
    revoked = await c.delete(f"/workspaces/1/invites/{made['id']}", headers=auth(alice))
    assert (revoked.status_code, revoked.json()["state"]) == (200, "revoked")
    await refused(c.post("/invites/accept", headers=auth(erin), json={"token": token}), 410, "invite_revoked")
    await refused(c.delete(f"/workspaces/1/invites/{made['id']}", headers=auth(alice)), 410, "invite_revoked")
    late = (await c.post("/workspaces/1/invites", headers=auth(alice),
                         json={"email": "erin@contoso.com", "role": "viewer"})).json()
    await refused(c.post("/workspaces/1/invites", headers=auth(alice),
                         json={"email": "ERIN@contoso.com", "role": "editor"}), 409, "invite_pending")
    async with operator.container() as container, container.uow()() as uow:
        stored = await uow.invites.get(late["id"])
        await uow.invites.update(replace(stored, expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        await uow.commit()
    late_token = late["acceptUrl"].split("#token=", 1)[1]
    expired = {"token": late_token}
    await refused(c.post("/invites/accept", headers=auth(erin), json=expired), 410, "invite_expired")
    assert roles_of((await browser.me(erin)).json()) == {}


async def test_workspaces_are_created_by_whom_the_operator_allows(make_service):
    async with make_service(SIGNIN_WORKSPACE_CREATORS="contoso.com") as (browser, operator):
        alice = await sign_in(browser, "alice@contoso.com")
        bob = await sign_in(browser, "bob@example.org", "b2c")
        body = {"name": "Tailspin", "frontendHost": "http://localhost:3001"}
        made = await browser.client.post("/workspaces", headers=auth(alice), json=body)
        assert made.status_code == 201, made.text
        created = made.json()
        shown = (created["name"], created["frontendHost"], created["role"])
        assert shown == ("Tailspin", "http://localhost:3001", "owner")
        before = await operator.row_counts()
        refused = await browser.client.post("/workspaces", headers=auth(bob), json=body)
        assert (refused.status_code, refused.json()) == (403, {"error": "forbidden"})
        elsewhere = await browser.client.post("/workspaces", headers=auth(alice),
                                              json={"name": "Evil", "frontendHost": "https://evil.example"})
        assert (elsewhere.status_code, elsewhere.json()) == (400, {"error": "invalid_request"})
        unknown = await browser.client.post("/workspaces", headers=auth(alice), json={**body, "owner": "me"})
        assert unknown.status_code == 400
        assert await operator.row_counts() == before
        moved = await browser.client.patch(f"/workspaces/{created['id']}", headers=auth(alice),
                                           json={"frontendHost": "https://evil.example"})
        assert (moved.status_code, moved.json()) == (400, {"error": "invalid_request"})
        assert [w["id"] for w in (await browser.client.get("/workspaces", headers=auth(alice))).json()] == [
            1, created["id"]]


async def test_a_removed_members_forward_auth_changes_within_a_second(service):
    from tests.web.verify_support import eventually, verify

    browser, operator = service
    await grant(operator, "alice@contoso.com", 1, "owner")
    alice = await sign_in(browser, "alice@contoso.com")
    bob = await sign_in(browser, "bob@example.org", "b2c")     # viewer of workspace 1
    erin = await sign_in(browser, "erin@contoso.com")
    bob_id = (await browser.me(bob)).json()["user"]["id"]
    seen = await verify(browser.client, bob, workspace=1)
    assert seen.status_code == 200 and seen.headers["x-auth-request-workspaces"] == "1:viewer"

    # removed over HTTP by this process: its own memory of bob is dropped, the next check says no
    removed = await browser.client.delete(f"/workspaces/1/members/{bob_id}", headers=auth(alice))
    assert removed.status_code == 200, removed.text
    assert (await verify(browser.client, bob, workspace=1)).status_code == 403
    assert (await verify(browser.client, bob)).headers["x-auth-request-workspaces"] == ""

    # changed by another process (the operator's command line): seen within the bound
    made = (await browser.client.post("/workspaces/1/invites", headers=auth(alice),
                                      json={"email": "erin@contoso.com", "role": "editor"})).json()
    token = made["acceptUrl"].split("#token=", 1)[1]
    taken = await browser.client.post("/invites/accept", headers=auth(erin), json={"token": token})
    assert taken.status_code == 200
    assert (await verify(browser.client, erin, workspace=1, role="editor")).status_code == 200
    async with operator.container() as container:
        await container.remove_member()(Actor.operator(), 1, (await browser.me(erin)).json()["user"]["id"])

    async def refused() -> bool:
        return (await verify(browser.client, erin, workspace=1)).status_code == 403

    await eventually(refused, within=1.0)


async def test_a_workspace_switch_is_where_the_next_sign_in_lands(service):
    browser, operator = service
    await grant(operator, "alice@contoso.com", 2, "viewer")  # alice: editor of 1 (seeded), viewer of 2
    alice = await sign_in(browser, "alice@contoso.com")
    assert (await browser.login("alice@contoso.com", "aad")).uri == "/workspace/1/home"

    switched = await browser.client.post("/me/workspace", headers=auth(alice), json={"workspaceId": 2})
    assert switched.status_code == 200, switched.text
    assert switched.headers["cache-control"] == "no-store"
    assert (switched.json()["id"], switched.json()["role"]) == (2, "viewer")
    assert (await browser.login("alice@contoso.com", "aad")).uri == "/workspace/2/home"
    back = await browser.client.post("/me/workspace", headers=auth(alice), json={"workspaceId": 1})
    assert back.status_code == 200, back.text
    assert (await browser.login("alice@contoso.com", "aad")).uri == "/workspace/1/home"

    others = await browser.client.post("/me/workspace", headers=auth(alice), json={"workspaceId": 99})
    assert (others.status_code, others.json()) == (404, {"error": "not_found"})
    for body in ({"workspaceId": "two"}, {"workspaceId": 0}, {}, {"workspaceId": 2, "extra": 1}):
        bad = await browser.client.post("/me/workspace", headers=auth(alice), json=body)
        assert bad.status_code == 400, (body, bad.text)
    anonymous = await browser.client.post("/me/workspace", json={"workspaceId": 2})
    assert anonymous.status_code == 401
    assert (await browser.login("alice@contoso.com", "aad")).uri == "/workspace/1/home"
