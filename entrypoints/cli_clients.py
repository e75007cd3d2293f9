"""`azure-signin client ...`: resource servers allowed to introspect tokens.

    azure-signin client add NAME      # prints the client secret, once
    azure-signin client list
    azure-signin client remove NAME
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from entrypoints.cli_admin import Answer, command, json_flag

if TYPE_CHECKING:
    from entrypoints.container import Container


async def add_client(container: Container, args: argparse.Namespace) -> Answer:
    done = await container.resource_clients().add(args.name)
    row = {"client_id": done.client.id, "client_secret": done.secret, "created": done.client.created_at}
    note = ("Keep the secret now: it is shown only this once (only its hash is stored).\n"
            "Use it with HTTP Basic at POST /oauth2/introspect.")
    return Answer([row], ("client_id", "client_secret", "created"), note=note, single=True)


async def list_clients(container: Container, args: argparse.Namespace) -> Answer:
    rows = [{"client_id": c.id, "created": c.created_at} for c in await container.resource_clients().list()]
    return Answer(rows, ("client_id", "created"))


async def remove_client(container: Container, args: argparse.Namespace) -> Answer:
    await container.resource_clients().remove(args.name)
    row = {"client_id": args.name, "removed": True}
    return Answer([row], (), note=f"client {args.name} removed", single=True)


def register(subparsers: Any) -> None:
    out = [json_flag()]
    client = subparsers.add_parser("client", help="resource servers allowed to introspect tokens")
    actions = client.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("add", parents=out, help="register a client; prints its secret once")
    p.add_argument("name", metavar="NAME", help="the client id (letters, digits, '.', '_', '-')")
    p.set_defaults(handler=command(add_client))
    p = actions.add_parser("list", parents=out, help="list the clients (never their secrets)")
    p.set_defaults(handler=command(list_clients))
    p = actions.add_parser("remove", parents=out, help="remove a client; its secret stops working")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=command(remove_client))
