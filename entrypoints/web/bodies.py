"""What a request body may be, checked once at the edge before any route sees it.

Litestar decodes a handler's body in several places (its JSON extractor, typed msgspec
decoding, form and multipart parsers), and some inputs escape them as a 500: a JSON value
nested a few thousand levels deep makes msgspec raise `RecursionError`. Rather than guard
each decoder, the edge reads the body (bounded), refuses what no route of this service can
mean, and hands the rest on unchanged. Every refusal is a `BodyRefused` with a 4xx status.

- at most `MAX_BODY_BYTES`, whatever the route (413, before the body is read when
  Content-Length says so);
- a non-empty body is JSON or an urlencoded form (415 otherwise), in UTF-8;
- JSON is strict RFC 8259 text: at most `MAX_JSON_DEPTH` levels, no duplicate member
  names, no NaN/Infinity, no number beyond what a float or `MAX_INT_DIGITS` digits hold;
- a form is made of urlencoded characters only (so it can never be read as JSON by a
  route that expects JSON), each name at most once (RFC 6749 §3.1), at most
  `MAX_FORM_FIELDS` fields.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
MAX_INT_DIGITS = 30
MAX_FORM_FIELDS = 64
_JSON_TYPES = re.compile(r"^application/(?:[a-z0-9.+-]+\+)?json$")
_FORM_TYPE = "application/x-www-form-urlencoded"
_FORM_CHARACTERS = re.compile(rb"^[A-Za-z0-9%+=&*._~-]*$")


class BodyRefused(Exception):
    """A body the service will not read; `status` is the 4xx to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """(`type/subtype` lowercased, parameters) of a Content-Type header value."""
    kind, _, rest = content_type.partition(";")
    params = {}
    for part in rest.split(";"):
        name, _, value = part.partition("=")
        if name.strip():
            params[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), params


def check_body(body: bytes, content_type: str | None) -> None:
    """Raise `BodyRefused` unless `body` is one the routes may decode."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyRefused(413, "request body too large")
    if not body:
        return
    kind, params = media_type(content_type or "")
    if params.get("charset", "utf-8") != "utf-8":
        raise BodyRefused(415, "request body must be UTF-8")
    if _JSON_TYPES.match(kind):
        _check_json(body)
    elif kind == _FORM_TYPE:
        _check_form(body)
    else:
        raise BodyRefused(415, "request body must be JSON or an urlencoded form")


def _check_json(body: bytes) -> None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefused(400, "JSON body is not UTF-8") from None
    if _nesting(text) > MAX_JSON_DEPTH:
        raise BodyRefused(400, "JSON body is nested too deeply")
    try:
        json.loads(
            text, object_pairs_hook=_unique_members, parse_constant=_no_constant,
            parse_int=_bounded_int, parse_float=_finite_float,
        )
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise BodyRefused(400, "JSON body is malformed") from None


def _nesting(text: str) -> int:
    """The deepest nesting of arrays and objects, strings skipped (linear, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("duplicate member name")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError("integer too long")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _check_form(body: bytes) -> None:
    if not _FORM_CHARACTERS.match(body):
        raise BodyRefused(400, "form body is not urlencoded")
    try:
        fields = parse_qsl(
            body.decode("ascii"), keep_blank_values=True, strict_parsing=True,
            encoding="utf-8", errors="strict", max_num_fields=MAX_FORM_FIELDS,
        )
    except (ValueError, UnicodeDecodeError):
        raise BodyRefused(400, "form body is malformed") from None
    names = [name for name, _ in fields]
    if len(set(names)) != len(names):
        raise BodyRefused(400, "a form field is repeated")
