"""The demo frontend's static server and files: pages, assets, headers, and nothing loaded
from another origin."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib.resources import files
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from core.errors import ErrorCode
from entrypoints.demo.server import FrontendConfig, create_frontend_app

SERVICE = "http://localhost:18000"
ORIGIN = "http://localhost:13001"
CONFIG = FrontendConfig(service_url=SERVICE, origin=ORIGIN, providers=("aad", "b2c"))
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "poster", "data", "srcset", "background"}


def asset(name: str) -> str:
    return files("entrypoints.demo").joinpath(name).read_text()


@pytest.fixture
async def frontend():
    transport = httpx.ASGITransport(app=create_frontend_app(CONFIG))
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
        yield client


class Links(HTMLParser):
    """Every URL-bearing attribute and every element of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                self.urls.append((tag, name, value))


def parse(page: str) -> Links:
    links = Links()
    links.feed(page)
    return links


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme or parts.netloc else None


async def test_root_and_redirect_uri_answer_the_same_page(frontend):
    root = await frontend.get("/")
    for path in ("/redirect-uri", "/redirect-uri?uri=/workspace/1/home&access_token=a.b.c",
                 "/redirect-uri?error=cancelled"):
        answer = await frontend.get(path)
        assert answer.status_code == 200 and answer.text == root.text
        assert answer.headers["content-type"] == "text/html; charset=utf-8"


async def test_assets_are_served_and_anything_else_is_404(frontend):
    script, style = await frontend.get("/app.js"), await frontend.get("/style.css")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    icon = await frontend.get("/favicon.ico")  # what browsers ask for on their own
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.content == (await frontend.get("/favicon.svg")).content
    assert (await frontend.get("/favicon.png")).status_code == 404
    assert (await frontend.get("/../pyproject.toml")).status_code == 404
    assert (await frontend.post("/")).status_code == 405


async def test_there_is_a_sign_in_button_per_provider_pointing_at_the_service(frontend):
    page = parse((await frontend.get("/")).text)
    buttons = {a["data-provider"]: a["href"] for tag, a in page.tags if tag == "a" and "data-provider" in a}
    assert set(buttons) == {"aad", "b2c"}
    for provider, href in buttons.items():
        parts = urlsplit(href)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{SERVICE}/login/aad"
        assert parse_qs(parts.query) == {"frontendHost": [ORIGIN], "provider": [provider]}
    body = next(a for tag, a in page.tags if tag == "body")
    assert body["data-service"] == SERVICE and body["data-origin"] == ORIGIN


async def test_the_page_loads_nothing_from_another_origin(frontend):
    page = (await frontend.get("/")).text
    links = parse(page)
    assert links.urls, "the parser found no links at all"
    for tag, attribute, url in links.urls:
        if tag == "a" and attribute == "href":
            assert origin(url) in (None, SERVICE), url  # navigation: same origin or the service
        else:
            assert origin(url) is None and not url.startswith("//"), f"<{tag} {attribute}={url}>"
    scripts = [a for tag, a in links.tags if tag == "script"]
    assert scripts == [{"src": "/app.js", "defer": None}]  # no inline script, no other script
    assert not any(tag == "style" or "style" in a for tag, a in links.tags)  # no inline style
    assert [a.get("href") for tag, a in links.tags if tag == "link"] == ["/favicon.svg", "/style.css"]


def test_script_and_stylesheet_name_no_other_origin():
    script, style = asset("app.js"), asset("style.css")
    for text in (script, style):
        assert not re.search(r"(https?:)?//[a-z0-9.-]+[:/]", text.split("\n", 2)[-1], re.I)
    assert not re.search(r"\bimport\s*[({'\"]|importScripts|\beval\(|new Function", script)
    assert "@import" not in style and "url(" not in style
    # every call goes to an origin read from the page (the service's, or the sandbox's for
    # the trust probe), never a literal URL
    assert re.findall(r"fetch\(([^,)]*)", script) == ["base + path"]
    assert set(re.findall(r"(?<!function )\bcall\((\w+),", script)) == {"service", "sandbox"}


async def test_the_content_security_policy_allows_only_self_and_the_service(frontend):
    answer = await frontend.get("/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert f"connect-src {SERVICE};" in policy
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"


def test_every_error_code_is_explained_in_a_sentence():
    script = asset("app.js")
    for code in ErrorCode:
        found = re.search(rf"\b{code.value}: \"([^\"]+)\"", script)
        assert found and found.group(1).endswith("."), code.value


def test_the_redirect_page_removes_the_token_from_the_url():
    script = asset("app.js")
    assert "history.replaceState" in script
    for source in ('fragment.get("access_token")', 'query.get("access_token")', 'query.get("code")'):
        assert source in script
    assert '"/auth/token"' in script and '"/me"' in script and '"/logout"' in script
    assert "Authorization: \"Bearer \" + state.token" in script
    assert "localStorage" not in script and "document.cookie" not in script
    assert "sessionStorage.setItem(TOKEN_KEY, token)" in script  # a reload keeps the session


async def test_the_service_origin_is_escaped_into_the_page():
    config = FrontendConfig(service_url='http://localhost:1"><script>x()</script>', origin=ORIGIN)
    transport = httpx.ASGITransport(app=create_frontend_app(config))
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
        page = (await client.get("/")).text
    assert "<script>x()" not in page


async def test_the_sandbox_origin_is_named_in_the_page_and_the_policy():
    config = FrontendConfig(service_url=SERVICE, origin=ORIGIN, sandbox_url="https://localhost:18443")
    transport = httpx.ASGITransport(app=create_frontend_app(config))
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
        answer = await client.get("/")
    body = next(a for tag, a in parse(answer.text).tags if tag == "body")
    assert body["data-sandbox"] == "https://localhost:18443"
    assert f"connect-src {SERVICE} https://localhost:18443;" in answer.headers["content-security-policy"]
