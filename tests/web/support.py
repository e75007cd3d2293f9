"""A browser for the web tests: follows the service's redirects, answers the sandbox's
authorize form by POST (as /work/shared/acceptance/signin.py does), keeps cookies."""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import asyncpg
import httpx

FRONTEND = "http://localhost:3001"
SERVICE = "http://localhost:8000"


@dataclass
class Landing:
    """Where a login ended: the final frontend URL (or the last answer), and the way there."""

    final: str | None = None
    status: int | None = None
    hops: list[str] = field(default_factory=list)
    callback: str | None = None
    last: httpx.Response | None = None

    def params(self) -> dict[str, str]:
        parts = urlsplit(self.final or "")
        found = {k: v[0] for k, v in parse_qs(parts.query).items()}
        found.update({k: v[0] for k, v in parse_qs(parts.fragment).items()})
        return found

    @property
    def token(self) -> str | None:
        return self.params().get("access_token")

    @property
    def error(self) -> str | None:
        return self.params().get("error")

    @property
    def uri(self) -> str | None:
        return self.params().get("uri")


class Browser:
    def __init__(self, client: Any, sandbox: Any, frontend: str = FRONTEND) -> None:
        self.client = client
        self.sandbox = sandbox
        self.frontend = frontend

    async def start(
        self, provider: str = "aad", frontend: str | None = None, **extra: str | None
    ) -> httpx.Response:
        """Start a login; a parameter given as None (e.g. `frontendHost=None`) is left out."""
        params = {"frontendHost": frontend or self.frontend, "provider": provider, **extra}
        sent = {k: v for k, v in params.items() if v is not None}
        return await self.client.get("/login/aad", params=sent, follow_redirects=False)

    async def login(
        self,
        username: str,
        provider: str = "aad",
        action: str = "signin",
        stop_at_callback: bool = False,
        **extra: str | None,
    ) -> Landing:
        landing = Landing()
        answer = await self.start(provider, **extra)
        for _ in range(8):
            landing.status, landing.last = answer.status_code, answer
            location = answer.headers.get("location")
            if answer.status_code != 302 or location is None:
                return landing
            landing.hops.append(location)
            if location.startswith(self.frontend):
                landing.final = location
                return landing
            if location.startswith(self.sandbox.base_url):
                reply = await asyncio.to_thread(self.sandbox.sign_in, location, username, action)
                action = "signin"  # a second authorize page (password reset) signs in
                landing.callback = "/redirect?" + urlencode(reply)
                if stop_at_callback:
                    return landing
                answer = await self.client.get(landing.callback, follow_redirects=False)
            else:
                return landing
        return landing

    async def me(self, token: str) -> httpx.Response:
        return await self.client.get("/me", headers={"Authorization": f"Bearer {token}"})


def roles_of(me: dict[str, Any]) -> dict[int, str]:
    return {m["workspaceId"]: m["role"] for m in me["memberships"]}


async def create_database(server_url: str) -> str:
    """A fresh PostgreSQL database of its own; returns its URL."""
    name = f"signin_t_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + "/" + name


async def drop_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
