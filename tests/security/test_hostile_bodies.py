"""A hostile body never reaches a 500 (issue 11 point 5): whatever the shape of a body, every
route that accepts one answers a 4xx and the log holds one line for it, never a traceback."""
from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entrypoints.web.bodies import MAX_BODY_BYTES
from tests.security.routes import body_routes

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _deep(n: int) -> bytes:
    return b'{"code":' * n + b'"x"' + b"}" * n


MALFORMED = [
    pytest.param(JSON, b"[" * 20000 + b"]" * 20000, 400, id="deep-array"),
    pytest.param(JSON, _deep(5000), 400, id="deep-object"),
    pytest.param(JSON, _deep(33), 400, id="just-too-deep"),
    pytest.param(JSON, b'{"code": "' + b"a" * (MAX_BODY_BYTES + 1) + b'"}', 413, id="huge"),
    pytest.param(JSON, b'{"code": "\xff\xfe"}', 400, id="invalid-utf8"),
    pytest.param(JSON, b'{"code": 1' + b"0" * 5000 + b"}", 400, id="number-too-big"),
    pytest.param(JSON, b'{"code": 1e999}', 400, id="float-overflow"),
    pytest.param(JSON, b'{"code": NaN}', 400, id="nan"),
    pytest.param(JSON, b'{"code": "a", "code": "b"}', 400, id="duplicate-keys"),
    pytest.param(JSON, b'{"code": ', 400, id="truncated"),
    pytest.param(JSON, b'["code"]', 400, id="wrong-type"),
    pytest.param(JSON + "; charset=latin-1", b'{"code": "x"}', 415, id="other-charset"),
    pytest.param("text/plain", b'{"code": "x"}', 415, id="text-plain"),
    pytest.param("multipart/form-data; boundary=x", b"--x\r\n", 415, id="multipart"),
    pytest.param(None, b'{"code": "x"}', 415, id="no-content-type"),
    pytest.param(FORM, b"code=a&code=b", 400, id="form-duplicate"),
    pytest.param(FORM, b'["=",' + b"[" * 5000 + b"]" * 5000 + b"]", 400, id="json-dressed-as-form"),
    pytest.param(FORM, b"code=%ff", 400, id="form-invalid-utf8"),
    pytest.param(FORM, b"code=x", 400, id="form-to-a-json-route"),
]


def _tracebacks(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.exc_info or "Traceback" in r.getMessage() or r.levelno >= logging.ERROR]


def _access_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "azure_signin.access"]


@pytest.mark.parametrize(("content_type", "body", "status"), MALFORMED)
async def test_malformed_body_on_the_token_exchange_is_a_4xx_with_one_log_line(
    service, caplog, content_type, body, status
):
    caplog.set_level(logging.DEBUG, logger="azure_signin")
    browser, _ = service
    headers = {"Content-Type": content_type} if content_type else {}
    answer = await browser.client.post("/auth/token", content=body, headers=headers)
    assert answer.status_code == status
    assert answer.json()["error"] == "invalid_request"
    assert "Traceback" not in answer.text
    assert not _tracebacks(caplog)
    assert len(_access_lines(caplog)) == 1


async def test_the_edge_hands_a_good_body_on_unchanged(make_service):
    async with make_service(SIGNIN_TOKEN_DELIVERY="code") as (browser, _):
        landing = await browser.login("alice@contoso.com", "aad")
        body = json.dumps({"code": landing.params()["code"]}, indent=2).encode()
        answer = await browser.client.post("/auth/token", content=body,
                                           headers={"Content-Type": "application/json; charset=UTF-8"})
    assert answer.status_code == 200 and answer.json()["token_type"] == "Bearer"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
_bodies = st.one_of(
    st.binary(max_size=300),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 3000).map(_deep),
    st.integers(10, 400).map(lambda n: b'{"code": 9' + b"9" * n + b"}"),
    st.binary(max_size=40).map(lambda raw: b'{"code": "' + raw + b'"}'),
    st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=4).map(
        lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode("utf-8", "surrogatepass")),
    st.sampled_from([b'{"code":"a","code":"b"}', b"code=a&code=b", b"", b"null", b"{}", b"[]",
                     b" ", b"\xef\xbb\xbf{}", b"Infinity", b"-0", b'"\\ud800"']),
    st.integers(MAX_BODY_BYTES - 2, MAX_BODY_BYTES + 2).map(lambda n: b"1" * n),
)
_content_types = st.sampled_from([
    None, JSON, FORM, "text/plain", "application/problem+json", "application/msgpack",
    "multipart/form-data; boundary=x", JSON + "; charset=utf-16", "APPLICATION/JSON",
    "application/json;;", "image/png", "*/*",
])


@pytest.mark.parametrize("authorised", [False, True], ids=["anonymous", "bearer"])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_generated_bodies_never_reach_a_5xx_or_a_traceback(service, caplog, authorised, data):
    caplog.set_level(logging.DEBUG, logger="azure_signin")
    browser, _ = service
    routes = body_routes(browser.client.app)
    assert ("POST", "/auth/token") in routes
    method, path = data.draw(st.sampled_from(routes), label="route")
    body = data.draw(_bodies, label="body")
    content_type = data.draw(_content_types, label="content type")
    headers = {"Content-Type": content_type} if content_type else {}
    if authorised:  # a token that looks right but names no session: refused, never a 5xx
        headers["Authorization"] = "Bearer eyJhbGciOiJFZERTQSJ9.eyJzaWQiOiIxIn0.c2ln"
    caplog.clear()
    answer = await browser.client.request(method, path, content=body, headers=headers,
                                          params={"frontendHost": "http://localhost:3001"})
    assert answer.status_code < 500, (answer.status_code, answer.text[:200])
    assert "Traceback" not in answer.text
    assert not _tracebacks(caplog)
    assert len(_access_lines(caplog)) == 1
