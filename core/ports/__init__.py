"""Ports: what the core needs from the outside world, as `typing.Protocol`s of domain types."""
from core.ports.clock import Clock, IdGenerator
from core.ports.flows import FlowStore
from core.ports.handoff import HandoffCipher, TokenHandoff
from core.ports.microsoft import IdentityGateway, ProfileReader
from core.ports.principals import RecentPrincipals
from core.ports.repositories import (
    AccountRepository,
    AuditRepository,
    DirectoryRepository,
    InviteRepository,
    MembershipRepository,
    ProviderRepository,
    ResourceClientRepository,
    RoleMappingRepository,
    RoleRepository,
    SessionRepository,
    UserRepository,
    WorkspaceRepository,
)
from core.ports.revocations import Revocation, RevocationFeed
from core.ports.sessions import CachedSession, SessionCache
from core.ports.tokens import TokenIssuer, TokenVerifier
from core.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AccountRepository", "AuditRepository", "CachedSession", "Clock", "DirectoryRepository",
    "FlowStore", "HandoffCipher", "IdGenerator", "IdentityGateway", "InviteRepository",
    "MembershipRepository", "ProfileReader", "ProviderRepository", "RecentPrincipals",
    "ResourceClientRepository", "Revocation", "RevocationFeed", "RoleMappingRepository",
    "RoleRepository", "SessionCache",
    "SessionRepository", "TokenHandoff", "TokenIssuer", "TokenVerifier", "UnitOfWork", "UnitOfWorkFactory",
    "UserRepository", "WorkspaceRepository",
]
