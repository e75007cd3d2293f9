"""Every route the app registers, so that a test walking them covers a route added later."""
from __future__ import annotations

import re
from typing import Any

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_PARAMETER = re.compile(r"\{[^}]+\}")


def registered_routes(app: Any) -> list[tuple[str, str]]:
    """(method, concrete path) for every HTTP route handler of `app`, path parameters
    filled with `1`; logout routes last, since they close the session a walk uses."""
    found = {
        (method, _PARAMETER.sub("1", route.path))
        for route in app.routes
        for method in getattr(route, "methods", ())
    }
    return sorted(found, key=lambda r: ("logout" in r[1], r[1], r[0]))


def body_routes(app: Any) -> list[tuple[str, str]]:
    return [(m, p) for m, p in registered_routes(app) if m in BODY_METHODS]
