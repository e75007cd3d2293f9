"""The authorize endpoint: GET shows the form, POST (`username`, `action`) answers the app."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Response

from .authorities import Realm, registered
from .directory import DirectoryError, User, user_from_mapping
from .errors import aad_error, authorize_error_params, b2c_error
from .grants import Grant
from .page import render_authorize_page, render_error_page
from .responses import form_post, html_response, redirect, with_params
from .state import Sandbox

ACTIONS = ("signin", "cancel", "forgot_password", "deny")


@dataclass(frozen=True)
class AuthorizeRequest:
    """A validated authorization request: the app is known and the redirect URI registered."""

    realm: Realm
    client_id: str
    redirect_uri: str
    params: dict[str, str]

    @property
    def state(self) -> str | None:
        return self.params.get("state")


def validate(sb: Sandbox, realm: Realm, params: dict[str, str]) -> AuthorizeRequest | Response[Any]:
    """Errors that cannot be sent to the app are shown as a page (no open redirect)."""
    now, b2c = sb.now(), realm.family == "b2c"
    client_id = params.get("client_id", "")
    if not client_id:
        return _page(aad_error(900144, now, sb.origin, parameter="client_id"))
    app = sb.directory.application(client_id)
    if app is None or app.kind != realm.family or (realm.family == "aad" and realm.b2c is not None):
        return _page(aad_error(700016, now, sb.origin, client_id=client_id, tenant=realm.segment))
    redirect_uri = params.get("redirect_uri", "")
    if not registered(app.redirect_uris, redirect_uri):
        if b2c:
            return _page(b2c_error(90006, now, redirect_uri=redirect_uri, client_id=client_id))
        return _page(aad_error(50011, now, sb.origin, redirect_uri=redirect_uri, client_id=client_id))
    request = AuthorizeRequest(realm, client_id, redirect_uri, params)
    if params.get("response_type", "") != "code":
        body = aad_error(700054, now, sb.origin, response_type=params.get("response_type", ""))
        return reply(request, authorize_error_params(body))
    if not b2c and params.get("prompt") == "none":
        return reply(request, authorize_error_params(aad_error(50058, now, sb.origin)))
    if params.get("code_challenge_method", "S256") not in {"S256", "plain"}:
        body = aad_error(900144, now, sb.origin, parameter="code_challenge_method")
        return reply(request, authorize_error_params(body))
    return request


def show_form(sb: Sandbox, request: AuthorizeRequest, action_url: str, error: str = "") -> Response[Any]:
    page = render_authorize_page(request.realm, candidates(sb, request.realm), action_url, error)
    return html_response(page, 400 if error else 200)


def answer(sb: Sandbox, request: AuthorizeRequest, form: dict[str, str], action_url: str) -> Response[Any]:
    """Act on the submitted form: sign in (or up), cancel, forgot password, or deny."""
    action = form.get("action", "signin")
    username = form.get("username", "").strip()
    now, b2c = sb.now(), request.realm.family == "b2c"
    if action not in ACTIONS:
        return show_form(
            sb, request, action_url, f"Unknown action '{action}'; use one of {', '.join(ACTIONS)}."
        )
    if action == "cancel" and b2c:
        return reply(request, authorize_error_params(b2c_error(90091, now)))
    if action == "forgot_password" and b2c:
        return reply(request, authorize_error_params(b2c_error(90118, now)))
    if action == "deny" and b2c:
        return reply(request, authorize_error_params(b2c_error(90273, now)))
    if action in {"cancel", "deny"}:
        return reply(request, authorize_error_params(aad_error(65004, now, sb.origin)))
    if action == "forgot_password":
        return show_form(
            sb,
            request,
            action_url,
            "Azure AD resets passwords on its own pages and does not "
            "return to the app; the sandbox has nothing to do here.",
        )
    user = find_user(sb, request.realm, username, form.get("tenant", "").strip())
    if user is None and b2c:
        user, problem = _sign_up(sb, request.realm, username)
        if user is None:
            return show_form(sb, request, action_url, problem)
    if user is None:
        where = request.realm.segment
        return show_form(
            sb,
            request,
            action_url,
            f"AADSTS50034: The user account {username} does not exist "
            f"in the {where} directory. To sign into this application, the account must be "
            "added to the directory.",
        )
    if user.disabled:
        return show_form(
            sb, request, action_url,
            "AADSTS50057: The user account is disabled. The user object in Active Directory "
            "backing this account has been disabled.",
        )
    grant = Grant(
        client_id=request.client_id,
        user=user,
        realm=request.realm,
        scopes=tuple(request.params.get("scope", "").split()),
        issued_at=now,
        redirect_uri=request.redirect_uri,
        nonce=request.params.get("nonce"),
        code_challenge=request.params.get("code_challenge"),
        code_challenge_method=request.params.get("code_challenge_method")
        if request.params.get("code_challenge")
        else None,
        auth_time=now,
    )
    params = {"code": sb.grants.issue_code(grant)}
    if not b2c:
        params["session_state"] = str(uuid.uuid5(uuid.NAMESPACE_URL, user.oid))
    return reply(request, params)


def reply(request: AuthorizeRequest, params: dict[str, str]) -> Response[Any]:
    """Send `params` (plus `state`) back to the app's redirect URI in the requested mode."""
    if request.state is not None:
        params = {**params, "state": request.state}
    mode = request.params.get("response_mode", "query")
    if mode == "form_post":
        return form_post(request.redirect_uri, params)
    return redirect(with_params(request.redirect_uri, params, fragment=mode == "fragment"))


