"""The API documentation at `/schema`, served whole by the service: Swagger UI's files come
from the `swagger-ui-py` distribution (which ships Swagger UI 5 and its Apache-2.0 licence,
served at `/schema/assets/LICENSE`), never from a CDN, so the page works without internet
and loads nothing from another origin.

Routes: `/schema` and `/schema/swagger` (Swagger UI, the spec inlined in the page),
`/schema/openapi.json` (the document), `/schema/assets/{file}` (a fixed list of files).
Litestar's other renderers (ReDoc, Scalar, Elements, RapiDoc) load their code and fonts
from CDNs, so they are not offered.
"""
from __future__ import annotations

from importlib.resources import files
from typing import Any

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, SwaggerRenderPlugin

ASSETS_PATH = "/schema/assets"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
    "LICENSE": "text/plain",
}


def _read(name: str) -> bytes:
    return files("swagger_ui").joinpath("static", name).read_bytes()


def render_plugins() -> list[OpenAPIRenderPlugin]:
    return [
        SwaggerRenderPlugin(
            path=["/", "/swagger"],
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        ),
        JsonRenderPlugin(),
    ]


_cache: dict[str, bytes] = {}


@get(f"{ASSETS_PATH}/{{name:str}}", include_in_schema=False)
async def asset(name: str) -> Response[Any]:
    """One of the documentation page's own files; anything else is a 404."""
    kind = ASSETS.get(name)
    if kind is None:
        raise NotFoundException()
    body = _cache.get(name)
    if body is None:
        body = _cache[name] = _read(name)
    return Response(content=body, media_type=kind,
                    headers={"Cache-Control": "public, max-age=86400"})
