"""Structured security events: one JSON record each on the `azure_signin.security` logger,
with the request's correlation id and *hashed* user identifiers (never an email, a token,
a code or a state). The events that end a login or close sessions are also counted in the
metrics given (one place decides what happened; the log and the counters agree)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging

from core.errors import AdminErrorCode, ErrorCode
from core.model import AuditEvent
from core.rules.revalidation import SESSION_CLOSED, UNCONFIRMED_TOO_LONG, Verdict
from core.usecases.revalidation import Revalidation
from entrypoints.metrics import Metrics

logger = logging.getLogger("azure_signin.security")


class SecurityLog:
    def __init__(self, pepper: bytes, metrics: Metrics | None = None) -> None:
        # Keyed so the hashes cannot be reversed by hashing known ids (the pepper is the
        # process's token-encryption key or a random value).
        self._pepper = pepper
        self._metrics = metrics or Metrics()

    def _hash(self, value: str) -> str:
        return hmac.new(self._pepper, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]

    def _emit(self, level: int, event: str, correlation: str, **fields: object) -> None:
        record = {"event": event, "correlation_id": correlation, **fields}
        # text logs print the JSON as the message; JSON logs take the fields as fields
        logger.log(level, json.dumps(record, sort_keys=True), extra={"security_event": record})

    def login_succeeded(
        self, user_id: str, session_id: str, correlation: str, *, authority: str = "unknown"
    ) -> None:
        """`authority`: a configured authority's name (a metric label: never user input)."""
        self._metrics.login_ended(authority, "succeeded")
        self._emit(logging.INFO, "login_succeeded", correlation, authority=authority,
                   user=self._hash(user_id), session=self._hash(session_id))

    def login_failed(
        self, code: ErrorCode, correlation: str, *, stage: str, authority: str = "unknown"
    ) -> None:
        self._metrics.login_ended(authority, code.value)
        event = "nOAuth_refused" if code is ErrorCode.ACCOUNT_CONFLICT else "login_failed"
        level = logging.WARNING if code is ErrorCode.ACCOUNT_CONFLICT else logging.INFO
        self._emit(level, event, correlation, reason=code.value, stage=stage, authority=authority)

    def logout(self, user_id: str, session_id: str, correlation: str) -> None:
        self._metrics.sessions_revoked("logout")
        self._emit(logging.INFO, "logout", correlation,
                   user=self._hash(user_id), session=self._hash(session_id))

    def token_refused(self, code: ErrorCode, correlation: str, route: str) -> None:
        self._emit(logging.INFO, "token_refused", correlation, reason=code.value, route=route)

    def origin_refused(self, correlation: str, route: str) -> None:
        """A request named a frontend origin that is not allowed (it was not followed)."""
        self._emit(logging.WARNING, "origin_refused", correlation, route=route)

    def revalidated(self, result: Revalidation, *, via: str, correlation: str = "-") -> None:
        """What a re-validation did, when it is worth a line: a session closed or left
        unconfirmed (a confirmation is routine)."""
        if result.verdict is Verdict.CLOSED:
            self.session_closed(result.user_id, result.session_id, result.reason, result.microsoft_code,
                                via=via, correlation=correlation)
        elif result.verdict is Verdict.KEPT:
            self.session_unconfirmed(result.session_id, result.reason, via=via, correlation=correlation)

    def session_closed(
        self, user_id: str, session_id: str, reason: str, microsoft_code: str | None, *,
        via: str, correlation: str = "-",
    ) -> None:
        """Microsoft no longer vouches for a session (or could not for too long): closed."""
        if reason != SESSION_CLOSED:  # closed meanwhile by a logout: counted there
            self._metrics.sessions_revoked(
                "unconfirmed_too_long" if reason == UNCONFIRMED_TOO_LONG else "microsoft"
            )
        self._emit(logging.WARNING, "session_closed", correlation, user=self._hash(user_id),
                   session=self._hash(session_id), reason=reason, microsoft_code=microsoft_code, via=via)

    def session_unconfirmed(self, session_id: str, reason: str, *, via: str, correlation: str = "-") -> None:
        """Microsoft could not be asked about a session; it stays open for now."""
        self._emit(logging.WARNING, "session_unconfirmed", correlation,
                   session=self._hash(session_id), reason=reason, via=via)

    def frontchannel_logout(self, closed: list[tuple[str, str]], correlation: str) -> None:
        """Microsoft signed a person out: the (user, session) pairs closed."""
        self._metrics.sessions_revoked("frontchannel", len(closed))
        self._emit(logging.INFO, "frontchannel_logout", correlation, closed=len(closed),
                   sessions=[self._hash(s) for _, s in closed],
                   users=sorted({self._hash(u) for u, _ in closed}))

    def workspace_changed(self, event: AuditEvent) -> None:
        """A change to a workspace, its invites or members (the audit row's twin): who
        (hashed; `operator` for the command line), what, which workspace."""
        actor = "operator" if event.actor_id is None else self._hash(event.actor_id)
        self._emit(logging.INFO, event.action, event.correlation_id, actor=actor,
                   workspace=event.workspace_id, target=self._hash(event.target))

    def admin_refused(self, code: AdminErrorCode, correlation: str, route: str) -> None:
        self._emit(logging.INFO, "admin_refused", correlation, reason=code.value, route=route)
