"""The MSAL adapter: authorization-code flows with Azure AD and B2C, and ID-token validation."""
from adapters.microsoft.config import AuthorityConfig  # re-exported: configs predate the split
from adapters.msal.gateway import MsalGateway
from adapters.msal.id_token import IdTokenValidator

__all__ = ["AuthorityConfig", "IdTokenValidator", "MsalGateway"]
