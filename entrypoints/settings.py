"""Settings: environment variables prefixed `SIGNIN_` (declared in `settings_table`), read
once by the app factory and passed down. A missing or malformed value raises
`SettingsError`, whose message names the variable; the service then does not start.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from adapters.microsoft.config import b2c_policy, external_tenant
from adapters.redis.urls import RedisUrlError, parse_redis_url
from core.emails import normalise_domain
from core.navigation import parse_origin
from core.policy import MAX_INVITE_LIFETIME
from entrypoints.settings_table import SECRET_FILES, SETTINGS, default

T = TypeVar("T")
DELIVERIES = ("fragment", "query", "code")
PROVIDERS = ("aad", "b2c", "external")  # SIGNIN_PROVIDERS names; each is also its kind


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class AuthoritySettings:
    name: str
    kind: str                       # "aad" | "b2c" | "external"
    authority: str
    client_id: str
    client_secret: str
    reset_policy: str | None = None
    allowed_tenants: tuple[str, ...] = ()
    allow_personal_accounts: bool = False
    graph_authority: str | None = None

    def __repr__(self) -> str:  # the secret never reaches a log line
        return f"AuthoritySettings(name={self.name!r}, authority={self.authority!r})"


@dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    host: str
    port: int
    public_url: str
    sandbox_port: int
    demo_port: int
    allowed_origins: tuple[str, ...]
    token_delivery: str
    database_url: str
    database_pool_size: int
    database_timeout: float
    redis_url: str | None
    redis_timeout: float
    authorities: tuple[AuthoritySettings, ...]
    graph_url: str
    ca_bundle: str | None
    http_timeout: float
    jwt_private_key_file: str | None
    jwt_previous_public_key_files: tuple[str, ...]
    jwt_audience: str
    token_lifetime: int
    session_idle_timeout: int
    session_absolute_timeout: int
    flow_lifetime: int
    token_encryption_key: str | None
    login_rate_limit: int
    max_signins_in_flight: int
    trusted_proxies: tuple[str, ...]
    revalidate_interval: int
    revalidate_max_unconfirmed: int
    revalidate_batch: int
    invite_lifetime: int
    workspace_creators: tuple[str, ...]
    consumer_domains: tuple[str, ...]
    log_level: str
    sandbox_dir: Path
    log_format: str = "text"
    metrics_port: int | None = None
    otel_endpoint: str | None = None  # OpenTelemetry's own OTEL_EXPORTER_OTLP_ENDPOINT: tracing on

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def redirect_uri(self) -> str:
        """The redirect URI registered with Microsoft: from the public URL, never a header."""
        return self.public_url + "/redirect"

    @property
    def jwt_issuer(self) -> str:
        return self.public_url

    def __repr__(self) -> str:
        return f"Settings(env={self.env!r}, public_url={self.public_url!r})"


class _Reader:
    """Reads one variable at a time, filling `{placeholders}` in defaults."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._env = environ
        self.fill: dict[str, str] = {}

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._env.get(name)
        if value is None or value.strip() == "":
            value = default(name)
            if value is not None:
                value = value.format(**self.fill)
        if required and not value:
            raise SettingsError(f"{name} is required")
        return value.strip() if value is not None else None

    def typed(self, name: str, convert: Callable[[str], T], what: str, *, minimum: float = 0) -> T:
        raw = self.text(name, required=True)
        assert raw is not None
        try:
            value = convert(raw)
        except ValueError:
            raise SettingsError(f"{name}: {raw!r} is not {what}") from None
        if isinstance(value, (int, float)) and value < minimum:
            raise SettingsError(f"{name}: must be at least {minimum}")
        return value

    def items(self, name: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in (self.text(name) or "").split(",") if p.strip())

    def flag(self, name: str) -> bool:
        raw = (self.text(name) or "").lower()
        if raw not in ("true", "false", "1", "0", "yes", "no"):
            raise SettingsError(f"{name}: {raw!r} is not true or false")
        return raw in ("true", "1", "yes")


