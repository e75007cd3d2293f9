"""`azure-signin workspace|role|invite ...`: workspaces, their roles and invitations.

    azure-signin workspace add NAME --host ORIGIN
    azure-signin workspace list
    azure-signin role list
    azure-signin invite add EMAIL --workspace ID --role NAME [--accepted]
    azure-signin invite list | accept ID | revoke ID
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from core.model import Invite, Workspace
from entrypoints.cli_admin import Answer, command, json_flag

if TYPE_CHECKING:
    from entrypoints.container import Container

WORKSPACE_COLUMNS = ("id", "name", "host")
INVITE_COLUMNS = ("id", "email", "workspace", "role", "status", "expires", "applied")


def _workspace(w: Workspace) -> dict[str, Any]:
    return {"id": w.id, "name": w.name, "host": w.frontend_host}


def _invite(i: Invite) -> dict[str, Any]:
    return {"id": i.id, "email": i.email, "workspace": i.workspace_id, "role": i.role,
            "status": i.status, "expires": i.expires_at, "applied": i.applied_at}


async def add_workspace(container: Container, args: argparse.Namespace) -> Answer:
    admin = container.administration()
    await admin.ensure_roles()  # a workspace is only useful with roles to invite to
    workspace = await admin.add_workspace(args.name, args.host)
    return Answer([_workspace(workspace)], WORKSPACE_COLUMNS, single=True)


async def list_workspaces(container: Container, args: argparse.Namespace) -> Answer:
    rows = [_workspace(w) for w in await container.administration().workspaces()]
    return Answer(rows, WORKSPACE_COLUMNS)


async def remove_workspace(container: Container, args: argparse.Namespace) -> Answer:
    removed = await container.administration().remove_workspace(args.id)
    return Answer([_workspace(removed)], WORKSPACE_COLUMNS, single=True)


async def list_roles(container: Container, args: argparse.Namespace) -> Answer:
    roles = await container.administration().roles()
    return Answer([{"id": r.id, "name": r.name, "rank": r.rank} for r in roles], ("id", "name", "rank"))


async def add_invite(container: Container, args: argparse.Namespace) -> Answer:
    admin = container.administration()
    await admin.ensure_roles()
    invite = await admin.invite(args.email, args.workspace, args.role, accepted=args.accepted)
    return Answer([_invite(invite)], INVITE_COLUMNS, single=True)


async def list_invites(container: Container, args: argparse.Namespace) -> Answer:
    return Answer([_invite(i) for i in await container.administration().invites()], INVITE_COLUMNS)


async def accept_invite(container: Container, args: argparse.Namespace) -> Answer:
    invite = await container.administration().accept_invite(args.id)
    return Answer([_invite(invite)], INVITE_COLUMNS, single=True)


async def revoke_invite(container: Container, args: argparse.Namespace) -> Answer:
    from core.rules.workspaces import Actor
    from entrypoints.cli_members import logged

    done = await container.revoke_invite()(Actor.operator(), None, args.id)
    logged(container, done.event)
    return Answer([_invite(done.invite)], INVITE_COLUMNS, single=True)


def _group(subparsers: Any, name: str, text: str) -> Any:
    parser = subparsers.add_parser(name, help=text, description=text)
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)


def register(subparsers: Any) -> None:
    out = [json_flag()]
    workspace = _group(subparsers, "workspace", "workspaces (tenants of the frontend application)")
    p = workspace.add_parser("add", parents=out, help="add a workspace")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--host", required=True, metavar="ORIGIN",
                   help="the frontend origin its users land on, e.g. https://app.example.com")
    p.set_defaults(handler=command(add_workspace))
    p = workspace.add_parser("list", parents=out, help="list the workspaces")
    p.set_defaults(handler=command(list_workspaces))
    p = workspace.add_parser("remove", parents=out,
                             help="delete a workspace with its memberships (its invites are never applied)")
    p.add_argument("id", type=int, metavar="ID", help="workspace id")
    p.set_defaults(handler=command(remove_workspace))

    role = _group(subparsers, "role", "roles (owner, editor, viewer)")
    p = role.add_parser("list", parents=out, help="list the roles")
    p.set_defaults(handler=command(list_roles))

    invite = _group(subparsers, "invite", "invitations of an email address to a workspace")
    p = invite.add_parser("add", parents=out, help="invite an address to a workspace with a role")
    p.add_argument("email", metavar="EMAIL")
    p.add_argument("--workspace", required=True, type=int, metavar="ID", help="workspace id")
    p.add_argument("--role", required=True, metavar="NAME", help="role name, e.g. editor")
    p.add_argument("--accepted", action="store_true",
                   help="already accepted: applied at the person's next trusted sign-in")
    p.set_defaults(handler=command(add_invite))
    p = invite.add_parser("list", parents=out, help="list the invites")
    p.set_defaults(handler=command(list_invites))
    for name, action, text in (("accept", accept_invite, "mark a pending invite accepted"),
                               ("revoke", revoke_invite, "revoke an invite (a membership it granted stays)")):
        p = invite.add_parser(name, parents=out, help=text)
        p.add_argument("id", metavar="ID", help="invite id (see `invite list`)")
        p.set_defaults(handler=command(action))
