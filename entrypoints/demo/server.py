"""The demo frontend's tiny static server (an ASGI app): `/` and `/redirect-uri` answer the
same page (its script picks the view), plus `/app.js`, `/style.css` and the icon (also
at `/favicon.ico`, which browsers ask for on their own).

The page loads nothing from another origin. The only other origins it names are the sign-in
service's, written into `<body data-service>` and into the sign-in links, and the Azure
sandbox's (`<body data-sandbox>`, probed to tell whether this browser trusts its
certificate); a Content Security Policy holds the page to those.
"""
from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

PAGES = ("/", "/index.html", "/redirect-uri", "/invite")
ASSETS = {
    "/app.js": "text/javascript; charset=utf-8",
    "/style.css": "text/css; charset=utf-8",
    "/favicon.svg": "image/svg+xml",
}
# what browsers ask for on their own, whatever the page links: the same icon
ALIASES = {"/favicon.ico": "/favicon.svg"}
PROVIDER_LABELS = {
    "aad": "Sign in with Azure AD",
    "b2c": "Sign in with Azure AD B2C",
    "external": "Sign in with Entra External ID",
}


@dataclass(frozen=True)
class FrontendConfig:
    service_url: str   # the sign-in service's origin, e.g. http://localhost:8000
    origin: str        # this frontend's own origin, sent as frontendHost
    providers: tuple[str, ...] = ("aad", "b2c")
    delivery: str = "fragment"
    sandbox_url: str = ""  # the Azure sandbox's origin when the demo runs one


def _read(name: str) -> bytes:
    return files(__package__).joinpath(name).read_bytes()


def signin_link(config: FrontendConfig, provider: str) -> str:
    query = urlencode({"frontendHost": config.origin, "provider": provider})
    return f"{config.service_url}/login/aad?{query}"


def render_page(config: FrontendConfig) -> bytes:
    buttons = "".join(
        f'<li><a class="button" data-provider="{html.escape(p)}" '
        f'href="{html.escape(signin_link(config, p))}">{html.escape(PROVIDER_LABELS.get(p, p))}</a></li>'
        for p in config.providers
    )
    page = _read("index.html").decode("utf-8")
    for key, value in (("service", config.service_url), ("origin", config.origin),
                       ("delivery", config.delivery), ("sandbox", config.sandbox_url)):
        page = page.replace("{{" + key + "}}", html.escape(value))
    return page.replace("{{signin_buttons}}", buttons).encode("utf-8")


def security_headers(config: FrontendConfig) -> list[tuple[bytes, bytes]]:
    connect = " ".join(url for url in (config.service_url, config.sandbox_url) if url)
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {connect}; form-action 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    return [
        (b"content-security-policy", policy.encode()),
        (b"referrer-policy", b"no-referrer"),  # the URL can carry a token for a moment
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"cache-control", b"no-store"),
    ]


def create_frontend_app(config: FrontendConfig) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    page = render_page(config)
    assets = {path: (_read(path.lstrip("/")), kind) for path, kind in ASSETS.items()}
    headers = security_headers(config)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off; websockets are not served
            return
        path, method = scope["path"], scope["method"]
        path = ALIASES.get(path, path)
        if method not in ("GET", "HEAD"):
            status, body, kind = 405, b"method not allowed", "text/plain; charset=utf-8"
        elif path in PAGES:
            status, body, kind = 200, page, "text/html; charset=utf-8"
        elif path in assets:
            body, kind = assets[path]
            status = 200
        else:
            status, body, kind = 404, b"not found", "text/plain; charset=utf-8"
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind.encode()),
                        (b"content-length", str(len(body)).encode()), *headers],
        })
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    return app
