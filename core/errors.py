"""The closed set of ways a sign-in can fail, carried by one exception type.

The codes are the ones a frontend sees on `?error=` (design §5). Messages are written for
logs and must never contain a code, state, token, cookie or secret.
"""
from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Machine-readable failure codes; the values are part of the outside interface."""

    INVALID_REQUEST = "invalid_request"
    LOGIN_EXPIRED = "login_expired"
    ACCESS_DENIED = "access_denied"  # Microsoft or the organisation refused (or consent declined)
    PROVIDER_NOT_REGISTERED = "provider_not_registered"  # the service itself refused: no provider
    CANCELLED = "cancelled"
    PASSWORD_RESET = "password_reset"
    INVALID_TOKEN = "invalid_token"
    ACCOUNT_CONFLICT = "account_conflict"
    ACCOUNT_DISABLED = "account_disabled"
    TEMPORARILY_UNAVAILABLE = "temporarily_unavailable"
    SERVER_ERROR = "server_error"


class SignInError(Exception):
    """A failure the service answers with a code.

    `frontend_origin` is the validated origin of the login this failure belongs to, when one
    is known; the entrypoint sends the browser back there with `?error=<code>`. `authority`
    is the name of the Microsoft authority that login went to, when known (for metrics).
    """

    def __init__(self, code: ErrorCode, detail: str = "", *, frontend_origin: str | None = None):
        super().__init__(f"{code.value}: {detail}" if detail else code.value)
        self.code = code
        self.detail = detail
        self.frontend_origin = frontend_origin
        self.authority: str | None = None

    def at(self, frontend_origin: str | None, authority: str | None = None) -> SignInError:
        """The same failure tied to the login's frontend origin and authority, as a new error
        of the same type (this one is left as it is); an origin or authority already known is
        kept."""
        tied = type(self).__new__(type(self))
        tied.__dict__.update(self.__dict__)
        tied.args = self.args
        tied.__cause__ = self.__cause__
        if tied.frontend_origin is None:
            tied.frontend_origin = frontend_origin
        if tied.authority is None:
            tied.authority = authority
        return tied


class OriginNotAllowed(SignInError):
    """`invalid_request` for a frontend origin that is not on the allow-list.

    `origin` is what the browser asked for, cut to `MAX_SHOWN` characters: attacker-chosen
    text, to be escaped wherever it is shown and sanitised wherever it is logged.
    """

    MAX_SHOWN = 200

    def __init__(self, origin: str | None) -> None:
        super().__init__(ErrorCode.INVALID_REQUEST, "frontend origin is not allowed")
        self.origin = (origin or "")[: self.MAX_SHOWN]


class DuplicateKey(Exception):
    """Raised by a repository or unit of work when a unique key is already taken.

    A sign-in decision that meets it is re-run from the start (another sign-in of the same
    person or organisation won a race); see `core.usecases.complete_signin`.
    """


class GrantRevoked(Exception):
    """Raised by `IdentityGateway.renew` when Microsoft says the session's grant is no
    longer valid (`invalid_grant`, `interaction_required`): the account was disabled or
    deleted, its password reset, its refresh tokens revoked, or the grant expired.

    `reason` is one fixed word (`account_disabled`, `account_deleted`, `password_changed`,
    `sessions_revoked`, `grant_expired`, `interaction_required`, `grant_invalid`) and
    `microsoft_code` the `AADSTS...`/`AADB2C...` code, when Microsoft gave one; neither ever
    carries a token or a description.
    """

    def __init__(self, reason: str, microsoft_code: str | None = None) -> None:
        super().__init__(f"{reason} ({microsoft_code})" if microsoft_code else reason)
        self.reason = reason
        self.microsoft_code = microsoft_code


class AdminErrorCode(StrEnum):
    """Why a workspace administration request (workspaces, invites, members) was refused;
    the values are part of the HTTP API (`{"error": ...}`)."""

    INVALID_REQUEST = "invalid_request"      # malformed input (a bad email, role or name)
    NOT_FOUND = "not_found"                  # no such workspace, member or invite *for you*
    FORBIDDEN = "forbidden"                  # your role in this workspace does not allow it
    ROLE_TOO_HIGH = "role_too_high"          # granting a role above your own
    OWN_ROLE = "own_role"                    # raising your own role
    LAST_OWNER = "last_owner"                # the change would leave the workspace no owner
    INVITE_PENDING = "invite_pending"        # that address already has a pending invite here
    INVITE_INVALID = "invite_invalid"        # not a valid accept token
    INVITE_USED = "invite_used"              # the invite was accepted already
    INVITE_REVOKED = "invite_revoked"
    INVITE_EXPIRED = "invite_expired"
    EMAIL_UNVERIFIED = "email_unverified"    # the signed-in user has no verified email
    EMAIL_MISMATCH = "email_mismatch"        # the invite is for another address


class AdminError(Exception):
    """A refused administration request; nothing was written. The message is for logs and
    never holds a token or an email address."""

    def __init__(self, code: AdminErrorCode, detail: str = "") -> None:
        super().__init__(f"{code.value}: {detail}" if detail else code.value)
        self.code = code
        self.detail = detail


class InvalidClient(Exception):
    """A caller that must authenticate as a registered client (introspection) did not: no
    credentials, an unknown client or a wrong secret (which of them is never said)."""
