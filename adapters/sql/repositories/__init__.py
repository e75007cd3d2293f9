"""The SQL repositories, one module per concern."""
from adapters.sql.repositories.audit import SqlAuditRepository
from adapters.sql.repositories.clients import SqlResourceClientRepository
from adapters.sql.repositories.directories import SqlDirectoryRepository, SqlProviderRepository
from adapters.sql.repositories.invites import SqlInviteRepository
from adapters.sql.repositories.sessions import SqlSessionRepository
from adapters.sql.repositories.users import SqlAccountRepository, SqlUserRepository
from adapters.sql.repositories.workspaces import (
    SqlMembershipRepository,
    SqlRoleMappingRepository,
    SqlRoleRepository,
    SqlWorkspaceRepository,
)

__all__ = [
    "SqlAccountRepository", "SqlAuditRepository", "SqlDirectoryRepository", "SqlInviteRepository",
    "SqlMembershipRepository", "SqlProviderRepository", "SqlResourceClientRepository",
    "SqlRoleMappingRepository", "SqlRoleRepository",
    "SqlSessionRepository", "SqlUserRepository", "SqlWorkspaceRepository",
]
