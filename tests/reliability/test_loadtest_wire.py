"""The load generator's own HTTP client (tests/loadtest/wire.py) reads answers as HTTP/1.1
frames them and keeps what a browser keeps: a `Content-Length` body, a chunked one, one
ended by the connection's close; a kept connection reused, and one the server closed
meanwhile replaced; a login's cookies sent back to every port of the host; a dead port an
error, never a hang. And the smoke's limits are twice the reference figures."""
from __future__ import annotations

import asyncio
import json

import pytest

from tests.loadtest.scenarios import smoke_limits
from tests.loadtest.wire import Browser, Client, WireError


class Server:
    """A scripted HTTP/1.1 server: each connection answers its requests with `answers` in turn."""

    def __init__(self, answers: list[bytes], close_after: int | None = None) -> None:
        self.answers = answers
        self.close_after = close_after
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length) if length else b""
                self.requests.append(head + body)
                writer.write(self.answers[min(len(self.requests) - 1, len(self.answers) - 1)])
                await writer.drain()
                served += 1
                if self.close_after is not None and served >= self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"


async def test_bodies_by_length_and_by_chunks_on_one_kept_connection() -> None:
    server = Server([OK, CHUNKED, b"HTTP/1.1 204 No Content\r\n\r\n", OK])
    async with server as base:
        client = Client()
        texts = [(await client.get(f"{base}/{n}")).text for n in range(4)]
        await client.aclose()
    assert texts == ["hello", "hello", "", "hello"]
    assert server.connections == 1  # kept alive throughout


async def test_a_body_ended_by_close_and_a_kept_connection_the_server_closed() -> None:
    server = Server([b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"], close_after=1)
    async with server as base:
        client = Client()
        first = await client.post(f"{base}/a", data={"x": "1"})
        await asyncio.sleep(0.05)  # the server has closed the kept connection by now
        second = await client.get(f"{base}/b")
        await client.aclose()
    assert first.text == second.text == "hello"
    assert server.connections == 2
    assert server.requests[0].endswith(b"\r\n\r\nx=1")

    closing = Server([b"HTTP/1.0 200 OK\r\n\r\nto the end"], close_after=1)
    async with closing as base:
        client = Client()
        assert (await client.get(base)).text == "to the end"
        await client.aclose()


async def test_a_browser_sends_its_cookies_to_every_port_and_forgets_expired_ones() -> None:
    setting = Server([
        b"HTTP/1.1 302 Found\r\nSet-Cookie: flow=abc; Path=/; HttpOnly\r\n"
        b"Set-Cookie: gone=x\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n",
    ])
    reading = Server([b"HTTP/1.1 200 OK\r\nSet-Cookie: gone=; Max-Age=0\r\nContent-Length: 0\r\n\r\n"])
    async with setting as one, reading as other:
        client = Client()
        browser = Browser(client)
        answer = await browser.get(f"{one}/start", params={"frontendHost": "http://localhost:3001"})
        assert answer.status_code == 302 and answer.headers["location"] == "/next"
        await browser.get(f"{other}/finish")
        await browser.get(f"{other}/again")
        await client.aclose()
    assert b"GET /start?frontendHost=http%3A%2F%2Flocalhost%3A3001 HTTP/1.1" in setting.requests[0]
    assert b"Cookie: flow=abc; gone=x\r\n" in reading.requests[0]
    assert b"Cookie: flow=abc\r\n" in reading.requests[1]


async def test_a_dead_port_or_a_silent_server_is_an_error_not_a_hang() -> None:
    async with Server([OK]) as base:
        pass  # closed: nobody listens there now
    with pytest.raises(WireError):
        await Client(timeout=2).get(base)

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(WireError):
            await Client(timeout=0.3).get(f"http://127.0.0.1:{port}/")
    finally:
        server.close()


def test_the_smokes_limits_are_twice_the_reference_figures(tmp_path) -> None:
    reference = tmp_path / "reference.json"
    reference.write_text(json.dumps({
        "G1": {"redirect_p95_ms": 300.0}, "G2": {"verify_p95_ms": 1.0, "me_p95_ms": 1.0},
        "G4": {"verify_p95_ms": 8.0, "me_p95_ms": 11.0},
    }))
    assert smoke_limits(reference) == {"redirect": 600.0, "verify": 16.0, "me": 22.0}
    shipped = smoke_limits()  # the committed reference: every limit a positive number
    assert set(shipped) == {"redirect", "verify", "me"} and all(v > 0 for v in shipped.values())
