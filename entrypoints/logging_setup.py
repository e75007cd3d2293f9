"""Logging for `serve` and `demo`: one line per record, secrets masked, no uvicorn access log.

Two formats (`SIGNIN_LOG_FORMAT`): `text`, `2025-01-31T12:00:00Z INFO logger message`, and
`json`, one JSON object a line with `time`, `level`, `logger`, `message`, `correlation_id`
and, for a security event (entrypoints/web/events.py), the event's fields as fields.

The code never logs a token, code or state on purpose; the redaction here is defence in
depth against a library or an exception message that does. It masks JWT-looking strings,
bearer credentials, and the values of `code=`, `state=`, `access_token=`, `id_token=` (and
their kin) whether they appear in a URL, a form body or JSON.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import IO, Any

from entrypoints.correlation import CORRELATION

MASK = "[redacted]"
FORMATS = ("text", "json")
# The attribute a security event's fields ride on (`extra=`), for the JSON formatter.
EVENT_FIELDS = "security_event"
SECRET_PARAMETERS = (
    "code", "state", "session_state", "access_token", "id_token", "refresh_token",
    "client_secret", "code_verifier", "client_assertion", "password", "binding_secret",
    "token", "nonce",
)
_NAMES = "|".join(SECRET_PARAMETERS)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # three base64url segments, the first one a JSON header: a JWT (signed or not)
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"(?i)\b(bearer)\s+[^\s,;\"']+"), rf"\1 {MASK}"),
    # name='value' / name="value", as Python reprs print keyword fields
    (re.compile(rf"(?i)(?<![A-Za-z0-9_])({_NAMES})=(['\"])[^'\"]*\2"), rf"\1={MASK}"),
    # name=value in URLs and forms (not `error_code=`: only a whole parameter name matches)
    (re.compile(rf"(?i)(?<![A-Za-z0-9_])({_NAMES})=[^&\s\"'#,;)]*"), rf"\1={MASK}"),
    # "name": "value" in JSON and Python reprs
    (re.compile(rf"(?i)([\"'](?:{_NAMES})[\"']\s*:\s*)[\"'][^\"']*[\"']"), rf"\1'{MASK}'"),
)
# Loggers that would print request lines or query strings; the service's own access log
# (`azure_signin.access`) prints method, path and status only.
SILENCED = ("uvicorn.access",)
# Chatty libraries held to warnings unless the level asks for DEBUG (httpx logs every
# request URL, Alembic every plugin it loads).
QUIET = ("alembic", "httpx", "httpcore", "msal", "urllib3", "aiosqlite", "asyncio")
# Loggers that libraries give handlers of their own (Litestar's default logging config
# does); they are brought back to the root handler so every line is masked and alike.
ADOPTED = ("uvicorn", "uvicorn.error", "litestar")




def _may_hold_secret(text: str) -> bool:
    # Every pattern above needs one of these to match: "eyJ", "bearer" (any case), "=" or a
    # quote. Looking for them first lets the common line (an access line: method, path,
    # status, duration) skip the five substitutions, which cost about 40 µs a line.
    return ("=" in text or '"' in text or "'" in text or "eyJ" in text
            or "bearer" in text.lower())


def _substitute(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(text: str) -> str:
    """`text` with every secret-looking value masked."""
    return _substitute(text) if _may_hold_secret(text) else text


class RedactSecrets(logging.Filter):
    """Masks secrets in a record's message before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep its raw text, still masked
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        return True


class PlainFormatter(logging.Formatter):
    """`2025-01-31T12:00:00Z INFO azure_signin.web message`, tracebacks masked too."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        self.converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _redacted(v) for k, v in value.items()}
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object a line. Every string in it is masked like a text line (the values
    are masked one by one: masking the serialised line could break its quoting)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, EVENT_FIELDS, None)
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": CORRELATION.get(),
        }
        if isinstance(fields, dict):
            line["message"] = str(fields.get("event", line["message"]))
            line.update({k: v for k, v in fields.items() if k not in ("time", "level", "logger")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(_redacted(line), ensure_ascii=False, default=str)


def configure_logging(
    level: str = "INFO", stream: IO[str] | None = None, log_format: str = "text"
) -> logging.Handler:
    """Send every record to `stream` (stderr) through the redaction filter, as `text` or
    `json` lines; returns the handler. The process's logging becomes ours: other root
    handlers are removed. Call it again after building an app that configures logging itself."""
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else PlainFormatter())
    handler.addFilter(RedactSecrets())
    handler.set_name("azure-signin")
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Our lines print none of the caller, thread or process fields; not collecting them
    # saves about a third of a record's cost (the logging HOWTO's "Optimization" section).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    for name in ADOPTED:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)  # the root's level decides (uvicorn may set its own later)
        logger.propagate = True
        logger.disabled = False
    for name in QUIET:
        logging.getLogger(name).setLevel(level if level == "DEBUG" else "WARNING")
    for name in SILENCED:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = False
        logger.disabled = True
    return handler


def uvicorn_options(level: str) -> dict[str, Any]:
    """The uvicorn settings that keep its logging ours: no access log, no dictConfig."""
    known = ("critical", "error", "warning", "info", "debug", "trace")
    return {"access_log": False, "log_config": None,
            "log_level": level.lower() if level.lower() in known else None}
