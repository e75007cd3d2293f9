"""The authorize page: a real HTML form listing the users a realm offers."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template

from .authorities import Realm
from .directory import User

_TEMPLATE_PATH = Path(__file__).with_name("authorize_page.html")


@cache
def _template() -> Template:
    return Template(_TEMPLATE_PATH.read_text(encoding="utf-8"))


def _button(action: str, label: str) -> str:
    return f'<button type="submit" name="action" value="{action}">{label}</button>'


def _is_reset(realm: Realm) -> bool:
    return bool(realm.b2c and realm.policy and realm.policy in realm.b2c.reset_policies)


def render_authorize_page(realm: Realm, users: list[User], action_url: str, error: str = "") -> str:
    """The sign-in page (or a B2C password-reset policy's own page); every button POSTs
    `username` and `action` to `action_url`. Each account's button reads exactly its
    sign-in name (scripts and people pick it by that); its details sit beside it."""
    action = html.escape(action_url, quote=True)
    reset = _is_reset(realm)
    words = {
        "kind": "Sign in", "pick_heading": "Pick an account", "type_heading": "Or type a sign-in name",
        "name_label": "Sign-in name", "submit_label": "Sign in", "page_class": "signin",
    }
    if reset:
        title = "Reset your password"
        subtitle = (f"Policy {realm.policy}. Choose the account whose password you forgot; the "
                    "sandbox sends no verification email, so picking it counts as verified and "
                    "you are signed in with a new password.")
        words.update(kind="Password reset", pick_heading="Whose password?",
                     type_heading="Or type the account's email address", name_label="Email address",
                     submit_label="Continue", page_class="reset")
        buttons = _button("cancel", "Cancel")
    elif realm.family == "b2c":
        title = f"Sign in to {realm.b2c.domain if realm.b2c else ''}"
        subtitle = f"Policy {realm.policy}. An unknown email address signs up a new local account."
        buttons = (
            _button("cancel", "Cancel")
            + _button("forgot_password", "Forgot your password?")
            + _button("deny", "Cancel at the external provider")
        )
    else:
        title = "Sign in to your account"
        subtitle = f"Authority {realm.segment}."
        buttons = _button("deny", "Do not accept (deny consent)") + _button("cancel", "Cancel")
    rows = []
    for index, user in enumerate(users):
        name = html.escape(user.username, quote=True)
        detail = html.escape(
            f"{user.display_name} · tenant {user.tenant}" + (" · guest" if user.home_tenant else "")
        )
        rows.append(
            f'<li><form method="post" action="{action}">'
            f'<input type="hidden" name="username" value="{name}">'
            f'<button type="submit" name="action" value="signin" aria-describedby="account-{index}">'
            f"{name}</button></form>"
            f'<span class="detail" id="account-{index}">{detail}</span></li>'
        )
    datalist = "".join(f'<option value="{html.escape(u.username, quote=True)}">' for u in users)
    return _template().substitute(
        title=html.escape(title),
        subtitle=html.escape(subtitle),
        error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "",
        users="\n".join(rows) or "<li>No accounts.</li>",
        action=action,
        datalist=datalist,
        buttons=buttons,
        **words,
    )


def render_error_page(message: str) -> str:
    """Microsoft's 'Sorry, but we're having trouble signing you in' page, for non-redirectable errors."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in error</title></head>'
        "<body><main><h1>Sorry, but we're having trouble signing you in.</h1>"
        f'<p class="error" role="alert">{html.escape(message)}</p></main></body></html>'
    )