def _allowed_origins(values: tuple[str, ...], production: bool) -> tuple[str, ...]:
    """SIGNIN_ALLOWED_ORIGINS, each entry through the one origin parser and kept in its
    canonical spelling: the redirect allow-list and the CORS list are this same tuple.
    Production accepts https only; embedded mode also http on localhost/loopback."""
    name = "SIGNIN_ALLOWED_ORIGINS"
    found: list[str] = []
    for value in values:
        origin = parse_origin(value)
        if origin is None:
            raise SettingsError(
                f"{name}: {value!r} is not an origin such as https://app.example.com "
                "(scheme, host and port only: no wildcard, path, query or userinfo)"
            )
        if origin.scheme != "https" and (production or not origin.loopback):
            where = "in production" if production else "except for localhost/loopback (embedded)"
            raise SettingsError(f"{name}: {value!r} must be https {where}")
        if str(origin) not in found:
            found.append(str(origin))
    if not found:
        raise SettingsError(f"{name}: name at least one origin")
    return tuple(found)


def _domain(name: str, value: str) -> str:
    """A domain as the sign-in rules compare it (IDNA2008); refused, never guessed."""
    domain = normalise_domain(value)
    if domain is None:
        raise SettingsError(f"{name}: {value!r} is not a valid (IDNA2008) domain")
    return domain


def _url(name: str, value: str | None, *, https_only: bool) -> str:
    parts = urlsplit(value or "")
    schemes = ("https",) if https_only else ("https", "http")
    if parts.scheme not in schemes or not parts.hostname:
        raise SettingsError(f"{name}: must be an {'https' if https_only else 'http(s)'} URL")
    return (value or "").rstrip("/")


