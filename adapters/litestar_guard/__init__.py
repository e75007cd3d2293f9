"""A guard for Litestar applications that accept the sign-in service's tokens.

    from adapters.litestar_guard import SigninAuth, SignedInUser

    auth = SigninAuth(os.environ["SIGNIN_URL"])
    app = Litestar([...], middleware=[auth.middleware], on_shutdown=[auth.aclose])

It ships in the service's wheel (`pip install azure-signin`) so a resource server needs
nothing else; it uses only Litestar, httpx and PyJWT, and none of the service's settings,
container or storage. See docs/resource-servers.md.
"""
from adapters.litestar_guard.guard import SignedInUser, SigninAuth

__all__ = ["SignedInUser", "SigninAuth"]
