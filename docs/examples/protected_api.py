"""A resource server protected by the sign-in service: a runnable Litestar app.

    SIGNIN_URL=http://localhost:8000 uvicorn docs.examples.protected_api:app --port 8080

- `GET /hello` answers the signed-in user's email;
- `GET /workspaces/{workspace_id}/notes` needs `editor` (or `owner`) in that workspace.

Settings: `SIGNIN_URL` (required: where the service answers), `SIGNIN_ISSUER` (the `iss`
of its tokens, i.e. the service's SIGNIN_PUBLIC_URL; default SIGNIN_URL) and
`SIGNIN_AUDIENCE` (default `azure-signin`, the service's SIGNIN_JWT_AUDIENCE).
"""
from __future__ import annotations

import os
from typing import Any

from litestar import Litestar, Request, get

from adapters.litestar_guard import SignedInUser, SigninAuth

try:
    SERVICE = os.environ["SIGNIN_URL"]
except KeyError:
    raise SystemExit("protected_api: set SIGNIN_URL to the sign-in service's URL") from None

auth = SigninAuth(
    SERVICE,
    issuer=os.environ.get("SIGNIN_ISSUER") or None,
    audience=os.environ.get("SIGNIN_AUDIENCE", "azure-signin"),
)


@get("/hello")
async def hello(request: Request[SignedInUser, str, Any]) -> dict[str, Any]:
    return {"email": request.user.email}


@get("/workspaces/{workspace_id:int}/notes", guards=[auth.requires_role("editor")])
async def notes(workspace_id: int, request: Request[SignedInUser, str, Any]) -> dict[str, Any]:
    return {"workspace": workspace_id, "author": request.user.email,
            "notes": [{"id": 1, "text": "Only editors and owners read this."}]}


app = Litestar([hello, notes], middleware=[auth.middleware], on_shutdown=[auth.aclose])
