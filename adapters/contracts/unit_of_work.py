"""The contract of `core.ports.unit_of_work.UnitOfWork` and its repositories."""

from __future__ import annotations

from adapters.contracts.uow_admin import WorkspaceAdminContract
from adapters.contracts.uow_clients import ResourceClientContract
from adapters.contracts.uow_people import DirectoryProviderContract, UserAccountContract
from adapters.contracts.uow_revalidation import SessionRevalidationContract
from adapters.contracts.uow_role_mappings import RoleMappingContract
from adapters.contracts.uow_transactions import ReadOnlyContract, TransactionContract
from adapters.contracts.uow_workspaces import InviteSessionContract, WorkspaceRoleContract


class UnitOfWorkContract(
    TransactionContract,
    ReadOnlyContract,
    UserAccountContract,
    DirectoryProviderContract,
    WorkspaceRoleContract,
    InviteSessionContract,
    SessionRevalidationContract,
    RoleMappingContract,
    WorkspaceAdminContract,
    ResourceClientContract,
):
    """Tests every `UnitOfWork` (with its ten repositories) must pass.

    Provide two fixtures: `uow_factory`, a `UnitOfWorkFactory` over an *empty* database
    of its own (workspace ids are expected to start at 1), and `row_counts()`, which
    returns the committed rows per table (`users`, `accounts`, `directories`, `providers`,
    `workspaces`, `roles`, `memberships`, `invites`, `sessions`, `role_mappings`, `clients`,
    `audit_events`) read out of band — not through a unit of work — so the suite can prove that
    nothing was written. Either may be
    async. Each part is a class of its own (`TransactionContract`, `UserAccountContract`,
    ...) should you want to run only some::

        class TestSqlUnitOfWork(UnitOfWorkContract):
            @pytest.fixture
            async def database(self, postgres_url):
                db = await SqlDatabase.create(postgres_url)   # fresh schema per test
                yield db
                await db.dispose()

            @pytest.fixture
            def uow_factory(self, database):
                return database.unit_of_work

            @pytest.fixture
            def row_counts(self, database):
                return database.row_counts   # SELECT count(*) per table, outside any unit
    """
