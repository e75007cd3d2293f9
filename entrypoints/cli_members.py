"""`azure-signin member|audit ...`: a workspace's members and its audit trail, through the
same use cases as the HTTP API, as the operator (every rule but the role checks applies:
a workspace keeps an owner; each change is an audit row and a security event).

    azure-signin member list --workspace ID
    azure-signin member set USER --workspace ID --role NAME
    azure-signin member remove USER --workspace ID
    azure-signin audit list [--workspace ID] [--limit N]
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from core.model import AuditEvent
from core.rules.workspaces import Actor
from entrypoints.cli_admin import Answer, command, json_flag

if TYPE_CHECKING:
    from entrypoints.container import Container

MEMBER_COLUMNS = ("user", "name", "email", "role", "since")
AUDIT_COLUMNS = ("at", "action", "workspace", "actor", "target", "details", "correlation")


def _audit(event: AuditEvent) -> dict[str, Any]:
    return {"id": event.id, "at": event.at, "action": event.action, "workspace": event.workspace_id,
            "actor": event.actor_id or "operator", "target": event.target,
            "details": " ".join(f"{k}={v}" for k, v in event.details), "correlation": event.correlation_id}


def logged(container: Container, event: AuditEvent | None) -> None:
    if event is not None:
        container.security_log().workspace_changed(event)


async def list_members(container: Container, args: argparse.Namespace) -> Answer:
    members = await container.list_members()(Actor.operator(), args.workspace)
    rows = [{"user": m.user_id, "name": m.display_name, "email": m.email, "role": m.role, "since": m.since}
            for m in members]
    return Answer(rows, MEMBER_COLUMNS)


async def set_member(container: Container, args: argparse.Namespace) -> Answer:
    user = await container.administration().find_user(args.user)
    done = await container.change_member()(Actor.operator(), args.workspace, user.id, args.role)
    logged(container, done.event)
    row = {"user": user.id, "workspace": args.workspace, "role": done.membership.role}
    return Answer([row], ("user", "workspace", "role"), single=True)


async def remove_member(container: Container, args: argparse.Namespace) -> Answer:
    user = await container.administration().find_user(args.user)
    done = await container.remove_member()(Actor.operator(), args.workspace, user.id)
    logged(container, done.event)
    row = {"user": user.id, "workspace": args.workspace, "invites_revoked": done.invites_revoked}
    return Answer([row], ("user", "workspace", "invites_revoked"), single=True)


async def list_audit(container: Container, args: argparse.Namespace) -> Answer:
    events = await container.list_audit()(Actor.operator(), args.workspace, args.limit)
    return Answer([_audit(e) for e in events], AUDIT_COLUMNS)


def register(subparsers: Any) -> None:
    out = [json_flag()]
    member = subparsers.add_parser("member", help="a workspace's members and their roles")
    actions = member.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("list", parents=out, help="list a workspace's members")
    p.add_argument("--workspace", required=True, type=int, metavar="ID")
    p.set_defaults(handler=command(list_members))
    p = actions.add_parser("set", parents=out, help="set a member's role")
    p.add_argument("user", metavar="USER", help="the member's verified email address (or user id)")
    p.add_argument("--workspace", required=True, type=int, metavar="ID")
    p.add_argument("--role", required=True, metavar="NAME")
    p.set_defaults(handler=command(set_member))
    p = actions.add_parser("remove", parents=out, help="remove a member from a workspace")
    p.add_argument("user", metavar="USER", help="the member's verified email address (or user id)")
    p.add_argument("--workspace", required=True, type=int, metavar="ID")
    p.set_defaults(handler=command(remove_member))

    audit = subparsers.add_parser("audit", help="the audit trail of workspace changes")
    actions = audit.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("list", parents=out, help="list audit events, newest first")
    p.add_argument("--workspace", type=int, metavar="ID", help="one workspace's (default: all)")
    p.add_argument("--limit", type=int, default=100, metavar="N", help="at most N events (default 100)")
    p.set_defaults(handler=command(list_audit))
