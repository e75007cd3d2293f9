"""A lean HTTP/1.1 client for the load generator: keep-alive connections per origin on
asyncio streams, the request written in one call, the answer read by `Content-Length` (or
chunks, or to the end), a deadline per request.

Why not httpx: on this 2-core machine the generator shares the CPU with what it measures,
and httpx spent 25-29 ms of CPU per login at 64 concurrent logins (more than the service
itself), so the generator, not the service, set the pace of every saturation figure. This
client does what a browser's network stack does for these logins and nothing else: no
redirects followed, no cookie policy beyond what one login needs (`Browser`), no HTTP/2.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit


class WireError(Exception):
    """The request got no complete answer (refused, reset, timed out, malformed)."""


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    cookies: list[str]  # `name=value` of every Set-Cookie
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


@dataclass
class _Origin:
    host: str
    port: int
    tls: ssl.SSLContext | None
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = field(default_factory=list)


class Client:
    """Keep-alive connections to every origin it is asked for (at most `keep` idle each)."""

    def __init__(self, tls: ssl.SSLContext | None = None, timeout: float = 30, keep: int = 256) -> None:
        self._tls = tls
        self._timeout = timeout
        self._keep = keep
        self._origins: dict[tuple[str, str, int], _Origin] = {}

    def _origin(self, scheme: str, host: str, port: int) -> _Origin:
        key = (scheme, host, port)
        found = self._origins.get(key)
        if found is None:
            tls = (self._tls or ssl.create_default_context()) if scheme == "https" else None
            found = self._origins[key] = _Origin(host, port, tls)
        return found

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        port = parts.port or (443 if scheme == "https" else 80)
        host = parts.hostname or "127.0.0.1"
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if params:
            target += ("&" if parts.query else "?") + urlencode(params)
        body = b""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Accept: */*"]
        if data is not None:
            body = urlencode(data).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        elif json is not None:
            body = jsonlib.dumps(json).encode()
            lines.append("Content-Type: application/json")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        wire = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        origin = self._origin(scheme, host, port)
        try:
            async with asyncio.timeout(self._timeout):
                return await self._exchange(origin, wire, method == "HEAD")
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                TimeoutError, ValueError, ssl.SSLError) as error:
            raise WireError(f"{method} {parts.netloc}{parts.path}: {type(error).__name__}") from None

    async def _exchange(self, origin: _Origin, wire: bytes, head_only: bool) -> Answer:
        reused = bool(origin.idle)
        reader, writer = origin.idle.pop() if reused else await self._connect(origin)
        try:
            answer, keep = await _send(reader, writer, wire, head_only)
        except (OSError, asyncio.IncompleteReadError):
            writer.close()
            if not reused:
                raise
            # a kept connection the server closed meanwhile (as a browser does: once more)
            reader, writer = await self._connect(origin)
            try:
                answer, keep = await _send(reader, writer, wire, head_only)
            except BaseException:
                writer.close()
                raise
        except BaseException:
            writer.close()
            raise
        if keep and len(origin.idle) < self._keep:
            origin.idle.append((reader, writer))
        else:
            writer.close()
        return answer

    async def _connect(self, origin: _Origin) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if origin.tls is None:
            return await asyncio.open_connection(origin.host, origin.port, limit=1 << 20)
        return await asyncio.open_connection(
            origin.host, origin.port, ssl=origin.tls, server_hostname=origin.host, limit=1 << 20
        )

    async def get(self, url: str, **kwargs: object) -> Answer:
        return await self.request("GET", url, **kwargs)  # type: ignore[arg-type]

    async def post(self, url: str, **kwargs: object) -> Answer:
        return await self.request("POST", url, **kwargs)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        for origin in self._origins.values():
            for _, writer in origin.idle:
                writer.close()
            origin.idle.clear()


async def _send(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, wire: bytes, head_only: bool
) -> tuple[Answer, bool]:
    writer.write(wire)
    await writer.drain()
    return await _read_answer(reader, head_only)


async def _read_answer(reader: asyncio.StreamReader, head_only: bool) -> tuple[Answer, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    version, status, *_ = status_line.split(" ", 2)
    code = int(status)
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for line in header_lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = value
        if name == "set-cookie":
            cookies.append(value.split(";", 1)[0])
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if head_only or code in (204, 304) or 100 <= code < 200:
        return Answer(code, headers, cookies, b""), keep
    if "content-length" in headers:
        content = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers expected
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        content = b"".join(chunks)
    else:  # delimited by the end of the connection
        content, keep = await reader.read(), False
    return Answer(code, headers, cookies, content), keep


class Browser:
    """One login's browser: the cookies the service (or the peer) set, sent back to it on
    every later request of that login, whichever of its processes (ports) answers."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._cookies: dict[str, str] = {}

    async def get(self, url: str, params: Mapping[str, str] | None = None) -> Answer:
        jar = "; ".join(f"{k}={v}" for k, v in self._cookies.items())
        headers = {"Cookie": jar} if jar else None
        answer = await self._client.get(url, params=params, headers=headers)
        for cookie in answer.cookies:
            name, _, value = cookie.partition("=")
            if value:
                self._cookies[name] = value
            else:
                self._cookies.pop(name, None)
        return answer
