"""A local, TLS, protocol-faithful stand-in for Azure AD v2, Azure AD B2C and Microsoft Graph.

Entry points: `create_sandbox_app` (in-process ASGI app), `server.serve` (the
`azure-signin sandbox` command), `testing.running_sandbox` (a served sandbox for tests),
`tls.ca_path` / `tls.ensure_certificates`. See docs/sandbox.md.
"""

from .app import create_sandbox_app
from .directory import Directory, load_directory
from .tls import ca_path, ensure_certificates

__all__ = ["Directory", "ca_path", "create_sandbox_app", "ensure_certificates", "load_directory"]
