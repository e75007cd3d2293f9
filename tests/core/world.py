"""The core wired to the in-memory adapters: one `World` per test."""
from __future__ import annotations

from dataclasses import dataclass, field

from adapters.memory import (
    FakeMicrosoft,
    ManualClock,
    MemoryDatabase,
    MemoryFlowStore,
    MemorySessionCache,
    MemoryTokenService,
    SequentialIds,
)
from adapters.memory.principals import LocalPrincipals
from adapters.memory.revocations import MemoryRevocationFeed
from core.identity import ExternalIdentity
from core.model import ProviderKind
from core.policy import SignInPolicy
from core.ports import SessionCache, UnitOfWorkFactory
from core.usecases.administration import Administration
from core.usecases.authenticate import Authenticate
from core.usecases.check_access import CheckAccess
from core.usecases.complete_signin import (
    CompleteSignIn,
    CompleteSignInInput,
    PasswordResetStarted,
    SignedIn,
)
from core.usecases.record_signin import RecordSignIn
from core.usecases.revalidation import FrontChannelLogout, RevalidateSession, SweepSessions
from core.usecases.session_changes import Logout, RefreshSession
from core.usecases.start_login import LoginStarted, StartLogin, StartLoginInput
from core.usecases.users import DescribeSession, DisableUser
from tests.core.builders import B2C_ISSUER

REDIRECT_URI = "https://signin.contoso.com/redirect"
FRONTEND = "https://app.contoso.com"
ALLOWED_ORIGINS = (FRONTEND, "http://localhost:3001")


@dataclass
class World:
    policy: SignInPolicy = field(default_factory=SignInPolicy)
    clock: ManualClock = field(default_factory=ManualClock)
    ids: SequentialIds = field(default_factory=SequentialIds)
    db: MemoryDatabase = field(default_factory=MemoryDatabase)
    uow: UnitOfWorkFactory | None = None  # None: the database's own units of work
    cache: SessionCache | None = None       # None: a MemorySessionCache on the clock

    def __post_init__(self) -> None:
        uow = self.uow or self.db.unit_of_work
        self.flows = MemoryFlowStore(self.clock)
        self.cache: SessionCache = self.cache or MemorySessionCache(self.clock)
        self.tokens = MemoryTokenService(self.clock, self.ids)
        # scripted: the identities written here reach the core as written, even those no
        # correct profile reader would produce (a verified federated email, say)
        self.microsoft = FakeMicrosoft(self.clock, self.ids, redirect_uris=(REDIRECT_URI,), scripted=True)
        self.record = RecordSignIn(uow, self.clock, self.ids, self.policy)
        self.start = StartLogin(
            self.flows, self.microsoft, self.clock, self.ids, self.policy, ALLOWED_ORIGINS
        )
        self.complete = CompleteSignIn(
            self.flows, self.microsoft, self.microsoft, self.record, self.tokens, self.cache,
            self.clock, self.ids, self.policy,
        )
        self.authenticate = Authenticate(self.tokens, self.cache, uow, self.clock)
        self.recent = LocalPrincipals()
        self.feed = MemoryRevocationFeed()
        self.revalidate = RevalidateSession(
            uow, self.microsoft, self.cache, self.clock, self.policy, self.recent, self.feed
        )
        self.sweep = SweepSessions(uow, self.revalidate, self.clock, self.policy)
        self.frontchannel = FrontChannelLogout(uow, self.cache, self.clock, self.recent, self.feed)
        self.refresh = RefreshSession(
            self.authenticate, self.revalidate, uow, self.tokens, self.clock, self.ids, self.policy
        )
        self.check_access = CheckAccess(self.tokens, self.cache, self.recent, uow, self.clock)
        self.logout = Logout(
            self.authenticate, uow, self.cache, self.microsoft, self.clock, self.recent, self.feed
        )
        self.describe = DescribeSession(uow)
        self.disable = DisableUser(uow, self.cache, self.clock, self.recent, self.feed)
        self.admin = Administration(uow, self.clock, self.ids, self.policy)

    # -- set-up ---------------------------------------------------------------------------
    async def standard_setup(self) -> None:
        """Roles, two workspaces, the B2C local-account provider and Google behind B2C."""
        await self.admin.ensure_roles()
        await self.admin.add_workspace("Contoso", FRONTEND)
        await self.admin.add_workspace("Fabrikam", "https://app.fabrikam.com")
        await self.admin.add_provider("Local accounts", ProviderKind.LOCAL, B2C_ISSUER)
        await self.admin.add_provider("Google", ProviderKind.SOCIAL, "google.com", domains=["gmail.com"])

    # -- the browser's journey --------------------------------------------------------------
    async def begin(self, frontend_host: str | None = FRONTEND, return_path: str | None = None,
                    authority: str | None = None) -> tuple[LoginStarted, str]:
        started = await self.start(StartLoginInput(REDIRECT_URI, frontend_host, return_path, authority))
        return started, started.state

    async def finish(self, started: LoginStarted, reply: dict[str, str],
                     binding_secret: str | None = None) -> SignedIn | PasswordResetStarted:
        secret = started.binding_secret if binding_secret is None else binding_secret
        return await self.complete(CompleteSignInInput(reply, secret, REDIRECT_URI))

    @staticmethod
    def username(identity: ExternalIdentity) -> str:
        """The fake Microsoft's name for `identity` (what `login` registers it under)."""
        return f"{identity.issuer}|{identity.object_id}"

    async def login(self, identity: ExternalIdentity, **begin: str | None) -> SignedIn:
        username = self.username(identity)
        self.microsoft.add_user(username, identity)
        started, state = await self.begin(**begin)
        done = await self.finish(started, self.microsoft.reply_for(state, username))
        assert isinstance(done, SignedIn)
        return done

    def rows(self) -> dict[str, int]:
        return self.db.row_counts()
