"""What every adapter that talks to Microsoft shares, whichever library it uses: the
authorities' configuration (`config`), the process's HTTP client (`http`) and the OpenID
discovery cache (`discovery`). The MSAL gateway and the Graph profile reader each receive
the same client and cache from the container; replacing one keeps the other."""
from adapters.microsoft.config import AuthorityConfig
from adapters.microsoft.discovery import DiscoveryCache, OidcMetadata
from adapters.microsoft.http import LazyAsyncClient, tls_context

__all__ = ["AuthorityConfig", "DiscoveryCache", "LazyAsyncClient", "OidcMetadata", "tls_context"]