def _read_secret_file(variable: str, path: str) -> str:
    """The content of the secret file `variable` names, its trailing newline stripped.
    An error names the variable and the path, never the content."""
    if not path.strip():
        raise SettingsError(f"{variable}: name the file to read")
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SettingsError(f"{variable}: cannot read {path!r}: {reason}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsError(f"{variable}: {path!r} is not UTF-8 text") from None
    value = text.rstrip("\r\n")
    if not value.strip():
        # an empty secret would silently fall back to the embedded default (the sandbox's)
        raise SettingsError(f"{variable}: {path!r} is empty")
    return value


def resolve_secret_files(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with each `SIGNIN_<NAME>_FILE` of a secret setting replaced by `SIGNIN_<NAME>`
    holding the file's content. Both given for one setting is refused, naming both."""
    out = {k: v for k, v in env.items() if k not in SECRET_FILES}
    for variable, name in SECRET_FILES.items():
        if variable not in env:
            continue
        if name in env:
            raise SettingsError(f"{name} and {variable} are both set: set only one of them")
        out[name] = _read_secret_file(variable, env[variable])
    return out


def setting_from_environment(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """One setting as the service would read it (a secret also from its `_FILE`), for the
    commands that need only that one; None when unset."""
    source = os.environ if environ is None else environ
    return resolve_secret_files({k: v for k, v in source.items() if k in (name, name + "_FILE")}).get(name)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raises `SettingsError` naming the first bad one."""
    source = os.environ if environ is None else environ
    given = {k: v for k, v in source.items() if k.startswith("SIGNIN_")}
    known = {s.name for s in SETTINGS} | set(SECRET_FILES)
    unknown = sorted(k for k in set(given) - known if not k.startswith("SIGNIN_TEST_"))
    if unknown:
        raise SettingsError(f"{unknown[0]} is not a setting of azure-signin (typo?)")
    env = resolve_secret_files(given)
    r = _Reader(env)
    mode = r.text("SIGNIN_ENV") or "embedded"
    if mode not in ("embedded", "production"):
        raise SettingsError("SIGNIN_ENV: must be embedded or production")
    production = mode == "production"
    port = r.typed("SIGNIN_PORT", int, "a port number", minimum=1)
    sandbox_port = r.typed("SIGNIN_SANDBOX_PORT", int, "a port number", minimum=1)
    demo_port = r.typed("SIGNIN_DEMO_PORT", int, "a port number", minimum=1)
    data_dir = Path(r.text("SIGNIN_DATA_DIR") or "var")
    r.fill = {"port": str(port), "sandbox_port": str(sandbox_port),
              "demo_port": str(demo_port), "data_dir": str(data_dir)}
    sandbox_dir = Path(r.text("SIGNIN_SANDBOX_DIR") or data_dir / "sandbox")
    public_url = _url("SIGNIN_PUBLIC_URL", r.text("SIGNIN_PUBLIC_URL"), https_only=production)
    if urlsplit(public_url).path not in ("", "/"):
        raise SettingsError("SIGNIN_PUBLIC_URL: must be an origin, without a path")
    if production and "SIGNIN_ALLOWED_ORIGINS" not in env:
        raise SettingsError("SIGNIN_ALLOWED_ORIGINS is required in production")
    origins = _allowed_origins(r.items("SIGNIN_ALLOWED_ORIGINS"), production)
    delivery = r.text("SIGNIN_TOKEN_DELIVERY") or ""
    if delivery not in DELIVERIES:
        raise SettingsError(f"SIGNIN_TOKEN_DELIVERY: must be one of {', '.join(DELIVERIES)}")
    database_url = r.text("SIGNIN_DATABASE_URL", required=True) or ""
    if not database_url.startswith(("sqlite", "postgresql", "postgres")):
        raise SettingsError("SIGNIN_DATABASE_URL: must be a sqlite:/// or postgresql:// URL")
    redis_url = r.text("SIGNIN_REDIS_URL")
    if redis_url:
        try:
            parse_redis_url(redis_url)
        except RedisUrlError as exc:
            raise SettingsError(f"SIGNIN_REDIS_URL: {exc}") from None
    settings = Settings(
        env=mode,
        data_dir=data_dir,
        host=r.text("SIGNIN_HOST") or "127.0.0.1",
        port=port,
        public_url=public_url,
        sandbox_port=sandbox_port,
        demo_port=demo_port,
        allowed_origins=origins,
        token_delivery=delivery,
        database_url=database_url,
        database_pool_size=r.typed("SIGNIN_DATABASE_POOL_SIZE", int, "a whole number", minimum=1),
        database_timeout=r.typed("SIGNIN_DATABASE_TIMEOUT", float, "a number of seconds", minimum=0.1),
        redis_url=redis_url or None,
        redis_timeout=r.typed("SIGNIN_REDIS_TIMEOUT", float, "a number of seconds", minimum=0.05),
        authorities=_authorities(r, production),
        graph_url=_url("SIGNIN_GRAPH_URL", r.text("SIGNIN_GRAPH_URL"), https_only=True),
        ca_bundle=r.text("SIGNIN_CA_BUNDLE") or (None if production else str(sandbox_dir / "ca.pem")),
        http_timeout=r.typed("SIGNIN_HTTP_TIMEOUT", float, "a number of seconds", minimum=0.1),
        jwt_private_key_file=r.text("SIGNIN_JWT_PRIVATE_KEY_FILE"),
        jwt_previous_public_key_files=r.items("SIGNIN_JWT_PREVIOUS_PUBLIC_KEY_FILES"),
        jwt_audience=r.text("SIGNIN_JWT_AUDIENCE", required=True) or "",
        token_lifetime=r.typed("SIGNIN_TOKEN_LIFETIME", int, "a number of seconds", minimum=30),
        session_idle_timeout=r.typed("SIGNIN_SESSION_IDLE_TIMEOUT", int, "a number of seconds", minimum=60),
        session_absolute_timeout=r.typed(
            "SIGNIN_SESSION_ABSOLUTE_TIMEOUT", int, "a number of seconds", minimum=60
        ),
        flow_lifetime=r.typed("SIGNIN_FLOW_LIFETIME", int, "a number of seconds", minimum=30),
        token_encryption_key=r.text("SIGNIN_TOKEN_ENCRYPTION_KEY"),
        login_rate_limit=r.typed("SIGNIN_LOGIN_RATE_LIMIT", int, "a whole number", minimum=1),
        max_signins_in_flight=r.typed(
            "SIGNIN_MAX_SIGNINS_IN_FLIGHT", int, "a whole number (0: no bound)", minimum=0
        ),
        trusted_proxies=_trusted_proxies(r.items("SIGNIN_TRUSTED_PROXIES")),
        revalidate_interval=r.typed("SIGNIN_REVALIDATE_INTERVAL", int, "a number of seconds", minimum=1),
        revalidate_max_unconfirmed=r.typed(
            "SIGNIN_REVALIDATE_MAX_UNCONFIRMED", int, "a number of seconds", minimum=1
        ),
        revalidate_batch=r.typed("SIGNIN_REVALIDATE_BATCH", int, "a whole number", minimum=1),
        invite_lifetime=_invite_lifetime(r),
        workspace_creators=_workspace_creators(r),
        consumer_domains=tuple(
            _domain("SIGNIN_CONSUMER_DOMAINS", d) for d in r.items("SIGNIN_CONSUMER_DOMAINS")
        ),
        log_level=(r.text("SIGNIN_LOG_LEVEL") or "INFO").upper(),
        sandbox_dir=sandbox_dir,
        log_format=_log_format(r),
        metrics_port=_metrics_port(r, port),
        otel_endpoint=_otel_endpoint(source),
    )
    if settings.revalidate_max_unconfirmed < settings.revalidate_interval:
        raise SettingsError(
            "SIGNIN_REVALIDATE_MAX_UNCONFIRMED: must be at least SIGNIN_REVALIDATE_INTERVAL"
        )
    if production:
        _check_production(settings, env)
    return settings


def _otel_endpoint(source: Mapping[str, str]) -> str | None:
    """OpenTelemetry's own variable turns tracing on; it needs the `otel` extra."""
    import importlib.util

    endpoint = (source.get("OTEL_EXPORTER_OTLP_ENDPOINT") or "").strip() or None
    if endpoint and importlib.util.find_spec("opentelemetry.sdk") is None:
        raise SettingsError(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed: "
            "install azure-signin[otel]"
        )
    return endpoint


def _log_format(r: _Reader) -> str:
    value = (r.text("SIGNIN_LOG_FORMAT") or "").lower()
    if value not in ("text", "json"):
        raise SettingsError("SIGNIN_LOG_FORMAT: must be text or json")
    return value


def _metrics_port(r: _Reader, port: int) -> int | None:
    if not r.text("SIGNIN_METRICS_PORT"):
        return None
    metrics_port = r.typed("SIGNIN_METRICS_PORT", int, "a port number", minimum=1)
    if metrics_port == port:
        raise SettingsError("SIGNIN_METRICS_PORT: must differ from SIGNIN_PORT")
    return metrics_port


def _trusted_proxies(values: tuple[str, ...]) -> tuple[str, ...]:
    from entrypoints.web.proxies import parse_networks

    try:
        return tuple(str(n) for n in parse_networks(values))
    except ValueError as error:
        raise SettingsError(f"SIGNIN_TRUSTED_PROXIES: {error}") from None


def _invite_lifetime(r: _Reader) -> int:
    seconds = r.typed("SIGNIN_INVITE_LIFETIME", int, "a number of seconds", minimum=60)
    most = int(MAX_INVITE_LIFETIME.total_seconds())
    if seconds > most:
        raise SettingsError(f"SIGNIN_INVITE_LIFETIME: at most {most} (30 days)")
    return seconds


def _workspace_creators(r: _Reader) -> tuple[str, ...]:
    out = []
    for item in r.items("SIGNIN_WORKSPACE_CREATORS"):
        domain = item if item == "*" else normalise_domain(item)
        if domain is None:
            raise SettingsError(f"SIGNIN_WORKSPACE_CREATORS: {item!r} is neither * nor an email domain")
        out.append(domain)
    return tuple(out)


def _authorities(r: _Reader, production: bool) -> tuple[AuthoritySettings, ...]:
    names = r.items("SIGNIN_PROVIDERS")
    if not names or any(n not in PROVIDERS for n in names) or len(set(names)) != len(names):
        raise SettingsError("SIGNIN_PROVIDERS: a comma-separated list of aad, b2c and/or external")
    out = []
    for name in names:
        prefix = f"SIGNIN_{name.upper()}_"
        if name == "b2c" and not b2c_policy(r.text(prefix + "AUTHORITY") or ""):
            raise SettingsError(f"{prefix}AUTHORITY: name the policy (.../{{tenant}}/{{policy}} or ?p=)")
        if name == "external" and not external_tenant(r.text(prefix + "AUTHORITY") or ""):
            raise SettingsError(f"{prefix}AUTHORITY: name the tenant, and only it (https://{{host}}/{{tenant}})")
        out.append(AuthoritySettings(
            name=name,
            kind=name,
            authority=_url(prefix + "AUTHORITY", r.text(prefix + "AUTHORITY"), https_only=True),
            client_id=r.text(prefix + "CLIENT_ID", required=True) or "",
            client_secret=r.text(prefix + "CLIENT_SECRET", required=True) or "",
            reset_policy=(r.text("SIGNIN_B2C_RESET_POLICY") or None) if name == "b2c" else None,
            allowed_tenants=r.items("SIGNIN_AAD_ALLOWED_TENANTS") if name == "aad" else (),
            allow_personal_accounts=r.flag("SIGNIN_AAD_ALLOW_PERSONAL_ACCOUNTS") if name == "aad" else False,
            graph_authority=_url(
                "SIGNIN_B2C_GRAPH_AUTHORITY", r.text("SIGNIN_B2C_GRAPH_AUTHORITY"), https_only=True
            ) if name == "b2c" else None,
        ))
    return tuple(out)


def _check_production(settings: Settings, env: Mapping[str, str]) -> None:
    """Production refuses every embedded convenience, naming the setting to fix."""
    if not settings.database_url.startswith(("postgresql", "postgres")):
        raise SettingsError("SIGNIN_DATABASE_URL: production needs PostgreSQL")
    if not settings.redis_url:
        raise SettingsError("SIGNIN_REDIS_URL is required in production")
    if not settings.token_encryption_key:
        raise SettingsError("SIGNIN_TOKEN_ENCRYPTION_KEY is required in production")
    if not settings.jwt_private_key_file:
        raise SettingsError("SIGNIN_JWT_PRIVATE_KEY_FILE is required in production")
    for authority in settings.authorities:
        prefix = f"SIGNIN_{authority.name.upper()}_"
        host = urlsplit(authority.authority).hostname or ""
        if host in ("localhost", "127.0.0.1", "::1") or prefix + "AUTHORITY" not in env:
            raise SettingsError(f"{prefix}AUTHORITY: production needs a real Microsoft authority")
        parts = ("CLIENT_ID", "CLIENT_SECRET") + (("GRAPH_AUTHORITY",) if authority.kind == "b2c" else ())
        for part in parts:
            if prefix + part not in env:
                raise SettingsError(f"{prefix}{part} is required in production")
    graph_host = urlsplit(settings.graph_url).hostname or ""
    if "SIGNIN_GRAPH_URL" not in env or graph_host in ("localhost", "127.0.0.1", "::1"):
        raise SettingsError("SIGNIN_GRAPH_URL: production needs the real Microsoft Graph")
