"""`GET /metrics`: the Prometheus text exposition, on the public port unless
`SIGNIN_METRICS_PORT` moves it to a port of its own."""
from __future__ import annotations

from litestar import Response, get

from entrypoints.metrics import CONTENT_TYPE, Metrics


@get("/metrics", summary="Prometheus metrics (text exposition format)", sync_to_thread=False,
     media_type=CONTENT_TYPE, cache_control=None)
def metrics(metrics: Metrics) -> Response[bytes]:
    """Counters and histograms of every worker of this `serve` (one process's otherwise).
    No label holds a user id, an email or a token."""
    return Response(metrics.render(), media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
