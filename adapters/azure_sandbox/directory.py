"""The sandbox's directory: applications, Azure AD tenants, B2C tenants and users.

Loaded from a TOML file (the shipped `default_directory.toml`, or the file named by
`SIGNIN_SANDBOX_DIRECTORY`); users can be added at run time (sign-up, test hooks).
"""

from __future__ import annotations

import threading
import tomllib
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_DIRECTORY_PATH = Path(__file__).with_name("default_directory.toml")
CONSUMER_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"


class DirectoryError(ValueError):
    """The directory file (or a user added at run time) is inconsistent."""


@dataclass(frozen=True)
class Application:
    """An app registration: `kind` is `aad` (multi-tenant), `b2c` (lives in a B2C tenant) or
    `external` (lives in an Entra External ID tenant)."""

    name: str
    kind: str
    client_id: str
    secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] = ()
    # The app registration's "Front-channel logout URL": Microsoft's sign-out page loads it
    # in an iframe with `?sid=...&iss=...` for each session the user has with the app.
    frontchannel_logout_uri: str | None = None


@dataclass(frozen=True)
class Tenant:
    """An Azure AD tenant; `name` is its default domain (`contoso.onmicrosoft.com`).
    `external`: an Entra External ID tenant (customers; reached only as `/{tenant}`, its
    tokens' issuer `https://{id}.ciamlogin.com/{id}/v2.0`)."""

    key: str
    id: str
    name: str
    verified_domains: tuple[str, ...] = ()
    consumer: bool = False
    external: bool = False

    def verifies(self, email: str | None) -> bool:
        if not email or "@" not in email:
            return False
        domain = email.rsplit("@", 1)[1].lower()
        return domain in {d.lower() for d in self.verified_domains}


@dataclass(frozen=True)
class B2CTenant:
    """An Azure AD B2C tenant reached as `/{name}.onmicrosoft.com/{policy}`."""

    key: str
    id: str
    name: str
    policies: tuple[str, ...]
    signup_policies: tuple[str, ...] = ()
    reset_policies: tuple[str, ...] = ()  # password-reset policies: their page says so
    emit_tid: bool = False

    @property
    def domain(self) -> str:
        return f"{self.name}.onmicrosoft.com"

    def policy(self, requested: str | None) -> str | None:
        """The canonical spelling of a policy name, matched case-insensitively."""
        for policy in self.policies:
            if requested and policy.lower() == requested.lower():
                return policy
        return None


@dataclass(frozen=True)
class User:
    """One identity in one tenant. `username` is the unique sign-in name typed on the form.

    A B2B guest has `home_tenant` (the key of the tenant it comes from); a B2C federated
    user has `idp` (e.g. `google.com`).
    """

    username: str
    tenant: str
    oid: str
    display_name: str
    mail: str | None = None
    email: str | None = None
    other_mails: tuple[str, ...] = ()
    user_principal_name: str | None = None
    preferred_username: str | None = None
    given_name: str | None = None
    surname: str | None = None
    home_tenant: str | None = None
    idp: str | None = None
    idp_subject: str | None = None
    # Account state, changed by the test hooks (docs/sandbox.md): a disabled account and
    # refresh tokens issued before `tokens_valid_from` (a password reset, a revocation) are
    # refused at the token endpoint, as Azure AD and B2C do.
    disabled: bool = False
    tokens_valid_from: float = 0.0
    # App-role values assigned to the user (the ID token's `roles`) and the object ids of
    # the groups it is in (`groups`, or Graph on overage: docs/sandbox.md).
    app_roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def sign_in_name(self) -> str:
        return self.preferred_username or self.username

    @property
    def token_email(self) -> str | None:
        return self.email or self.mail

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["other_mails"] = list(self.other_mails)
        data["app_roles"] = list(self.app_roles)
        data["groups"] = list(self.groups)
        return data


_USER_FIELDS = {f for f in User.__dataclass_fields__}


def user_from_mapping(raw: dict[str, Any]) -> User:
    """Build a user from a TOML table or a JSON body; `oid` defaults to a fresh GUID."""
    unknown = set(raw) - _USER_FIELDS
    if unknown:
        raise DirectoryError(f"unknown user field(s): {', '.join(sorted(unknown))}")
    for required in ("username", "tenant"):
        if not raw.get(required):
            raise DirectoryError(f"a user needs '{required}'")
    data = dict(raw)
    data.setdefault("oid", str(uuid.uuid4()))
    data.setdefault("display_name", data["username"].split("@")[0].split("#")[0])
    data["other_mails"] = tuple(data.get("other_mails", ()))
    data["app_roles"] = tuple(data.get("app_roles", ()))
    data["groups"] = tuple(data.get("groups", ()))
    return User(**data)


