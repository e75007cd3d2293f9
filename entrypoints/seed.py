"""The demo's data, seeded idempotently (running it twice changes nothing):

- workspaces 1 "Acme" and 2 "Globex" on the demo frontend's origin; roles owner/editor/viewer;
- accepted invites: alice@contoso.com to Acme as editor, bob@example.org to Acme as viewer;
  a pending (not accepted) invite of frank@fabrikam.com to Globex as owner;
- with `administered` (what `azure-signin demo` seeds): workspace 3 "Initech" and an
  accepted invite of alice as its owner (she still lands in Acme, the lowest id, and
  administers Initech in the frontend's Members view);
- identity providers for the B2C tenant's local accounts, for the Entra External ID tenant's
  local accounts (when that authority is configured) and for Google behind B2C (Azure AD
  tenants are registered on their first verified sign-in).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.model import ProviderKind
from core.usecases.administration import Administration
from entrypoints.local_providers import LOCAL_ACCOUNTS
from entrypoints.local_providers import authority_issuer as authority_issuer  # re-exported

WORKSPACES = (("Acme", 1), ("Globex", 2))
INVITES = (
    ("alice@contoso.com", 1, "editor", True),
    ("bob@example.org", 1, "viewer", True),
    ("frank@fabrikam.com", 2, "owner", False),
)
# `azure-signin demo` adds a workspace alice owns, for the frontend's Members view; the
# service-level tests seed without it, so their users keep exactly the roles above.
ADMINISTERED = (("Initech", 3),)
ADMINISTERED_INVITES = (("alice@contoso.com", 3, "owner", True),)


@dataclass(frozen=True)
class SeedReport:
    workspaces_added: int
    invites_added: int
    providers_added: int


async def seed_demo(
    admin: Administration,
    frontend_origin: str,
    b2c_issuer: str | None,
    external_issuer: str | None = None,
    *,
    administered: bool = False,
) -> SeedReport:
    """`administered`: also Initech, owned by alice (what `azure-signin demo` seeds)."""
    await admin.ensure_roles()
    workspaces = WORKSPACES + (ADMINISTERED if administered else ())
    have = {w.name for w in await admin.workspaces()}
    added_workspaces = 0
    for name, _ in workspaces:
        if name not in have:
            await admin.add_workspace(name, frontend_origin)
            added_workspaces += 1
    by_name = {w.name: w.id for w in await admin.workspaces()}
    ids = {number: by_name[name] for name, number in workspaces}
    existing = {(i.email, i.workspace_id) for i in await admin.invites()}
    added_invites = 0
    for email, number, role, accepted in INVITES + (ADMINISTERED_INVITES if administered else ()):
        if (email, ids[number]) not in existing:
            await admin.invite(email, ids[number], role, accepted=accepted)
            added_invites += 1
    wanted = [("Google (via B2C)", ProviderKind.SOCIAL, "google.com")]
    if b2c_issuer:
        wanted.insert(0, (LOCAL_ACCOUNTS["b2c"], ProviderKind.LOCAL, b2c_issuer))
    if external_issuer:
        wanted.insert(0, (LOCAL_ACCOUNTS["external"], ProviderKind.LOCAL, external_issuer))
    added_providers = 0
    for name, kind, issuer in wanted:
        # ensure_provider: the service's own start-up may be registering the same issuer
        _, added = await admin.ensure_provider(name, kind, issuer)
        added_providers += added
    return SeedReport(added_workspaces, added_invites, added_providers)
