"""`/schema` works without internet (issue 13): every script, style, icon and font its pages
load is the service's own, same-origin, and answers 200; nothing names a CDN."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.web.support import SERVICE

PAGES = ("/schema", "/schema/swagger")


class _Loads(HTMLParser):
    """Every URL a page makes the browser load: scripts, styles, icons, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "img", "iframe", "source") and found.get("src"):
            self.urls.append(found["src"] or "")
        if tag == "link" and found.get("href"):
            self.urls.append(found["href"] or "")


def _css_urls(css: str) -> list[str]:
    return [u.strip("'\"") for u in re.findall(r"url\(([^)]*)\)", css)] + re.findall(
        r"@import\s+['\"]([^'\"]+)", css)


@pytest.mark.parametrize("page", PAGES)
async def test_the_documentation_loads_only_its_own_files(service, page):
    browser, _ = service
    answer = await browser.client.get(page)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    parser = _Loads()
    parser.feed(answer.text)
    assert len(parser.urls) >= 4, parser.urls  # the stylesheet, two scripts, the icon
    for url in parser.urls:
        absolute = urljoin(SERVICE + page, url)
        assert urlsplit(absolute).netloc == urlsplit(SERVICE).netloc, url
        loaded = await browser.client.get(absolute.removeprefix(SERVICE))
        assert loaded.status_code == 200, url
        if url.endswith(".css"):
            for inner in _css_urls(loaded.text):
                assert inner.startswith("data:") or urlsplit(urljoin(absolute, inner)).netloc == \
                    urlsplit(SERVICE).netloc, inner
    assert "cdn." not in answer.text and "fonts.googleapis" not in answer.text


async def test_the_assets_are_a_fixed_list_with_their_licence(service):
    browser, _ = service
    licence = await browser.client.get("/schema/assets/LICENSE")
    assert licence.status_code == 200 and "Apache License" in licence.text
    for name in ("../__init__.py", "swagger-editor-bundle.js", "nothing"):
        assert (await browser.client.get(f"/schema/assets/{name}")).status_code == 404
    script = await browser.client.get("/schema/assets/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in script.text


async def test_the_document_itself_is_served(service):
    browser, _ = service
    answer = await browser.client.get("/schema/openapi.json")
    assert answer.status_code == 200 and answer.json()["openapi"].startswith("3.")
