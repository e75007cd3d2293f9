"""What the OpenAPI document says each route answers, kept true to what it does
(tests/web/test_openapi_truth.py drives every route and compares).

- the error body is the service's own `{"error": code, "detail"?: text}` (`ErrorOut`),
  never Litestar's `{status_code, detail, extra}`: Litestar's own 4xx are answered in
  that shape too (app.py `_unexpected`);
- browser routes answer 302 (to Microsoft, or back to the frontend with `?error=`) and,
  when no trusted origin is known, a plain HTML page;
- every bearer route names the bearer scheme and its 401.

`finish_document` says what Litestar's per-route `responses` cannot: a 302 has no body,
one status may be answered in two media types (a page or JSON), and the 400 Litestar adds
to every route with parameters (its validation error, in its own shape) is the service's
`ErrorOut`.
"""
from __future__ import annotations

import msgspec
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIType, Reference, Schema


class ErrorOut(msgspec.Struct, omit_defaults=True):
    """Every JSON error of the service."""

    error: str
    detail: str | msgspec.UnsetType = msgspec.UNSET
    correlation_id: str | msgspec.UnsetType = msgspec.UNSET


def error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorOut, generate_examples=False, description=description)


def redirect(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=None, description=description)


def page(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=str, media_type="text/html", generate_examples=False,
                        description=description)


def codes(*names: str) -> str:
    return '`{"error": code}` with code one of: ' + ", ".join(f"`{n}`" for n in names)


BAD_PARAMETER = "a malformed parameter: " + codes("invalid_request") + " and a `detail`"
UNAVAILABLE = codes("temporarily_unavailable") + " (with `Retry-After`)"
NOT_SIGNED_IN = codes("invalid_token", "login_expired") + " (with `WWW-Authenticate: Bearer`)"
DISABLED = codes("account_disabled")

# (path, method, status) answered as an HTML page as well as JSON
HTML_TOO = {
    ("/login/aad", "get", "400"),
}


# Litestar documents a validation 400 for every route with parameters; these take theirs
# unconstrained (a logout must never fail on its frontendHost), so they never answer it.
NO_VALIDATION_ERROR = {("/logout", "get"), ("/logout", "post")}


def _litestar_shaped(media: OpenAPIMediaType) -> bool:
    schema = media.schema
    return isinstance(schema, Schema) and set(schema.properties or {}) >= {"status_code", "extra"}


def finish_document(document: OpenAPI) -> OpenAPI:
    """Make the generated document say what the service answers; returns `document`."""
    error_out = Reference(ref="#/components/schemas/ErrorOut")
    for path, item in (document.paths or {}).items():
        for method in ("get", "put", "post", "delete", "patch", "head"):
            operation = getattr(item, method, None)
            if operation is None or not operation.responses:
                continue
            if (path, method) in NO_VALIDATION_ERROR:
                operation.responses.pop("400", None)
            for status, response in operation.responses.items():
                if isinstance(response, Reference):
                    continue
                if status == "302" or method == "head":
                    response.content = None  # a redirect, and HEAD, have no body
                    continue
                content = dict(response.content or {})
                for media_type, media in list(content.items()):
                    if _litestar_shaped(media):
                        content[media_type] = OpenAPIMediaType(schema=error_out)
                        response.description = BAD_PARAMETER
                if (path, method, status) in HTML_TOO:
                    content["text/html"] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
                response.content = content or None
    return document
