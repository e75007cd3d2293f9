"""The service's front door: `/` names where things are, `/favicon.ico` answers a
browser's automatic request with no content instead of an error."""
from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.metadata import package_version
from entrypoints.settings import Settings

DOCUMENTATION = "/schema"
OPENAPI = "/schema/openapi.json"


@get("/", summary="Where the documentation, health probes and keys are")
async def root(settings: Settings) -> Response[dict[str, Any]]:
    """A JSON index of the service's public URLs, built from `SIGNIN_PUBLIC_URL` (never
    from request headers)."""
    base = settings.public_url
    body = {
        "service": "azure-signin",
        "version": package_version(),
        "documentation": base + DOCUMENTATION,
        "openapi": base + OPENAPI,
        "health": {"live": base + "/health/live", "ready": base + "/health/ready"},
        "jwks": base + "/.well-known/jwks.json",
        "login": base + "/login/aad",
    }
    return Response(content=body)  # the edge's no-store, like every answer but the keys


@get("/favicon.ico", summary="No icon: an empty answer browsers keep for a day",
     status_code=HTTP_204_NO_CONTENT, include_in_schema=False)
async def favicon() -> Response[None]:
    return Response(content=None, status_code=HTTP_204_NO_CONTENT,
                    headers={"Cache-Control": "public, max-age=86400"})
