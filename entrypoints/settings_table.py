"""Every `SIGNIN_` setting, declared once: name, default, meaning, example.

A `secret` setting may instead be given as a file (`SIGNIN_<NAME>_FILE`, the path of a
Docker or Kubernetes secret). `entrypoints.settings` parses them; the README's settings table is checked against this
list by a test, so a setting cannot exist undocumented.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    description: str
    example: str
    secret: bool = False  # also read from the file named by `{name}_FILE` (Docker/Kubernetes secrets)


SANDBOX = "https://localhost:{sandbox_port}"
SETTINGS: tuple[Setting, ...] = (
    Setting("SIGNIN_ENV", "embedded", "`embedded` (sandbox, SQLite and in-process stores allowed) or `production` (PostgreSQL, Redis and real authorities required)", "production"),
    Setting("SIGNIN_DATA_DIR", "var", "Folder for the embedded database, keys and the sandbox CA", "/var/lib/azure-signin"),
    Setting("SIGNIN_HOST", "127.0.0.1", "Address the service listens on", "0.0.0.0"),
    Setting("SIGNIN_PORT", "8000", "Port of the service", "8080"),
    Setting("SIGNIN_PUBLIC_URL", "http://localhost:{port}", "The service's public origin; the redirect URI sent to Microsoft is built from it, never from request headers", "https://signin.example.com"),
    Setting("SIGNIN_SANDBOX_PORT", "8443", "Port of the Azure sandbox (embedded only)", "9443"),
    Setting("SIGNIN_SANDBOX_DIR", "{data_dir}/sandbox", "The sandbox's own folder (its CA, server certificate and keys)", "/tmp/sandbox"),
    Setting("SIGNIN_SANDBOX_DIRECTORY", None, "TOML directory file of the sandbox's tenants, apps and users; unset: the shipped default", "./my-directory.toml"),
    Setting("SIGNIN_DEMO_PORT", "3001", "Port of the demo frontend (`azure-signin demo`)", "3002"),
    Setting("SIGNIN_ALLOWED_ORIGINS", "http://localhost:{demo_port}", "Comma-separated frontend origins a login may return to, and the only ones CORS allows (scheme, host and port: no wildcard, path or userinfo); https only in production, http also for localhost/loopback in embedded mode; required in production", "https://app.example.com,https://admin.example.com"),
    Setting("SIGNIN_TOKEN_DELIVERY", "fragment", "How the frontend receives the token: `fragment` (#access_token=), `query` (&access_token=, the original frontend's shape) or `code` (one-time code exchanged at POST /auth/token)", "query"),
    Setting("SIGNIN_DATABASE_URL", "sqlite:///{data_dir}/signin.db", "Database URL (`sqlite:///path` or `postgresql://user@host:port/db`); production needs PostgreSQL", "postgresql://signin@db:5432/signin", secret=True),
    Setting("SIGNIN_DATABASE_POOL_SIZE", "10", "Connections per process (PostgreSQL)", "20"),
    Setting("SIGNIN_DATABASE_TIMEOUT", "5", "Seconds one unit of work may take in all (waiting for a connection, connecting, every statement) before `temporarily_unavailable`", "3"),
    Setting("SIGNIN_REDIS_URL", None, "Redis for the flow store, session cache, one-time codes and revocation feed: one server (`redis://`, `rediss://`, `unix://`), a Redis Cluster (`redis+cluster://host:port,host:port/`) or a Sentinel-managed master (`redis+sentinel://host:port,host:port/service/db`), see docs/operations.md; unset: in-process stores (one process only). Required in production", "redis+cluster://cache-0:6379,cache-1:6379,cache-2:6379/", secret=True),
    Setting("SIGNIN_REDIS_TIMEOUT", "1", "Seconds one Redis operation may take in all, retries included", "0.5"),
    Setting("SIGNIN_PROVIDERS", "aad,b2c", "Enabled Microsoft authorities, by name, default first (`aad`, `b2c`, `external`)", "b2c"),
    Setting("SIGNIN_AAD_AUTHORITY", SANDBOX + "/organizations", "Azure AD authority (tenant id, `organizations` or `common`)", "https://login.microsoftonline.com/organizations"),
    Setting("SIGNIN_AAD_CLIENT_ID", "5f0c4d8e-3a1b-4c2d-9e8f-0a1b2c3d4e5f", "Azure AD application (client) id", "00000000-0000-0000-0000-000000000000"),
    Setting("SIGNIN_AAD_CLIENT_SECRET", "sandbox-secret-aad-0123456789", "Azure AD client secret (production: required, never the sandbox's)", "(from your vault)", secret=True),
    Setting("SIGNIN_AAD_ALLOWED_TENANTS", "", "Comma-separated tenant ids allowed on a multi-tenant authority; empty: any work tenant", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
    Setting("SIGNIN_AAD_ALLOW_PERSONAL_ACCOUNTS", "false", "Accept personal Microsoft accounts (consumer tenant)", "true"),
    Setting("SIGNIN_B2C_AUTHORITY", SANDBOX + "/posterlabappdev.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN", "Azure AD B2C policy authority", "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1A_SIGNUP_SIGNIN"),
    Setting("SIGNIN_B2C_CLIENT_ID", "8b2e6f1a-7c3d-4e5f-a6b7-c8d9e0f1a2b3", "B2C application (client) id, also used for Graph app tokens", "00000000-0000-0000-0000-000000000000"),
    Setting("SIGNIN_B2C_CLIENT_SECRET", "sandbox-secret-b2c-0123456789", "B2C client secret (production: required)", "(from your vault)", secret=True),
    Setting("SIGNIN_B2C_RESET_POLICY", "B2C_1A_PASSWORDRESET", "B2C password-reset policy started on AADB2C90118; empty: answer `password_reset`", "B2C_1A_PASSWORDRESET"),
    Setting("SIGNIN_B2C_GRAPH_AUTHORITY", SANDBOX + "/posterlabappdev.onmicrosoft.com", "B2C tenant authority the app gets Microsoft Graph app tokens from (client credentials)", "https://login.microsoftonline.com/contoso.onmicrosoft.com"),
    Setting("SIGNIN_EXTERNAL_AUTHORITY", SANDBOX + "/c1a40000-4e5f-4a6b-9c8d-7e6f5a4b3c2d", "Entra External ID tenant authority (`https://{subdomain}.ciamlogin.com/{tenant id or subdomain.onmicrosoft.com}`); enable with `external` in SIGNIN_PROVIDERS", "https://contoso.ciamlogin.com/contoso.onmicrosoft.com"),
    Setting("SIGNIN_EXTERNAL_CLIENT_ID", "ce1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b", "External ID application (client) id", "00000000-0000-0000-0000-000000000000"),
    Setting("SIGNIN_EXTERNAL_CLIENT_SECRET", "sandbox-secret-external-0123456789", "External ID client secret (production: required)", "(from your vault)", secret=True),
    Setting("SIGNIN_GRAPH_URL", SANDBOX + "/graph/v1.0", "Microsoft Graph base URL", "https://graph.microsoft.com/v1.0"),
    Setting("SIGNIN_CA_BUNDLE", None, "CA file trusted for Microsoft and Graph; embedded default: the sandbox CA under SIGNIN_DATA_DIR", "/etc/ssl/certs/ca-certificates.crt"),
    Setting("SIGNIN_HTTP_TIMEOUT", "5", "Seconds for each call to Microsoft or Graph (connect, and each wait for data); a whole code redemption may take 3x, a Graph profile read 2x", "3"),
    Setting("SIGNIN_JWT_PRIVATE_KEY_FILE", None, "PEM private key signing the service's tokens; embedded default: generated under SIGNIN_DATA_DIR", "/run/secrets/jwt.pem"),
    Setting("SIGNIN_JWT_PREVIOUS_PUBLIC_KEY_FILES", "", "Comma-separated PEM public keys of earlier signing keys, still accepted (rotation)", "/run/secrets/jwt-2025.pub"),
    Setting("SIGNIN_JWT_AUDIENCE", "azure-signin", "The `aud` of the service's tokens", "api.example.com"),
    Setting("SIGNIN_TOKEN_LIFETIME", "3600", "Seconds a service token is valid (refresh for a new one)", "900"),
    Setting("SIGNIN_SESSION_IDLE_TIMEOUT", "7200", "Seconds of inactivity (no refresh) after which a session closes", "1800"),
    Setting("SIGNIN_SESSION_ABSOLUTE_TIMEOUT", "43200", "Seconds after sign-in at which a session closes whatever happens", "28800"),
    Setting("SIGNIN_FLOW_LIFETIME", "600", "Seconds a started login may take", "300"),
    Setting("SIGNIN_TOKEN_ENCRYPTION_KEY", None, "32-byte key, base64url, encrypting Microsoft's tokens at rest; embedded default: generated under SIGNIN_DATA_DIR; required in production", "(44 base64url characters)", secret=True),
    Setting("SIGNIN_INVITE_LIFETIME", "604800", "Seconds an invite's accept link stays valid (7 days; at most 2592000, 30 days)", "172800"),
    Setting("SIGNIN_WORKSPACE_CREATORS", "", "Who may create workspaces over HTTP (`POST /workspaces`): empty: nobody (the operator's `workspace add` only); `*`: any user with a verified email; else comma-separated email domains", "contoso.com,fabrikam.com"),
    Setting("SIGNIN_LOGIN_RATE_LIMIT", "60", "Logins a client (an address; IPv6: its /64) may start per minute, counted in Redis when SIGNIN_REDIS_URL is set (shared by every process), else per process", "20"),
    Setting("SIGNIN_MAX_SIGNINS_IN_FLIGHT", "32", "Sign-in requests one process answers at once (login starts and callbacks): past it a start gets `503` with `Retry-After`, and a callback too past twice it (before its flow is touched, so the same URL works later). `0`: no bound", "16"),
    Setting("SIGNIN_TRUSTED_PROXIES", "", "Comma-separated addresses or CIDRs of the reverse proxies in front of the service: from them, the client is the right-most address of `X-Forwarded-For` that is not itself trusted; from anyone else `X-Forwarded-For` is ignored. Empty: the socket's peer is the client. Rules `serve` too (uvicorn's own proxy headers stay off)", "10.0.0.0/8,192.168.1.5"),
    Setting("SIGNIN_REVALIDATE_INTERVAL", "900", "Seconds between two confirmations of a session by Microsoft (its refresh token redeemed): at every refresh, and by the background sweep for sessions used without refresh", "300"),
    Setting("SIGNIN_REVALIDATE_MAX_UNCONFIRMED", "3600", "Seconds a session may stay open while Microsoft cannot be asked (unreachable, no refresh token kept); then it closes. At least SIGNIN_REVALIDATE_INTERVAL", "1800"),
    Setting("SIGNIN_REVALIDATE_BATCH", "100", "Sessions one sweep of one process re-validates at most", "50"),
    Setting("SIGNIN_CONSUMER_DOMAINS", "", "Comma-separated consumer mail domains that never get a directory; empty: the built-in list", "gmail.com,outlook.com"),
    Setting("SIGNIN_LOG_LEVEL", "INFO", "Log level", "DEBUG"),
    Setting("SIGNIN_LOG_FORMAT", "text", "`text` (one plain line a record) or `json` (one JSON object a line: time, level, logger, message, correlation_id and a security event's fields); secrets are masked in both", "json"),
    Setting("SIGNIN_METRICS_PORT", None, "Port of Prometheus `/metrics` on its own (`azure-signin serve` answers it for all workers, on SIGNIN_HOST); then absent from the public port. Unset: `GET /metrics` on the service's port", "9100"),
)
_BY_NAME = {s.name: s for s in SETTINGS}
SECRET_FILES = {s.name + "_FILE": s.name for s in SETTINGS if s.secret}


def default(name: str) -> str | None:
    return _BY_NAME[name].default
