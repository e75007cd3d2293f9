"""The three forms `SIGNIN_REDIS_URL` takes, parsed and checked before any connection.

- one server: `redis://[user:password@]host:port/db`, `rediss://…` (TLS), `unix:///path`,
  handed to redis-py as is;
- Redis Cluster: `redis+cluster://[user:password@]host:port[,host:port…]/` (`rediss+cluster`
  for TLS): the nodes are seeds only, the client learns the rest (and every failover) from
  the cluster itself; no database number (a cluster has only database 0);
- Sentinel: `redis+sentinel://[user:password@]host:port[,host:port…]/service/db`
  (`rediss+sentinel` for TLS to the data nodes): the hosts are the sentinels, `service` the
  name they monitor (`sentinel monitor <service> …`), `db` optional (default 0). The
  credentials are the data nodes'; add `?sentinel_auth=true` when the sentinels require the
  same ones.

Error messages name the part that is wrong and never echo the URL (it may hold a password).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, unquote

Mode = Literal["server", "cluster", "sentinel"]

_SERVER_SCHEMES = ("redis://", "rediss://", "unix://")
_HOST_PORT = re.compile(r"^(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9._-]+))(?::(?P<port>[0-9]+))?$")
_SERVICE = re.compile(r"^[A-Za-z0-9._-]+$")


class RedisUrlError(ValueError):
    """A `SIGNIN_REDIS_URL` that is not one of the accepted forms; the message is safe to show."""


@dataclass(frozen=True)
class RedisTarget:
    mode: Mode
    url: str = ""  # the whole URL, for `server`
    nodes: tuple[tuple[str, int], ...] = ()  # seeds (cluster) or sentinels
    service: str = ""  # sentinel only
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: bool = False
    sentinel_auth: bool = False


def parse_redis_url(url: str) -> RedisTarget:
    """The target `url` names; `RedisUrlError` saying what is wrong otherwise."""
    if url.startswith(_SERVER_SCHEMES):
        return RedisTarget(mode="server", url=url)
    scheme, sep, rest = url.partition("://")
    modes: dict[str, tuple[Mode, bool]] = {
        "redis+cluster": ("cluster", False), "rediss+cluster": ("cluster", True),
        "redis+sentinel": ("sentinel", False), "rediss+sentinel": ("sentinel", True),
    }
    if not sep or scheme.lower() not in modes:
        raise RedisUrlError(
            "must be redis://, rediss://, unix://, redis+cluster://host:port,host:port/ "
            "or redis+sentinel://host:port,host:port/service/db"
        )
    mode, tls = modes[scheme.lower()]
    rest, _, fragment = rest.partition("#")
    if fragment:
        raise RedisUrlError("a Redis URL has no #fragment")
    rest, _, query = rest.partition("?")
    location, slash, path = rest.partition("/")
    userinfo, at, hosts = location.rpartition("@")
    username, password = _credentials(userinfo) if at else (None, None)
    nodes = _nodes(hosts, mode)
    options = dict(parse_qsl(query, keep_blank_values=True))
    segments = [s for s in path.split("/") if s] if slash else []
    if mode == "cluster":
        if segments not in ([], ["0"]):
            raise RedisUrlError("a cluster has only database 0: end the URL with / (or /0)")
        if options:
            raise RedisUrlError(f"unknown option(s) for a cluster URL: {', '.join(sorted(options))}")
        return RedisTarget(mode="cluster", nodes=nodes, username=username, password=password, tls=tls)
    if not segments or len(segments) > 2:
        raise RedisUrlError("a sentinel URL ends with /service_name or /service_name/db")
    service = unquote(segments[0])
    if not _SERVICE.match(service):
        raise RedisUrlError("the sentinel service name may hold only letters, digits, '.', '_' and '-'")
    db = 0
    if len(segments) == 2:
        if not segments[1].isdigit():
            raise RedisUrlError("the database after the service name must be a whole number")
        db = int(segments[1])
    sentinel_auth = options.pop("sentinel_auth", "false").lower()
    if sentinel_auth not in ("true", "false", "1", "0", "yes", "no"):
        raise RedisUrlError("sentinel_auth must be true or false")
    if options:
        raise RedisUrlError(f"unknown option(s) for a sentinel URL: {', '.join(sorted(options))}")
    return RedisTarget(
        mode="sentinel", nodes=nodes, service=service, db=db, username=username,
        password=password, tls=tls, sentinel_auth=sentinel_auth in ("true", "1", "yes"),
    )


def _credentials(userinfo: str) -> tuple[str | None, str | None]:
    user, colon, password = userinfo.partition(":")
    if not colon:  # `redis+cluster://secret@host`: as redis-py reads a lone part, a password
        return None, unquote(user) or None
    return unquote(user) or None, unquote(password) or None


def _nodes(hosts: str, mode: Mode) -> tuple[tuple[str, int], ...]:
    what = "cluster node" if mode == "cluster" else "sentinel"
    default_port = 6379 if mode == "cluster" else 26379
    out: list[tuple[str, int]] = []
    for part in hosts.split(","):
        match = _HOST_PORT.match(part.strip())
        if match is None:
            raise RedisUrlError(f"each {what} must be host:port, separated by commas")
        port = int(match["port"]) if match["port"] else default_port
        if not 0 < port < 65536:
            raise RedisUrlError(f"a {what} port must be between 1 and 65535")
        out.append((match["ipv6"] or match["host"], port))
    return tuple(out)