def candidates(sb: Sandbox, realm: Realm) -> list[User]:
    """The users this realm lets sign in, in directory order."""
    return sb.directory.users_in(candidate_tenants(sb, realm))


def candidate_tenants(sb: Sandbox, realm: Realm) -> set[str]:
    """The keys of the tenants whose users this realm lets sign in."""
    directory = sb.directory
    if realm.family == "b2c" and realm.b2c is not None:
        return {realm.b2c.key}
    if realm.b2c is not None:
        return set()
    if realm.audience == "tenant" and realm.tenant is not None:
        return {realm.tenant.key}
    return {
        t.key
        for t in directory.tenants
        if not t.external and (realm.audience == "common" or t.consumer == (realm.audience == "consumers"))
    }


def _may_sign_in(sb: Sandbox, realm: Realm, user: User, tenant_ref: str) -> bool:
    """`user` is one of `candidates(sb, realm)` (and of the tenant `tenant_ref` names)."""
    if tenant_ref:
        tenant = sb.directory.tenant(tenant_ref) or sb.directory.b2c_tenant(tenant_ref)
        if tenant is None or user.tenant != tenant.key:
            return False
    return user.tenant in candidate_tenants(sb, realm)


def find_user(sb: Sandbox, realm: Realm, username: str, tenant_ref: str) -> User | None:
    """By unique sign-in name; within one tenant also by the name the user types (a guest's email)."""
    named = sb.directory.user_named(username)  # the common case without a scan of every user
    if named is not None and named.username.casefold() == username.casefold() and (
        _may_sign_in(sb, realm, named, tenant_ref)
    ):
        return named
    users = candidates(sb, realm)
    one_tenant = realm.audience == "tenant" or realm.family == "b2c"
    if tenant_ref:
        tenant = sb.directory.tenant(tenant_ref) or sb.directory.b2c_tenant(tenant_ref)
        users = [u for u in users if tenant is not None and u.tenant == tenant.key]
        one_tenant = True
    wanted = username.casefold()
    exact = [u for u in users if u.username.casefold() == wanted]
    if exact:
        return exact[0]
    if one_tenant:
        return next((u for u in users if u.sign_in_name.casefold() == wanted), None)
    return None


def _sign_up(sb: Sandbox, realm: Realm, email: str) -> tuple[User | None, str]:
    assert realm.b2c is not None
    if realm.policy not in realm.b2c.signup_policies:
        return None, b2c_error(99002, sb.now(), policy=realm.policy)["error_description"]
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        return None, "Please enter a valid email address."
    oid = str(uuid.uuid4())
    try:
        user = sb.directory.add_user(
            user_from_mapping(
                {
                    "username": email.lower(),
                    "tenant": realm.b2c.key,
                    "oid": oid,
                    "display_name": local,
                    "other_mails": [email.lower()],
                    "user_principal_name": f"{oid}@{realm.b2c.domain}",
                }
            )
        )
    except DirectoryError as exc:
        return None, str(exc)
    return user, ""


def _page(body: dict[str, Any]) -> Response[Any]:
    return html_response(render_error_page(body["error_description"]), 400)
