"""The knobs of the sign-in rules, set by the operator and passed to the use cases."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from core.emails import normalise_domain

# Mail providers whose addresses say nothing about an organisation: they never get a user
# directory or an identity-provider domain of their own.
DEFAULT_CONSUMER_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
    "protonmail.com", "gmx.com", "gmx.net", "mail.com", "zoho.com", "yandex.com",
})

# An invite's accept link lives this long unless the operator says otherwise, and never
# longer than the maximum (a forgotten link must not stay a key for months).
DEFAULT_INVITE_LIFETIME = timedelta(days=7)
MAX_INVITE_LIFETIME = timedelta(days=30)
# `workspace_creators` value meaning "any user with a verified email".
ANY_VERIFIED_USER = "*"

# Personal Microsoft accounts sign in from this tenant.
CONSUMER_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"


@dataclass(frozen=True)
class SignInPolicy:
    """Lifetimes and lists the rules depend on; every value has a safe default."""

    consumer_domains: frozenset[str] = field(default=DEFAULT_CONSUMER_DOMAINS)
    flow_lifetime: timedelta = timedelta(minutes=10)
    session_idle: timedelta = timedelta(hours=2)
    session_absolute: timedelta = timedelta(hours=12)
    token_lifetime: timedelta = timedelta(hours=1)
    max_attempts: int = 4
    # Microsoft re-confirms each session (its refresh token redeemed) at most this often...
    revalidate_interval: timedelta = timedelta(minutes=15)
    # ...and a session Microsoft could not confirm for this long closes (fail closed).
    max_unconfirmed: timedelta = timedelta(hours=1)
    revalidate_batch: int = 100
    default_directory_name: str = "Default directory"
    invite_lifetime: timedelta = DEFAULT_INVITE_LIFETIME
    # Who may create a workspace over HTTP: nobody (empty), any verified user
    # (`ANY_VERIFIED_USER`), or users whose verified email is in one of these domains.
    workspace_creators: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (
            "flow_lifetime", "session_idle", "session_absolute", "token_lifetime",
            "revalidate_interval", "max_unconfirmed",
        ):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be positive")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.revalidate_batch < 1:
            raise ValueError("revalidate_batch must be at least 1")
        if self.max_unconfirmed < self.revalidate_interval:
            raise ValueError("max_unconfirmed must be at least revalidate_interval")
        if not timedelta(0) < self.invite_lifetime <= MAX_INVITE_LIFETIME:
            raise ValueError("invite_lifetime must be positive and at most 30 days")
        # compared with normalised email domains: normalised by the same one function
        domains = {normalise_domain(d) for d in self.consumer_domains}
        if None in domains:
            raise ValueError("consumer_domains must be valid (IDNA2008) domains")
        object.__setattr__(self, "consumer_domains", frozenset(d for d in domains if d))

    def is_consumer_domain(self, domain: str | None) -> bool:
        return domain is not None and domain in self.consumer_domains
