"""The container: the one place where adapters are chosen (from settings) and use cases are
assembled. Tests override providers (`container.gateway.override(...)`) instead of patching
settings. Building the container connects to nothing: clients that belong to an event loop
(database pools, Redis, httpx) are created lazily inside the loop that uses them. Each
factory registers on the `lifecycle` how to check, warm up and close what it built;
`entrypoints.lifecycle.start`/`stop` run those for every entrypoint.

Providers are typed to the ports they stand for (`providers.Singleton[FlowStore]`): an
override must be a `FlowStore`, whichever adapter it is.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING

from dependency_injector import containers, providers

from adapters.crypto import AeadHandoffCipher
from adapters.jwt.keys import KeySet, load_or_create_key
from adapters.jwt.service import JwtTokenService
from adapters.memory import MemoryFlowStore, MemorySessionCache, RandomIds, SystemClock
from adapters.memory.handoff import MemoryTokenHandoff
from adapters.memory.principals import LocalPrincipals
from adapters.memory.revocations import MemoryRevocationFeed
from adapters.memory.verified import RememberingVerifier
from adapters.sql.crypto import load_or_create_key_file
from adapters.sql.database import SqlDatabase
from adapters.sql.engine import watch_pool
from core.policy import DEFAULT_CONSUMER_DOMAINS, SignInPolicy
from core.ports import (
    Clock,
    FlowStore,
    HandoffCipher,
    IdentityGateway,
    IdGenerator,
    ProfileReader,
    RecentPrincipals,
    RevocationFeed,
    SessionCache,
    TokenHandoff,
    UnitOfWorkFactory,
)
from core.usecases.administration import Administration
from core.usecases.authenticate import Authenticate
from core.usecases.check_access import CheckAccess
from core.usecases.clients import ResourceClients
from core.usecases.complete_signin import CompleteSignIn
from core.usecases.handoff import IssueHandoffCode, RedeemHandoffCode
from core.usecases.introspect import Introspect
from core.usecases.invites import AcceptInvite, CreateInvite, ListInvites, RevokeInvite
from core.usecases.members import ChangeMemberRole, ListMembers, RemoveMember
from core.usecases.record_signin import RecordSignIn
from core.usecases.revalidation import FrontChannelLogout, RevalidateSession, SweepSessions
from core.usecases.session_changes import Logout, RefreshSession
from core.usecases.start_login import StartLogin
from core.usecases.users import DescribeSession, DisableUser, EnableUser
from core.usecases.workspaces import (
    CreateWorkspace,
    ListAudit,
    ListWorkspaces,
    SwitchWorkspace,
    UpdateWorkspace,
)
from entrypoints.lifecycle import Lifecycle
from entrypoints.metrics import Metrics
from entrypoints.settings import Settings
from entrypoints.tracing import tracer_provider
from entrypoints.web.events import SecurityLog
from entrypoints.web.ratelimit import HitCounter, LoginRateLimiter
from entrypoints.web.sweeper import SessionSweeper

if TYPE_CHECKING:  # the ports each adapter provider must satisfy (checked by mypy only)
    from adapters.microsoft import AuthorityConfig, DiscoveryCache, LazyAsyncClient
    from adapters.redis.connection import RedisConnector
    from core.ports.clock import Clock
    from core.ports.flows import FlowStore
    from core.ports.handoff import TokenHandoff
    from core.ports.microsoft import IdentityGateway, ProfileReader
    from core.ports.revocations import RevocationFeed
    from core.ports.sessions import SessionCache


def _policy(settings: Settings) -> SignInPolicy:
    return SignInPolicy(
        consumer_domains=frozenset(settings.consumer_domains) or DEFAULT_CONSUMER_DOMAINS,
        flow_lifetime=timedelta(seconds=settings.flow_lifetime),
        session_idle=timedelta(seconds=settings.session_idle_timeout),
        session_absolute=timedelta(seconds=settings.session_absolute_timeout),
        token_lifetime=timedelta(seconds=settings.token_lifetime),
        revalidate_interval=timedelta(seconds=settings.revalidate_interval),
        max_unconfirmed=timedelta(seconds=settings.revalidate_max_unconfirmed),
        revalidate_batch=settings.revalidate_batch,
        invite_lifetime=timedelta(seconds=settings.invite_lifetime),
        workspace_creators=settings.workspace_creators,
    )


def _token_key(settings: Settings) -> str:
    """Production names its key; the embedded default keeps a generated one under var/."""
    if settings.token_encryption_key:
        return settings.token_encryption_key
    return load_or_create_key_file(settings.data_dir / "token-encryption.key")


def _database(settings: Settings, token_key: str, metrics: Metrics, lifecycle: Lifecycle) -> SqlDatabase:
    timeout = settings.database_timeout
    database = SqlDatabase.from_url(
        settings.database_url,
        token_key=token_key,
        pool_size=settings.database_pool_size,
        pool_timeout=timeout,
        connect_timeout=timeout,
        statement_timeout=timeout,
        operation_timeout=timeout,  # the setting bounds a whole unit of work
    )
    watch_pool(database.engine, metrics.pool_changed)
    lifecycle.checks("database schema", database.check_schema)
    lifecycle.closes("database", database.dispose)
    return database


def _redis(settings: Settings, lifecycle: Lifecycle) -> RedisConnector | None:
    if not settings.redis_url:
        return None
    from adapters.redis.connection import RedisConnector

    timeout = settings.redis_timeout
    # the setting bounds a whole operation, redis-py's retries included
    redis = RedisConnector(
        settings.redis_url, socket_timeout=timeout, socket_connect_timeout=timeout, deadline=timeout
    )
    lifecycle.closes("redis", redis.close)
    return redis


def _flows(settings: Settings, clock: Clock, redis: RedisConnector | None) -> FlowStore:
    if redis is None:
        return MemoryFlowStore(clock)
    from adapters.redis.flows import RedisFlowStore

    return RedisFlowStore(redis, prefix="signin:")


def _session_cache(clock: Clock, redis: RedisConnector | None) -> SessionCache:
    if redis is None:
        return MemorySessionCache(clock)
    from adapters.redis.sessions import RedisSessionCache

    return RedisSessionCache(redis, prefix="signin:")


def _handoff(clock: Clock, redis: RedisConnector | None) -> TokenHandoff:
    if redis is None:
        return MemoryTokenHandoff(clock)
    from adapters.redis.handoff import RedisTokenHandoff

    return RedisTokenHandoff(redis, prefix="signin:")


def _revocations(redis: RedisConnector | None) -> RevocationFeed:
    if redis is None:
        return MemoryRevocationFeed()
    from adapters.redis.revocations import RedisRevocationFeed

    return RedisRevocationFeed(redis, prefix="signin:")


def _hit_counter(redis: RedisConnector | None) -> HitCounter:
    if redis is None:
        from adapters.memory.ratelimit import MemoryHitCounter

        return MemoryHitCounter()
    from adapters.redis.ratelimit import RedisHitCounter

    return RedisHitCounter(redis, prefix="signin:")


def _keys(settings: Settings) -> KeySet:
    path = settings.jwt_private_key_file or load_or_create_key(settings.data_dir)
    return KeySet.load(path, settings.jwt_previous_public_key_files)


def _authority_configs(settings: Settings) -> tuple[AuthorityConfig, ...]:
    from adapters.microsoft import AuthorityConfig

    return tuple(
        AuthorityConfig(
            name=a.name,
            kind="b2c" if a.kind == "b2c" else "external" if a.kind == "external" else "aad",
            authority=a.authority,
            client_id=a.client_id,
            client_secret=a.client_secret,
            password_reset_policy=a.reset_policy,
            allowed_tenants=frozenset(a.allowed_tenants) or None,
            allow_personal_accounts=a.allow_personal_accounts,
            graph_authority=a.graph_authority,
        )
        for a in settings.authorities
    )


def _microsoft_http(settings: Settings, metrics: Metrics, lifecycle: Lifecycle) -> LazyAsyncClient:
    """The one HTTP client for Microsoft (discovery, keys, tokens, Graph, health checks)."""
    import httpx

    from adapters.microsoft import LazyAsyncClient

    http = LazyAsyncClient(
        ca_bundle=settings.ca_bundle,
        timeout=httpx.Timeout(settings.http_timeout),
        observe=metrics.microsoft_call,
    )
    lifecycle.closes("HTTP client", http.aclose)
    return http


def _discovery(http: LazyAsyncClient, clock: Clock) -> DiscoveryCache:
    from adapters.microsoft import DiscoveryCache

    return DiscoveryCache(http, clock)


def _gateway(
    settings: Settings,
    authorities: tuple[AuthorityConfig, ...],
    clock: Clock,
    http: LazyAsyncClient,
    discovery: DiscoveryCache,
    metrics: Metrics,
    lifecycle: Lifecycle,
) -> IdentityGateway:
    from adapters.msal import MsalGateway

    gateway = MsalGateway(
        authorities, ca_bundle=settings.ca_bundle, timeout=settings.http_timeout, clock=clock,
        http=http, discovery=discovery, observe=metrics.microsoft_call,
    )
    lifecycle.warms_up("Microsoft's discovery", gateway.warm_up)
    lifecycle.closes("identity gateway", gateway.aclose)
    return gateway


def _profiles(
    settings: Settings,
    authorities: tuple[AuthorityConfig, ...],
    clock: Clock,
    http: LazyAsyncClient,
    discovery: DiscoveryCache,
    lifecycle: Lifecycle,
) -> ProfileReader:
    from adapters.graph import GraphProfileReader

    reader = GraphProfileReader(
        authorities,
        base_url=settings.graph_url,
        ca_bundle=settings.ca_bundle,
        connect_timeout=settings.http_timeout,
        read_timeout=settings.http_timeout,
        clock=clock,
        # room for one polite retry after a short Retry-After, never a long wait
        time_budget=2 * settings.http_timeout,
        http=http,
        discovery=discovery,
    )
    lifecycle.closes("profile reader", reader.aclose)
    return reader


def _security_log(token_key: str, metrics: Metrics) -> SecurityLog:
    # Keyed by a secret every process shares, so one user's hash matches across processes
    # but cannot be recomputed from a known user id by someone reading the logs.
    return SecurityLog(hashlib.sha256(b"security-log:" + token_key.encode()).digest(), metrics)


class Container(containers.DeclarativeContainer):
    """Provider names are the service's vocabulary; `create_app` bridges them to Litestar."""

    settings = providers.Dependency(instance_of=Settings)
    lifecycle = providers.Singleton(Lifecycle)

    clock: providers.Provider[Clock] = providers.Singleton(SystemClock)
    ids: providers.Provider[IdGenerator] = providers.Singleton(RandomIds)
    policy = providers.Singleton(_policy, settings)

    metrics = providers.Singleton(Metrics)
    # None unless OTEL_EXPORTER_OTLP_ENDPOINT is set; tests override it with their own
    tracer_provider = providers.Singleton(lambda s: tracer_provider(s.otel_endpoint), settings)
    token_key = providers.Singleton(_token_key, settings)
    database = providers.Singleton(_database, settings, token_key, metrics, lifecycle)
    uow: providers.Provider[UnitOfWorkFactory] = providers.Callable(
        lambda db: db.unit_of_work, database
    )
    redis = providers.Singleton(_redis, settings, lifecycle)
    flows: providers.Provider[FlowStore] = providers.Singleton(_flows, settings, clock, redis)
    session_cache: providers.Provider[SessionCache] = providers.Singleton(_session_cache, clock, redis)
    handoff: providers.Provider[TokenHandoff] = providers.Singleton(_handoff, clock, redis)
    revocations: providers.Provider[RevocationFeed] = providers.Singleton(_revocations, redis)
    handoff_cipher: providers.Provider[HandoffCipher] = providers.Singleton(AeadHandoffCipher)

    keys = providers.Singleton(_keys, settings)
    tokens = providers.Singleton(
        lambda keys, settings, clock: JwtTokenService(
            keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience, clock=clock
        ),
        keys, settings, clock,
    )

    authorities = providers.Singleton(_authority_configs, settings)
    microsoft_http = providers.Singleton(_microsoft_http, settings, metrics, lifecycle)
    discovery = providers.Singleton(_discovery, microsoft_http, clock)
    gateway: providers.Provider[IdentityGateway] = providers.Singleton(
        _gateway, settings, authorities, clock, microsoft_http, discovery, metrics, lifecycle
    )
    profiles: providers.Provider[ProfileReader] = providers.Singleton(
        _profiles, settings, authorities, clock, microsoft_http, discovery, lifecycle
    )

    security_log = providers.Singleton(_security_log, token_key, metrics)
    hit_counter = providers.Singleton(_hit_counter, redis)
    rate_limiter = providers.Singleton(
        lambda settings, counter: LoginRateLimiter(settings.login_rate_limit, counter),
        settings, hit_counter,
    )

    allowed_origins: providers.Provider[tuple[str, ...]] = providers.Callable(
        lambda s: s.allowed_origins, settings
    )
    record_signin = providers.Factory(RecordSignIn, uow, clock, ids, policy)
    start_login = providers.Factory(StartLogin, flows, gateway, clock, ids, policy, allowed_origins)
    complete_signin = providers.Factory(
        CompleteSignIn, flows, gateway, profiles, record_signin, tokens, session_cache,
        clock, ids, policy, allowed_origins,
    )
    # In this process only, by design (core.ports.principals): never shared storage.
    recent_principals: providers.Provider[RecentPrincipals] = providers.Singleton(LocalPrincipals)
    authenticate = providers.Factory(Authenticate, tokens, session_cache, uow, clock)
    verifier = providers.Singleton(RememberingVerifier, tokens, clock)
    # singletons: the single flight of confirmations and the /me descriptions are per process
    check_access = providers.Singleton(
        CheckAccess, verifier, session_cache, recent_principals, uow, clock
    )
    resource_clients = providers.Factory(ResourceClients, uow, ids, clock)
    introspect = providers.Factory(Introspect, resource_clients, check_access)
    # a description serves only while its principal is the current one (under a second), so
    # a thousand sessions' worth covers the requests in flight at once; the default 10,000
    # kept a soak's dead descriptions, ~80 MB a process (docs/reliability.md, G4)
    describe_session = providers.Singleton(DescribeSession, uow, max_entries=1_000)
    revalidate_session = providers.Factory(
        RevalidateSession, uow, gateway, session_cache, clock, policy, recent_principals, revocations
    )
    refresh_session = providers.Factory(
        RefreshSession, authenticate, revalidate_session, uow, tokens, clock, ids, policy
    )
    sweep_sessions = providers.Factory(SweepSessions, uow, revalidate_session, clock, policy)
    sweeper = providers.Singleton(
        lambda sweep, log, settings: SessionSweeper(
            sweep, log, interval=settings.revalidate_interval
        ),
        sweep_sessions.provider, security_log, settings,
    )
    frontchannel_logout = providers.Factory(
        FrontChannelLogout, uow, session_cache, clock, recent_principals, revocations
    )
    logout = providers.Factory(
        Logout, authenticate, uow, session_cache, gateway, clock, recent_principals, revocations
    )
    disable_user = providers.Factory(
        DisableUser, uow, session_cache, clock, recent_principals, revocations
    )
    enable_user = providers.Factory(EnableUser, uow)
    administration = providers.Factory(Administration, uow, clock, ids, policy)
    create_workspace = providers.Factory(CreateWorkspace, uow, clock, ids, policy, allowed_origins)
    list_workspaces = providers.Factory(ListWorkspaces, uow)
    switch_workspace = providers.Factory(SwitchWorkspace, uow)
    update_workspace = providers.Factory(UpdateWorkspace, uow, clock, ids, allowed_origins)
    create_invite = providers.Factory(CreateInvite, uow, clock, ids, policy)
    list_invites = providers.Factory(ListInvites, uow, clock)
    revoke_invite = providers.Factory(RevokeInvite, uow, clock, ids)
    accept_invite = providers.Factory(AcceptInvite, uow, clock, ids, recent_principals)
    list_members = providers.Factory(ListMembers, uow)
    change_member = providers.Factory(ChangeMemberRole, uow, clock, ids, recent_principals)
    remove_member = providers.Factory(RemoveMember, uow, clock, ids, recent_principals)
    list_audit = providers.Factory(ListAudit, uow)
    issue_code = providers.Factory(IssueHandoffCode, handoff, handoff_cipher, ids)
    redeem_code = providers.Factory(RedeemHandoffCode, handoff, handoff_cipher)


def build_container(settings: Settings) -> Container:
    container = Container()
    container.settings.override(providers.Object(settings))
    return container
