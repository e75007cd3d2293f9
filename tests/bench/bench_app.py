"""The service app with one more route, `GET /bench/bare`: a bare Litestar JSON handler in
the same app and process (same middleware, access log, server), the yardstick of every
ratio. Only the benchmarks start it: `uvicorn --factory tests.bench.bench_app:app_factory`."""
from __future__ import annotations

from litestar import Litestar, get

from entrypoints.asgi import app_factory as service_factory


@get("/bench/bare", sync_to_thread=False)
def bare() -> dict[str, str]:
    return {"status": "ok"}


def app_factory() -> Litestar:
    app = service_factory()
    app.register(bare)
    return app
