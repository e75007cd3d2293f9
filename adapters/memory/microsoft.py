"""An in-process Microsoft: the authorization-code flow and the profile, with no network."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from adapters.memory.expiring import ExpiringMap
from core.errors import ErrorCode, GrantRevoked, SignInError
from core.identity import (
    AuthorizationRequest,
    ExternalIdentity,
    LoginFlow,
    RedeemedLogin,
    SignInKind,
)
from core.ports.clock import Clock, IdGenerator

Operation = Literal["begin", "redeem", "read", "renew"]
Action = Literal["signin", "cancel", "forgot_password", "deny"]

_ORIGIN = "https://login.fake.invalid"
_ERROR_TRAILER = "\r\nCorrelation ID: 00000000-0000-0000-0000-000000000000\r\nTimestamp: 2025-01-01 00:00:00Z"
_ERROR_REPLIES: dict[str, str] = {
    "cancel": "AADB2C90091: The user has cancelled entering self-asserted information.",
    "forgot_password": "AADB2C90118: The user has forgotten their password.",
    "deny": "AADSTS65004: User declined to consent to access the app.",
}
_CANCELLED = ("AADB2C90091", "AADB2C90273")
_PASSWORD_RESET = ("AADB2C90118",)
_BEGUN_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class _IssuedCode:
    identity: ExternalIdentity
    state: str
    nonce: str
    redirect_uri: str
    username: str = ""


@dataclass(frozen=True)
class _Grant:
    """What a refresh token stands for: a user's sign-in at one authority, in one
    Microsoft session (`sid`)."""

    username: str
    authority: str
    sid: str


def _fail(code: ErrorCode, detail: str) -> SignInError:
    return SignInError(code, detail)


def _error_reply(description: str) -> SignInError:
    if any(marker in description for marker in _CANCELLED):
        return _fail(ErrorCode.CANCELLED, "the user cancelled at Microsoft")
    if any(marker in description for marker in _PASSWORD_RESET):
        return _fail(ErrorCode.PASSWORD_RESET, "the user asked for a password reset")
    return _fail(ErrorCode.ACCESS_DENIED, "Microsoft answered with an error")


def _as_the_token_says(identity: ExternalIdentity, claims: Mapping[str, Any]) -> ExternalIdentity:
    """The directory's identity, its email verified only where the token vouches for it, as
    Graph's reader decides (`ProfileReaderContract`): a B2C sign-in through another provider
    (the token's `idp`) is federated and never verified; an Azure AD email only when the
    token names that very address with `xms_edov` true; a B2C local account's as written."""
    idp = claims.get("idp")
    if identity.kind is not SignInKind.AZURE_AD and isinstance(idp, str) and idp:
        return replace(identity, kind=SignInKind.FEDERATED, idp=idp, email_verified=False)
    if identity.kind is SignInKind.AZURE_AD:
        vouched = claims.get("xms_edov") is True and claims.get("email") == identity.email
        return replace(identity, email_verified=identity.email_verified and vouched)
    return identity


class FakeMicrosoft:
    """`IdentityGateway` and `ProfileReader` in one, played in-process: for core tests and
    as an embedded fake when even the Azure sandbox is too much.

    It holds a directory of `ExternalIdentity`s by user name (`users=` or `add_user`).
    `begin` hands out a random state and nonce; `reply_for(...)` plays the browser at
    Microsoft's page and returns what Microsoft would append to the redirect URI; `redeem`
    turns that into a `RedeemedLogin` exactly as the port requires (codes are single-use and
    expire after `code_ttl`), and `read` returns the directory's current identity for the
    token's (`iss`, `oid`). `fail_next(operation, error)` makes the next calls of `begin`,
    `redeem`, `read` or `renew` fail, e.g. with `temporarily_unavailable`.
    `renew` redeems the refresh tokens `redeem` handed out; `refuse_grants(username, ...)`
    makes Microsoft refuse them from then on (a disabled account, a reset password), and
    `sign_out(username)` ends the user's Microsoft sessions and returns their (`iss`,
    `sid`) pairs, as Microsoft's front-channel logout would name them.

    `read` vouches for an email only as the token does (`ProfileReaderContract`): a B2C
    sign-in through another provider is never verified, and a verified address is the one the
    token names. With `scripted=True` it hands back the directory's identity exactly as
    written instead, even a verification no correct reader would give: the core tests script
    such identities to hold the core's own defences.

    Like Microsoft, it knows the app's registered redirect URIs (`redirect_uris=`; by default
    any absolute https URL, or http on localhost): its page refuses a flow begun with another
    (`reply_for` raises `LookupError`, as Microsoft shows AADSTS50011 instead of redirecting),
    and `redeem` refuses a code when the flow's redirect URI is not the one it was issued for.

    Example::

        microsoft = FakeMicrosoft(clock, RandomIds(), users={"alice": alice})
        request = await microsoft.begin("aad", "https://app.example/redirect")
        reply = microsoft.reply_for(request, "alice")
        login = await microsoft.redeem(flow_for(request), reply)
        assert await microsoft.read(login) == alice
    """

    def __init__(
        self,
        clock: Clock,
        ids: IdGenerator,
        users: Mapping[str, ExternalIdentity] | None = None,
        *,
        authorities: Iterable[str] = ("aad", "b2c"),
        password_reset_authorities: Iterable[str] = ("b2c",),
        client_id: str = "fake-client-id",
        code_ttl: timedelta = timedelta(minutes=5),
        redirect_uris: Iterable[str] | None = None,
        scripted: bool = False,
    ) -> None:
        self._clock = clock
        self._ids = ids
        self._users: dict[str, ExternalIdentity] = dict(users or {})
        self._authorities = tuple(authorities)
        self._reset = frozenset(password_reset_authorities) & set(self._authorities)
        self._client_id = client_id
        self._code_ttl = code_ttl
        self._redirect_uris = None if redirect_uris is None else frozenset(redirect_uris)
        self._scripted = scripted
        self._begun: ExpiringMap[str, Mapping[str, Any]] = ExpiringMap()
        self._codes: ExpiringMap[str, _IssuedCode] = ExpiringMap()
        self._failures: dict[str, list[SignInError]] = {}
        self._grants: dict[str, _Grant] = {}
        self._refused: dict[str, GrantRevoked] = {}
        self._signed_out: set[str] = set()

    # -- the fake's own controls ---------------------------------------------------------

    def add_user(self, username: str, identity: ExternalIdentity) -> None:
        """Add a user, or change one (an email changed at Microsoft, say)."""
        self._users[username] = identity

    def fail_next(
        self,
        operation: Operation,
        error: SignInError | ErrorCode = ErrorCode.TEMPORARILY_UNAVAILABLE,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `operation` raise `error`."""
        code = error.code if isinstance(error, SignInError) else error
        self._failures.setdefault(operation, []).extend(
            _fail(code, f"injected failure of {operation}") for _ in range(times)
        )

    def clear_failures(self) -> None:
        self._failures.clear()

    def refuse_grants(
        self, username: str, reason: str = "account_disabled", microsoft_code: str | None = "AADSTS50057"
    ) -> None:
        """From now on, renewing any refresh token of `username` raises `GrantRevoked`."""
        self._refused[username] = GrantRevoked(reason, microsoft_code)

    def sign_out(self, username: str) -> list[tuple[str, str]]:
        """End every Microsoft session of `username`: their (`iss`, `sid`), by sign-in
        order; their refresh tokens are refused from then on."""
        pairs: list[tuple[str, str]] = []
        identity = self._users.get(username)
        for grant in self._grants.values():
            if grant.username == username and grant.sid not in self._signed_out:
                self._signed_out.add(grant.sid)
                if identity is not None and (identity.issuer, grant.sid) not in pairs:
                    pairs.append((identity.issuer, grant.sid))
        return pairs

    def reply_for(
        self, request: AuthorizationRequest | LoginFlow | str, username: str, action: Action = "signin"
    ) -> dict[str, str]:
        """What Microsoft appends to the redirect URI once the user at its page has done
        `action` (`signin`, `cancel`, `forgot_password` or `deny`) for the flow `request`
        (a request, a flow, or just its state). Signing in an unknown user raises
        `LookupError`."""
        state = request if isinstance(request, str) else request.state
        protocol = request.protocol if not isinstance(request, str) else self._begun.get(state, self._now())
        if protocol is None:
            raise LookupError("no flow was begun with this state")
        if action != "signin" and action not in _ERROR_REPLIES:
            raise ValueError(f"unknown action {action!r}")
        redirect_uri = protocol.get("redirect_uri")
        if not self._registered(redirect_uri):
            raise LookupError("AADSTS50011: the redirect URI of the request is not registered for the app")
        if action != "signin":
            description = _ERROR_REPLIES[action] + _ERROR_TRAILER
            return {"error": "access_denied", "error_description": description, "state": state}
        identity = self._users.get(username)
        if identity is None:
            raise LookupError(f"no user named {username!r}")
        code = self._ids.secret()
        now = self._now()
        issued = _IssuedCode(identity, state, str(protocol["nonce"]), str(redirect_uri), username)
        self._codes.put(code, issued, now + self._code_ttl, now)
        return {"code": code, "state": state}

    # -- IdentityGateway ------------------------------------------------------------------

    def authorities(self) -> tuple[str, ...]:
        return self._authorities

    def can_reset_password(self, authority: str) -> bool:
        return authority in self._reset

    async def begin(
        self, authority: str, redirect_uri: str, *, password_reset: bool = False
    ) -> AuthorizationRequest:
        self._check_authority(authority)
        if password_reset and not self.can_reset_password(authority):
            raise _fail(ErrorCode.INVALID_REQUEST, "this authority has no password-reset policy")
        self._maybe_fail("begin")
        state, nonce, verifier = self._ids.secret(), self._ids.secret(), self._ids.secret()
        query = {
            "client_id": self._client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": "openid profile offline_access",
            "state": state,
            "nonce": hashlib.sha256(nonce.encode()).hexdigest(),
            "code_challenge": hashlib.sha256(verifier.encode()).hexdigest(),
            "code_challenge_method": "S256",
        }
        if password_reset:
            query["p"] = "B2C_1A_PASSWORDRESET"
        auth_uri = f"{_ORIGIN}/{authority}/oauth2/v2.0/authorize?{urlencode(query)}"
        protocol = {
            "state": state,
            "nonce": nonce,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
            "scope": ["openid", "profile", "offline_access"],
            "auth_uri": auth_uri,
        }
        now = self._now()
        self._begun.put(state, protocol, now + _BEGUN_TTL, now)
        return AuthorizationRequest(state=state, auth_uri=auth_uri, protocol=dict(protocol))

    async def redeem(self, flow: LoginFlow, reply: Mapping[str, str]) -> RedeemedLogin:
        self._check_authority(flow.authority)
        if reply.get("state") != flow.state:
            raise _fail(ErrorCode.INVALID_REQUEST, "the reply's state is not the flow's")
        if reply.get("error"):
            raise _error_reply(reply.get("error_description", ""))
        code = reply.get("code")
        if not code:
            raise _fail(ErrorCode.INVALID_REQUEST, "the reply has neither code nor error")
        self._maybe_fail("redeem")
        issued = self._codes.pop(code, self._now())
        if issued is None:
            raise _fail(ErrorCode.LOGIN_EXPIRED, "the code is unknown, expired or already used")
        if issued.state != flow.state:
            raise _fail(ErrorCode.INVALID_REQUEST, "the code was issued for another flow")
        if issued.redirect_uri != flow.protocol.get("redirect_uri"):
            raise _fail(ErrorCode.INVALID_REQUEST, "AADSTS50148: the redirect URI is not the code's")
        if issued.nonce != flow.protocol.get("nonce"):
            raise _fail(ErrorCode.INVALID_TOKEN, "the ID token's nonce is not the flow's")
        sid = self._ids.secret()
        refresh_token = self._ids.secret()
        self._grants[refresh_token] = _Grant(issued.username, flow.authority, sid)
        claims = {**self._claims(issued.identity, flow.authority), "nonce": issued.nonce, "sid": sid}
        return RedeemedLogin(
            authority=flow.authority,
            claims=claims,
            access_token=self._ids.secret(),
            refresh_token=refresh_token,
            id_token=f"fake-id-token.{self._ids.secret()}",
        )

    async def renew(self, authority: str, refresh_token: str) -> RedeemedLogin:
        self._check_authority(authority)
        self._maybe_fail("renew")
        grant = self._grants.get(refresh_token)
        if grant is None or grant.authority != authority:
            raise GrantRevoked("grant_invalid", "AADSTS9002313")
        if grant.sid in self._signed_out:
            raise GrantRevoked("sessions_revoked", "AADSTS50173")
        refused = self._refused.get(grant.username)
        if refused is not None:
            raise GrantRevoked(refused.reason, refused.microsoft_code)
        identity = self._users.get(grant.username)
        if identity is None:
            raise GrantRevoked("account_deleted", "AADSTS50034")
        renewed = self._ids.secret()
        self._grants[renewed] = grant  # the old one stays valid too, as Azure AD's do
        return RedeemedLogin(
            authority=authority,
            claims={**self._claims(identity, authority), "sid": grant.sid},
            access_token=self._ids.secret(),
            refresh_token=renewed,
            id_token=f"fake-id-token.{self._ids.secret()}",
        )

    def end_session_url(self, authority: str, post_logout_redirect_uri: str | None) -> str | None:
        if authority not in self._authorities:
            return None
        url = f"{_ORIGIN}/{authority}/oauth2/v2.0/logout"
        if post_logout_redirect_uri:
            url += "?" + urlencode({"post_logout_redirect_uri": post_logout_redirect_uri})
        return url

    # -- ProfileReader --------------------------------------------------------------------

    async def read(self, login: RedeemedLogin) -> ExternalIdentity:
        self._maybe_fail("read")
        issuer, object_id = login.claims.get("iss"), login.claims.get("oid")
        for identity in self._users.values():
            if identity.issuer == issuer and identity.object_id == object_id:
                return identity if self._scripted else _as_the_token_says(identity, login.claims)
        raise _fail(ErrorCode.INVALID_TOKEN, "no profile belongs to the token's oid")

    # -- helpers --------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock.now()

    def _registered(self, redirect_uri: object) -> bool:
        if not isinstance(redirect_uri, str):
            return False
        if self._redirect_uris is not None:
            return redirect_uri in self._redirect_uris
        parts = urlsplit(redirect_uri)
        local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")
        return (parts.scheme == "https" or local) and bool(parts.hostname)

    def _check_authority(self, authority: str) -> None:
        if authority not in self._authorities:
            raise _fail(ErrorCode.INVALID_REQUEST, "unknown authority")

    def _maybe_fail(self, operation: Operation) -> None:
        queued = self._failures.get(operation)
        if queued:
            raise queued.pop(0)

    def _claims(self, who: ExternalIdentity, authority: str) -> dict[str, Any]:
        now = int(self._clock.now().timestamp())
        claims: dict[str, Any] = {
            "ver": "2.0",
            "iss": who.issuer,
            "aud": self._client_id,
            "sub": who.object_id,
            "oid": who.object_id,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": who.display_name,
        }
        if who.tenant_id is not None:
            claims["tid"] = who.tenant_id
        if who.email is not None and who.kind is SignInKind.LOCAL:
            claims["emails"] = [who.email]
        elif who.email is not None:
            claims["email"] = who.email
            if who.kind is SignInKind.AZURE_AD:
                claims["xms_edov"] = who.email_verified
        if who.idp is not None:
            claims["idp"] = who.idp
        if authority in self._reset:
            claims["tfp"] = "B2C_1A_SIGNUP_SIGNIN"
        return claims
