"""`serve --workers N` and its metrics: one `SIGNIN_METRICS_PORT` answers for every worker
(prometheus-client's multiprocess files), and `/metrics` leaves the public port."""
from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.reliability.processes import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def _count(text: str, route: str) -> float:
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "azure_signin_request_duration_seconds_count" and s.labels.get("route") == route)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_metrics_port_counts_every_workers_requests(start_service, workers):
    metrics_port = free_port()
    base, _ = start_service("--workers", workers, SIGNIN_METRICS_PORT=str(metrics_port))
    with httpx.Client(timeout=10) as client:
        for _ in range(40):  # new connections: the kernel spreads them over the workers
            assert httpx.get(f"{base}/health/live", timeout=10).status_code == 200
        assert client.get(f"{base}/metrics").status_code == 404
        text = client.get(f"http://127.0.0.1:{metrics_port}/metrics").text
    # the readiness polls of start_service are counted too
    assert _count(text, "/health/live") >= 40
    pool = [s for f in text_string_to_metric_families(text) for s in f.samples
            if s.name == "azure_signin_db_pool_size"]
    assert pool and pool[0].value == 10 * int(workers)  # summed over the live workers
