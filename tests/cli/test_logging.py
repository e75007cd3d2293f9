"""The logging of `serve` and `demo`: plain lines or JSON objects, secrets masked in both,
no uvicorn access log."""
from __future__ import annotations

import io
import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ErrorCode
from entrypoints.correlation import CORRELATION
from entrypoints.logging_setup import ADOPTED, FORMATS, QUIET, SILENCED, configure_logging, redact
from entrypoints.web.events import SecurityLog

JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1LTEiLCJzaWQiOiJzLTEifQ.c2lnbmF0dXJlLWJ5dGVz"


@pytest.fixture(params=FORMATS)
def log_format(request):
    return request.param


@pytest.fixture
def stream(log_format):
    loggers = [logging.getLogger(name or None) for name in ("", *ADOPTED, *QUIET, *SILENCED)]
    saved = [(lg, list(lg.handlers), lg.level, lg.propagate, lg.disabled) for lg in loggers]
    out = io.StringIO()
    configure_logging("INFO", out, log_format)
    yield out
    for logger, handlers, level, propagate, disabled in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


@pytest.mark.parametrize(
    "secret_text",
    [
        f"/redirect-uri?uri=/workspace/1/home#access_token={JWT}",
        "GET /redirect?code=0.AXoA-secret-code&state=abcSTATEdef",
        "token request body: grant_type=authorization_code&code=SECRETCODE&client_secret=SeCrEt",
        '{"access_token": "opaque-SECRET", "id_token": "opaque-SECRET", "refresh_token": "opaque-SECRET"}',
        "{'code': 'SECRETCODE', 'state': 'SECRETSTATE'}",
        "Authorization: Bearer opaque-SECRET",
        f"a bare token {JWT} in a message",
    ],
)
def test_secrets_are_masked(secret_text):
    masked = redact(secret_text)
    for secret in ("SECRET", "secret-code", JWT, "SeCrEt", "STATE"):
        assert secret not in masked
    assert "[redacted]" in masked


def test_harmless_text_is_left_alone():
    text = "login_failed error_code=cancelled status=302 path=/redirect"
    assert redact(text) == text


def _lines(stream, log_format):
    text = stream.getvalue()
    if log_format == "text":
        return text.splitlines()
    return [json.loads(line) for line in text.splitlines()]  # every line is one JSON object


def test_log_lines_are_masked(stream, log_format):
    logging.getLogger("azure_signin.web").info("callback %s", "/redirect?code=abc&state=def")
    [line] = _lines(stream, log_format)
    masked = "callback /redirect?code=[redacted]&state=[redacted]"
    if log_format == "text":
        assert line.endswith(f"INFO azure_signin.web {masked}")
    else:
        assert line["message"] == masked
        assert (line["level"], line["logger"], line["correlation_id"]) == ("INFO", "azure_signin.web", "-")
        assert line["time"].endswith("Z") and "T" in line["time"]


def test_a_json_line_names_the_requests_correlation_id(stream, log_format):
    reset = CORRELATION.set("af45484d405d9b95")
    try:
        logging.getLogger("azure_signin.access").info("GET /me 200 0.5ms [af45484d405d9b95]")
    finally:
        CORRELATION.reset(reset)
    [line] = _lines(stream, log_format)
    if log_format == "json":
        assert line["correlation_id"] == "af45484d405d9b95"
    else:
        assert line.endswith("[af45484d405d9b95]")


def test_security_events_are_fields_in_json_and_masked_in_both(stream, log_format):
    log = SecurityLog(b"pepper")
    log.login_succeeded("user-1", "session-1", "c0ffee", authority="aad")
    # a route is request text: were it to carry a secret, it is masked in the field too
    log.token_refused(ErrorCode.INVALID_TOKEN, "c0ffee", f"/auth/verify?token={JWT}&code=SECRETCODE")
    first, second = _lines(stream, log_format)
    text = stream.getvalue()
    assert JWT not in text and "SECRETCODE" not in text and "user-1" not in text
    if log_format == "text":
        assert '"event": "login_succeeded"' in first
        return
    assert first["message"] == "login_succeeded" and first["event"] == "login_succeeded"
    assert first["correlation_id"] == "c0ffee" and first["authority"] == "aad"
    assert len(first["user"]) == 16 and first["logger"] == "azure_signin.security"
    assert second["reason"] == "invalid_token" and "[redacted]" in second["route"]


def test_tracebacks_are_masked_too(stream, log_format):
    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        logging.getLogger("azure_signin.web").exception("failed")
    assert JWT not in stream.getvalue() and "ValueError: bad token [redacted]" in stream.getvalue()
    if log_format == "json":
        [line] = _lines(stream, log_format)
        assert line["message"] == "failed" and "ValueError: bad token [redacted]" in line["exception"]


def test_uvicorn_access_log_is_off_and_its_error_log_is_ours(stream, log_format):
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /redirect?code=x HTTP/1.1" 302')
    logging.getLogger("uvicorn.error").info("Started server process [1]")
    assert stream.getvalue().count("\n") == 1 and "Started server process" in stream.getvalue()
    assert "code=x" not in stream.getvalue()


def test_reprs_of_keyword_fields_are_masked_whole():
    text = redact("LoginStarted(state='st4te', binding_secret=\"b1nd\", token='tok3n', nonce='n0nce')")
    for secret in ("st4te", "b1nd", "tok3n", "n0nce"):
        assert secret not in text


_ALPHABET = "abcdeyJAB=\"' :&?/#.-_0123456789BearerTOKENcodestatenonce"


@given(st.text(alphabet=_ALPHABET, max_size=80) | st.text(max_size=40))
@settings(max_examples=400, deadline=None)
def test_the_quick_path_masks_exactly_what_the_full_substitution_masks(text):
    # the precheck that lets plain lines skip the regexes must never skip a secret
    from entrypoints.logging_setup import _substitute
    assert redact(text) == _substitute(text)


def test_an_access_line_costs_no_substitution():
    line = "GET /workspaces/1/notes 200 0.5ms [af45484d405d9b95]"
    assert redact(line) is line
