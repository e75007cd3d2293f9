"""Objects that carry a secret never print it: a future `log.debug("%r", x)` must not leak
a binding cookie, a state, a code or a token."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.identity import AuthorizationRequest, LoginFlow, RedeemedLogin
from core.model import MicrosoftTokens
from core.usecases.complete_signin import CompleteSignInInput, PasswordResetStarted, SignedIn
from core.usecases.session_changes import Refreshed
from core.usecases.start_login import LoginStarted

SECRET = "s3cr3t-value-that-must-not-print"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_no_secret_in_any_repr() -> None:
    objects = [
        LoginStarted(SECRET, SECRET, SECRET, timedelta(minutes=10), "https://app.example"),
        CompleteSignInInput({"code": SECRET, "state": SECRET}, SECRET, "https://s/redirect"),
        SignedIn(SECRET, "sid", "uid", "https://app.example", "/", NOW, False),
        PasswordResetStarted(SECRET, SECRET, None),
        Refreshed(SECRET, NOW),
        LoginFlow(SECRET, "aad", {"nonce": SECRET}, SECRET, NOW),
        AuthorizationRequest(SECRET, SECRET, {"code_verifier": SECRET}),
        RedeemedLogin("aad", {"oid": "o"}, SECRET, SECRET, SECRET),
        MicrosoftTokens(SECRET, SECRET, SECRET),
    ]
    for item in objects:
        assert SECRET not in repr(item), type(item).__name__


def test_microsoft_tokens_print_as_redacted() -> None:
    assert repr(MicrosoftTokens(SECRET, SECRET, SECRET)) == "MicrosoftTokens(<redacted>)"
