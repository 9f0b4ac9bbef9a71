"""Operating the service: health checks, Prometheus metrics, JSON access logs — through the test
client, and end to end under gunicorn with two worker processes sharing the on-disk store."""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
LABELS = "SELECT ?l WHERE { <https://kg.xiancheng.example/id/division/141182> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


def samples(text: str) -> dict:
    """{(name, frozenset(labels)): value} of a Prometheus exposition."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(metrics: dict, name: str, **labels) -> float:
    return sum(v for (n, ls), v in metrics.items() if n == name and set(labels.items()) <= ls)


def test_liveness_and_readiness(client, release):
    for path in ("/health", "/health/live"):
        body = client.get(path).get_json()
        assert body == {"status": "live", "release": release.id, "store": "memory"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "release": release.id, "store": "memory",
                                "triples": release.triples}


def test_not_ready_when_the_store_cannot_answer(data_dir, release):
    from xiancheng.graph.workers import WorkerPool
    from xiancheng.service import create_app

    pool = WorkerPool.for_release(release, size=1)
    app = create_app(release=release, pool=pool, data_dir=data_dir, access_log=False)
    pool.close()
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["title"] == "Not ready"
    assert app.test_client().get("/health/live").status_code == 200


def test_metrics_count_requests_latencies_and_errors_per_endpoint(client, release):
    before = samples(client.get("/metrics").data.decode())
    assert client.get("/sparql", query_string={"query": LABELS}).status_code == 200
    assert client.get("/sparql", query_string={"query": "SELECT WHERE {"}).status_code == 400
    assert client.get("/queries/no-such-query").status_code == 404
    response = client.get("/metrics")
    assert response.mimetype == "text/plain"
    after = samples(response.data.decode())

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("xiancheng_http_requests_total", endpoint="sparql.sparql", status="200") == 1
    assert grew("xiancheng_http_requests_total", endpoint="sparql.sparql", status="400") == 1
    assert grew("xiancheng_http_errors_total", endpoint="sparql.sparql", status="400") == 1
    assert grew("xiancheng_http_errors_total", endpoint="named.run", status="404") == 1
    assert grew("xiancheng_http_request_duration_seconds_count", endpoint="sparql.sparql") == 2
    assert value(after, "xiancheng_store_triples", graph="divisions") == release.graphs["divisions"]["triples"]
    assert value(after, "xiancheng_release_info", release=release.id, store="memory") == 1


def test_a_deadline_hit_is_counted(client):
    before = samples(client.get("/metrics").data.decode())
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    assert client.get("/sparql", query_string={"query": slow}).status_code == 504
    after = samples(client.get("/metrics").data.decode())
    assert value(after, "xiancheng_query_deadlines_total") - value(before, "xiancheng_query_deadlines_total") == 1


@pytest.fixture
def access_records():

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    logger = logging.getLogger("xiancheng.access")
    handler = Keep()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_access_log_lines_are_json_with_the_query_duration(client, access_records, release):
    query = LABELS + " # access log test"
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": query},
                          headers={"X-Request-ID": "abc-123"}).status_code == 200
    formatter = next(h for h in logging.getLogger("xiancheng.access").handlers
                     if getattr(h, "xiancheng", False)).formatter
    first, second = (json.loads(formatter.format(r)) for r in access_records[-2:])
    assert first["path"] == "/sparql" and first["status"] == 200 and first["method"] == "GET"
    assert first["release"] == release.id and first["request_id"] == "abc-123"
    assert first["cache"] == "miss" and first["query_seconds"] <= first["seconds"]
    assert len(first["query_sha256"]) == 16 and "time" in first
    assert second["cache"] == "hit" and "query_seconds" not in second
    assert second["status"] == 200 and second["endpoint"] == "sparql.sparql"


def test_operations_are_documented():
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for path in ("/health", "/health/live", "/health/ready", "/metrics", "xiancheng load",
                 "--store-path", "PROMETHEUS_MULTIPROC_DIR"):
        assert path in deployment, f"docs/deployment.md does not mention {path}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "xiancheng load" in readme and "docs/deployment.md" in readme


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def test_gunicorn_workers_share_the_disk_store_and_add_up_their_metrics(data_dir, ondisk_path, tmp_path):
    from servers import start_xiancheng

    log = tmp_path / "gunicorn.log"
    server = start_xiancheng(data_dir, log, server="gunicorn", http_workers=2, query_workers=1,
                             store_path=ondisk_path, threads=2)
    try:
        assert json.loads(_get(server.url + "/health/ready"))["store"] == "disk"
        before = samples(_get(server.url + "/metrics").decode())
        for i in range(20):
            query = urllib.parse.quote(f"{LABELS} LIMIT {i + 1}")
            assert json.loads(_get(f"{server.url}/sparql?query={query}"))["results"]["bindings"]
        for _ in range(3):  # whichever worker answers, it reports both workers' requests
            after = samples(_get(server.url + "/metrics").decode())
            grown = (value(after, "xiancheng_http_requests_total", endpoint="sparql.sparql")
                     - value(before, "xiancheng_http_requests_total", endpoint="sparql.sparql"))
            assert grown == 20
    finally:
        server.stop()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    queries = [r for r in lines if r.get("endpoint") == "sparql.sparql"]
    assert len(queries) >= 20 and all("seconds" in r for r in queries)
    assert any("query_seconds" in r for r in queries)


def test_metrics_count_requests_the_response_cache_answers(client):
    """Repeated GETs are answered in front of Flask; they are still counted."""
    import re as _re

    def answered():
        text = client.get("/metrics").get_data(as_text=True)
        found = _re.search(r'xiancheng_http_requests_total\{endpoint="sparql\.sparql",method="GET",'
                           r'status="200"\} (\S+)', text)
        return float(found.group(1)) if found else 0.0

    query = LABELS + " # metrics of cache hits"
    before = answered()
    for _ in range(3):
        assert client.get("/sparql", query_string={"query": query}).status_code == 200
    assert answered() - before == 3
