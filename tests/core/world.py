"""The core wired to the in-memory adapters: one `World` per test."""
from __future__ import annotations

from dataclasses import dataclass, field

from dependency_injector import providers

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
from core.usecases.complete_signin import (
    CompleteSignInInput,
    PasswordResetStarted,
    SignedIn,
)
from core.usecases.start_login import LoginStarted, StartLoginInput
from entrypoints.container import Container
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
        """The use cases come from the service's own container (`entrypoints.container`),
        its adapter providers overridden with the in-memory ones: the tests exercise the
        wiring the service runs, not a copy of it."""
        uow = self.uow or self.db.unit_of_work
        self.flows = MemoryFlowStore(self.clock)
        self.cache: SessionCache = self.cache or MemorySessionCache(self.clock)
        self.tokens = MemoryTokenService(self.clock, self.ids)
        # scripted: the identities written here reach the core as written, even those no
        # correct profile reader would produce (a verified federated email, say)
        self.microsoft = FakeMicrosoft(self.clock, self.ids, redirect_uris=(REDIRECT_URI,), scripted=True)
        self.recent = LocalPrincipals()
        self.feed = MemoryRevocationFeed()
        container = self.container = Container()
        for name, adapter in {
            "policy": self.policy, "clock": self.clock, "ids": self.ids, "uow": uow,
            "flows": self.flows, "session_cache": self.cache, "tokens": self.tokens,
            "gateway": self.microsoft, "profiles": self.microsoft, "revocations": self.feed,
            "recent_principals": self.recent, "allowed_origins": ALLOWED_ORIGINS,
        }.items():
            getattr(container, name).override(providers.Object(adapter))
        self.record = container.record_signin()
        self.start = container.start_login()
        self.complete = container.complete_signin()
        self.authenticate = container.authenticate()
        self.revalidate = container.revalidate_session()
        self.sweep = container.sweep_sessions()
        self.frontchannel = container.frontchannel_logout()
        self.refresh = container.refresh_session()
        self.check_access = container.check_access()
        self.logout = container.logout()
        self.describe = container.describe_session()
        self.disable = container.disable_user()
        self.enable = container.enable_user()
        self.admin = container.administration()
        self.switch = container.switch_workspace()

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
