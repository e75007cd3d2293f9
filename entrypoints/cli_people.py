"""`azure-signin provider|user ...`: identity providers and users.

    azure-signin provider list
    azure-signin provider add NAME --kind KIND --issuer ISSUER [--domain D ...] [--trusted]
    azure-signin user list
    azure-signin user disable EMAIL
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from core.model import IdentityProvider, ProviderKind
from entrypoints.cli_admin import Answer, command, json_flag

if TYPE_CHECKING:
    from entrypoints.container import Container

PROVIDER_COLUMNS = ("id", "name", "kind", "issuer", "domains", "trusted", "directory")


def _provider(p: IdentityProvider) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "kind": p.kind, "issuer": p.issuer, "domains": p.domains,
            "trusted": p.trusted, "directory": p.directory_id}


async def list_providers(container: Container, args: argparse.Namespace) -> Answer:
    rows = [_provider(p) for p in await container.administration().providers()]
    return Answer(rows, PROVIDER_COLUMNS)


async def add_provider(container: Container, args: argparse.Namespace) -> Answer:
    provider = await container.administration().add_provider(
        args.name, ProviderKind(args.kind), args.issuer, domains=args.domain or (), trusted=args.trusted
    )
    return Answer([_provider(provider)], PROVIDER_COLUMNS, single=True)


async def list_users(container: Container, args: argparse.Namespace) -> Answer:
    rows = [
        {"id": u.id, "email": u.email or u.display_email, "verified": u.email_verified,
         "name": u.display_name, "disabled": u.disabled, "created": u.created_at}
        for u in await container.administration().users()
    ]
    return Answer(rows, ("id", "email", "verified", "name", "disabled", "created"))


async def disable_user(container: Container, args: argparse.Namespace) -> Answer:
    done = await container.disable_user()(args.user)
    note = f"user {done.user_id} disabled; {done.sessions_revoked} open session(s) revoked"
    row = {"user": done.user_id, "disabled": True, "sessions_revoked": done.sessions_revoked}
    return Answer([row], (), note=note, single=True)


def register(subparsers: Any) -> None:
    out = [json_flag()]
    provider = subparsers.add_parser("provider", help="identity providers (how people authenticate)")
    actions = provider.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("list", parents=out, help="list the identity providers")
    p.set_defaults(handler=command(list_providers))
    p = actions.add_parser("add", parents=out, help="register an identity provider")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--kind", required=True, choices=[k.value for k in ProviderKind])
    p.add_argument("--issuer", required=True,
                   help="token issuer (Azure AD tenant, B2C local accounts) or B2C `idp` name")
    p.add_argument("--domain", action="append", metavar="D",
                   help="an email domain of this provider (repeatable)")
    p.add_argument("--trusted", action="store_true",
                   help="the provider vouches for addresses in its own domains")
    p.set_defaults(handler=command(add_provider))

    user = subparsers.add_parser("user", help="users")
    actions = user.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("list", parents=out, help="list the users")
    p.set_defaults(handler=command(list_users))
    p = actions.add_parser("disable", parents=out,
                           help="disable a user and revoke every open session at once")
    p.add_argument("user", metavar="EMAIL", help="the user's verified email address (or user id)")
    p.set_defaults(handler=command(disable_user))