@dataclass
class Directory:
    """Everything the sandbox knows about; safe to read and extend from several threads."""

    applications: list[Application]
    tenants: list[Tenant]
    b2c_tenants: list[B2CTenant]
    users: list[User] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # indexes of `users` (kept by add/change/remove, which alone change it): a load test
    # adds thousands of users, and a scan per request made every request slower than the last
    _by_name: dict[str, User] = field(default_factory=dict, repr=False)
    _by_oid: dict[str, User] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for user in self.users:
            self._index(user)

    def _index(self, user: User) -> None:
        self._by_name[user.username.lower()] = user
        self._by_oid[user.oid.lower()] = user

    def _unindex(self, user: User) -> None:
        self._by_name.pop(user.username.lower(), None)
        self._by_oid.pop(user.oid.lower(), None)

    def application(self, client_id: str | None) -> Application | None:
        return next((a for a in self.applications if a.client_id == client_id), None)

    def tenant(self, ref: str | None) -> Tenant | None:
        """A tenant by key, GUID or domain name (its default or a verified one)."""
        if not ref:
            return None
        ref = ref.lower()
        for tenant in self.tenants:
            names = {
                tenant.key,
                tenant.id,
                tenant.name.lower(),
                *(d.lower() for d in tenant.verified_domains),
            }
            if ref in names:
                return tenant
        return None

    def b2c_tenant(self, ref: str | None) -> B2CTenant | None:
        if not ref:
            return None
        ref = ref.lower()
        for b2c in self.b2c_tenants:
            if ref in {b2c.key, b2c.id, b2c.name.lower(), b2c.domain.lower()}:
                return b2c
        return None

    def tenant_id_of(self, key: str) -> str:
        tenant = self.tenant(key)
        if tenant:
            return tenant.id
        b2c = self.b2c_tenant(key)
        if b2c:
            return b2c.id
        raise DirectoryError(f"unknown tenant '{key}'")

    def all_users(self) -> list[User]:
        with self._lock:
            return list(self.users)

    def users_in(self, tenant_keys: set[str]) -> list[User]:
        with self._lock:
            return [u for u in self.users if u.tenant in tenant_keys]

    def find_user(self, tenant_id: str, ref: str) -> User | None:
        """A user of the tenant (by GUID) by object id or user principal name (Graph lookup)."""
        ref = ref.lower()
        with self._lock:
            by_oid = self._by_oid.get(ref)
            if by_oid is not None and self.tenant_id_of(by_oid.tenant) == tenant_id:
                return by_oid
            for user in self.users:  # by user principal name: rare, a scan
                upn = (user.user_principal_name or "").lower()
                if upn == ref and self.tenant_id_of(user.tenant) == tenant_id:
                    return user
        return None

    def user_named(self, username: str) -> User | None:
        """A user by sign-in name (case-insensitive)."""
        with self._lock:
            return self._by_name.get(username.lower())

    def user_by_oid(self, oid: str) -> User | None:
        """The user's current state (a grant holds the state of its sign-in)."""
        with self._lock:
            found = self._by_oid.get(oid.lower())
            return found if found is not None and found.oid == oid else None

    def change_user(self, username: str, **changes: Any) -> User:
        """Replace fields of a user (disable, reset password, ...); unknown user: `KeyError`."""
        with self._lock:
            for index, user in enumerate(self.users):
                if user.username.lower() == username.lower():
                    self._unindex(user)
                    self.users[index] = replace(user, **changes)
                    self._index(self.users[index])
                    return self.users[index]
        raise KeyError(username)

    def remove_user(self, username: str) -> User:
        """Delete a user; its refresh tokens then fail as a deleted account's do."""
        with self._lock:
            for index, user in enumerate(self.users):
                if user.username.lower() == username.lower():
                    self._unindex(user)
                    return self.users.pop(index)
        raise KeyError(username)

    def add_user(self, user: User) -> User:
        if not (self.tenant(user.tenant) or self.b2c_tenant(user.tenant)):
            raise DirectoryError(f"unknown tenant '{user.tenant}'")
        key = (self.tenant(user.tenant) or self.b2c_tenant(user.tenant)).key  # type: ignore[union-attr]
        user = replace(user, tenant=key)
        with self._lock:
            if user.username.lower() in self._by_name:
                raise DirectoryError(f"user '{user.username}' already exists")
            if user.oid.lower() in self._by_oid:
                raise DirectoryError(f"object id '{user.oid}' already exists")
            self.users.append(user)
            self._index(user)
        return user


def load_directory(path: str | Path | None = None) -> Directory:
    """Read a directory file (the shipped default when `path` is None)."""
    with Path(path or DEFAULT_DIRECTORY_PATH).open("rb") as handle:
        raw = tomllib.load(handle)
    try:
        directory = Directory(
            applications=[_application(a) for a in raw.get("applications", [])],
            tenants=[_tenant(t) for t in raw.get("tenants", [])],
            b2c_tenants=[_b2c(b) for b in raw.get("b2c_tenants", [])],
        )
    except TypeError as exc:
        raise DirectoryError(f"{path or DEFAULT_DIRECTORY_PATH}: {exc}") from exc
    for entry in raw.get("users", []):
        directory.add_user(user_from_mapping(entry))
    return directory


def _application(raw: dict[str, Any]) -> Application:
    data = dict(raw)
    data["redirect_uris"] = tuple(data.get("redirect_uris", ()))
    data["post_logout_redirect_uris"] = tuple(data.get("post_logout_redirect_uris", ()))
    if data.get("kind") not in {"aad", "b2c", "external"}:
        raise DirectoryError(f"application {data.get('name')}: kind must be 'aad', 'b2c' or 'external'")
    return Application(**data)


def _tenant(raw: dict[str, Any]) -> Tenant:
    data = dict(raw)
    data["verified_domains"] = tuple(data.get("verified_domains", ()))
    return Tenant(**data)


def _b2c(raw: dict[str, Any]) -> B2CTenant:
    data = dict(raw)
    data["policies"] = tuple(data.get("policies", ()))
    data["signup_policies"] = tuple(data.get("signup_policies", ()))
    data["reset_policies"] = tuple(data.get("reset_policies", ()))
    return B2CTenant(**data)
