"""The MSAL adapter: authorization-code flows with Azure AD and B2C, and ID-token validation."""
from adapters.msal.config import AuthorityConfig
from adapters.msal.gateway import MsalGateway
from adapters.msal.id_token import IdTokenValidator

__all__ = ["AuthorityConfig", "IdTokenValidator", "MsalGateway"]
