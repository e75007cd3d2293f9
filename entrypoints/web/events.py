"""Structured security events: one JSON line each on the `azure_signin.security` logger,
with the request's correlation id and *hashed* user identifiers (never an email, a token,
a code or a state)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging

from core.errors import AdminErrorCode, ErrorCode
from core.model import AuditEvent

logger = logging.getLogger("azure_signin.security")


class SecurityLog:
    def __init__(self, pepper: bytes) -> None:
        # Keyed so the hashes cannot be reversed by hashing known ids (the pepper is the
        # process's token-encryption key or a random value).
        self._pepper = pepper

    def _hash(self, value: str) -> str:
        return hmac.new(self._pepper, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]

    def _emit(self, level: int, event: str, correlation: str, **fields: object) -> None:
        record = {"event": event, "correlation_id": correlation, **fields}
        logger.log(level, json.dumps(record, sort_keys=True))

    def login_succeeded(self, user_id: str, session_id: str, correlation: str) -> None:
        self._emit(logging.INFO, "login_succeeded", correlation,
                   user=self._hash(user_id), session=self._hash(session_id))

    def login_failed(self, code: ErrorCode, correlation: str, *, stage: str) -> None:
        event = "nOAuth_refused" if code is ErrorCode.ACCOUNT_CONFLICT else "login_failed"
        level = logging.WARNING if code is ErrorCode.ACCOUNT_CONFLICT else logging.INFO
        self._emit(level, event, correlation, reason=code.value, stage=stage)

    def logout(self, user_id: str, session_id: str, correlation: str) -> None:
        self._emit(logging.INFO, "logout", correlation,
                   user=self._hash(user_id), session=self._hash(session_id))

    def token_refused(self, code: ErrorCode, correlation: str, route: str) -> None:
        self._emit(logging.INFO, "token_refused", correlation, reason=code.value, route=route)

    def workspace_changed(self, event: AuditEvent) -> None:
        """A change to a workspace, its invites or members (the audit row's twin): who
        (hashed; `operator` for the command line), what, which workspace."""
        actor = "operator" if event.actor_id is None else self._hash(event.actor_id)
        self._emit(logging.INFO, event.action, event.correlation_id, actor=actor,
                   workspace=event.workspace_id, target=self._hash(event.target))

    def admin_refused(self, code: AdminErrorCode, correlation: str, route: str) -> None:
        self._emit(logging.INFO, "admin_refused", correlation, reason=code.value, route=route)
