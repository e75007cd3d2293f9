"""`azure-signin provider|user ...`: identity providers and users.

    azure-signin provider list
    azure-signin provider add NAME --kind KIND --issuer ISSUER [--domain D ...] [--trusted]
    azure-signin provider map add PROVIDER (--app-role VALUE | --group OBJECT_ID) --workspace N --role R
    azure-signin provider map list [PROVIDER]
    azure-signin provider map remove MAPPING_ID
    azure-signin user list
    azure-signin user disable EMAIL
    azure-signin user enable EMAIL
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from core.model import IdentityProvider, MappingSource, ProviderKind, RoleMapping
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


MAPPING_COLUMNS = ("id", "provider", "source", "value", "workspace", "role")


def _mapping(m: RoleMapping) -> dict[str, Any]:
    return {"id": m.id, "provider": m.provider_id, "source": m.source, "value": m.value,
            "workspace": m.workspace_id, "role": m.role}


async def add_mapping(container: Container, args: argparse.Namespace) -> Answer:
    if args.app_role is not None:
        source, value = MappingSource.APP_ROLE, args.app_role
    else:
        source, value = MappingSource.GROUP, args.group
    made = await container.administration().add_role_mapping(
        args.provider, source, value, args.workspace, args.role
    )
    return Answer([_mapping(made)], MAPPING_COLUMNS, single=True,
                  note="applied at each sign-in of the provider's people from now on")


async def list_mappings(container: Container, args: argparse.Namespace) -> Answer:
    rows = [_mapping(m) for m in await container.administration().role_mappings(args.provider)]
    return Answer(rows, MAPPING_COLUMNS)


async def remove_mapping(container: Container, args: argparse.Namespace) -> Answer:
    await container.administration().remove_role_mapping(args.mapping)
    note = f"role mapping {args.mapping} removed; the roles it granted go at each person's next sign-in"
    return Answer([{"id": args.mapping, "removed": True}], (), note=note, single=True)


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


async def enable_user(container: Container, args: argparse.Namespace) -> Answer:
    done = await container.enable_user()(args.user)
    note = (f"user {done.user_id} enabled; they may sign in again" if done.was_disabled
            else f"user {done.user_id} was not disabled; nothing changed")
    row = {"user": done.user_id, "disabled": False, "was_disabled": done.was_disabled}
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
    p = actions.add_parser("map", help="map app roles and groups to workspace roles")
    maps = p.add_subparsers(dest="map_action", metavar="MAP_ACTION", required=True)
    m = maps.add_parser("add", parents=out, help="grant a workspace role for an app role or a group")
    m.add_argument("provider", metavar="PROVIDER", help="the provider's id, issuer or name")
    which = m.add_mutually_exclusive_group(required=True)
    which.add_argument("--app-role", metavar="VALUE", help="an app role value (the ID token's `roles`)")
    which.add_argument("--group", metavar="OBJECT_ID", help="a group's object id (the ID token's `groups`)")
    m.add_argument("--workspace", required=True, type=int, metavar="N")
    m.add_argument("--role", required=True, metavar="R")
    m.set_defaults(handler=command(add_mapping))
    m = maps.add_parser("list", parents=out, help="list role mappings (of one provider)")
    m.add_argument("provider", metavar="PROVIDER", nargs="?", help="the provider's id, issuer or name")
    m.set_defaults(handler=command(list_mappings))
    m = maps.add_parser("remove", parents=out, help="remove a role mapping")
    m.add_argument("mapping", metavar="MAPPING_ID")
    m.set_defaults(handler=command(remove_mapping))

    user = subparsers.add_parser("user", help="users")
    actions = user.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("list", parents=out, help="list the users")
    p.set_defaults(handler=command(list_users))
    p = actions.add_parser("disable", parents=out,
                           help="disable a user and revoke every open session at once")
    p.add_argument("user", metavar="EMAIL", help="the user's verified email address (or user id)")
    p.set_defaults(handler=command(disable_user))
    p = actions.add_parser("enable", parents=out,
                           help="enable a disabled user again (their revoked sessions stay revoked)")
    p.add_argument("user", metavar="EMAIL", help="the user's verified email address (or user id)")
    p.set_defaults(handler=command(enable_user))
