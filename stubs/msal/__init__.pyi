# Type stubs for the part of MSAL (msal 1.39, which ships no py.typed) the MSAL adapter uses.
# Written from msal/application.py and msal/token_cache.py; only what adapters/msal calls.
# Results stay dict[str, Any]: MSAL returns Microsoft's JSON answers as plain dicts.
from collections.abc import MutableMapping, Sequence
from typing import Any

class TokenCache:
    def __init__(self) -> None: ...
    def add(self, event: dict[str, Any], now: float | None = None) -> None: ...

class ClientApplication:
    def __init__(
        self,
        client_id: str,
        client_credential: str | dict[str, Any] | None = None,
        authority: str | None = None,
        validate_authority: bool = True,
        token_cache: TokenCache | None = None,
        http_client: Any = None,
        verify: bool | str = True,
        proxies: dict[str, str] | None = None,
        timeout: float | None = None,
        client_claims: dict[str, Any] | None = None,
        app_name: str | None = None,
        app_version: str | None = None,
        client_capabilities: Sequence[str] | None = None,
        azure_region: str | None = None,
        exclude_scopes: Sequence[str] | None = None,
        http_cache: MutableMapping[str, Any] | None = None,
        instance_discovery: bool | None = None,
        allow_broker: bool | None = None,
        enable_pii_log: bool | None = None,
        oidc_authority: str | None = None,
    ) -> None: ...
    def initiate_auth_code_flow(
        self,
        scopes: list[str],
        redirect_uri: str | None = None,
        state: str | None = None,
        prompt: str | None = None,
        login_hint: str | None = None,
        domain_hint: str | None = None,
        claims_challenge: str | None = None,
        max_age: int | None = None,
        response_mode: str | None = None,
    ) -> dict[str, Any]: ...
    def acquire_token_by_auth_code_flow(
        self,
        auth_code_flow: dict[str, Any],
        auth_response: dict[str, str],
        scopes: list[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]: ...
    def acquire_token_by_refresh_token(
        self, refresh_token: str, scopes: list[str], **kwargs: Any
    ) -> dict[str, Any]: ...

class ConfidentialClientApplication(ClientApplication): ...
