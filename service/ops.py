"""Operating the service: health checks, Prometheus metrics and structured access logs.

* ``/health/live`` — the process answers (liveness); ``/health`` is the same, with what it serves.
* ``/health/ready`` — the store is loaded and answers a query (readiness); for a remote store, also
  that it holds this release (checked once). 503 with the usual error shape otherwise.
* ``/metrics`` — the Prometheus text format (prometheus_client): requests, latencies and errors
  per endpoint, query time, deadlines hit, query failures by reason, store size and release.
  Under gunicorn with several workers the metrics of all workers are aggregated through
  prometheus_client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``serve``).
* Access log — one JSON line per request on standard error (logger ``xiancheng.access``), with the
  request's duration and, when a query ran, the query's own duration and rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest

from xiancheng.graph.workers import Job, QueryTimeout

from .cache import RECORD as RESPONSE_CACHE_RECORD
from .errors import ApiError

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("xiancheng.access")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
FAILURES = {"TooManyRows": "too_many_rows", "EngineQueryError": "malformed", "Busy": "busy",
            "WorkerCrashed": "crashed", "StoreUnavailable": "store_unavailable",
            "StoreFailed": "store_failed"}


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class Metrics:
    """The service's metrics, in a registry of their own (tests make many apps in one process)."""

    def __init__(self):
        self.registry = CollectorRegistry()
        # in multiprocess mode values go to files that /metrics aggregates, not to a registry
        reg = None if _multiprocess() else self.registry
        labels = ["endpoint", "method", "status"]
        self.requests = Counter("xiancheng_http_requests", "HTTP requests answered.", labels, registry=reg)
        self.errors = Counter("xiancheng_http_errors", "HTTP requests answered with a 4xx or 5xx status.",
                              labels, registry=reg)
        self.latency = Histogram("xiancheng_http_request_duration_seconds", "Time to answer a request.",
                                 ["endpoint"], buckets=LATENCY_BUCKETS, registry=reg)
        self.query_seconds = Histogram("xiancheng_query_duration_seconds",
                                       "Time a query took in the store (cache misses only).",
                                       buckets=LATENCY_BUCKETS, registry=reg)
        self.deadlines = Counter("xiancheng_query_deadlines", "Queries stopped at the deadline "
                                 "(setting query_timeout).", registry=reg)
        self.failures = Counter("xiancheng_query_failures", "Queries that failed, by reason.",
                                ["reason"], registry=reg)
        self.triples = Gauge("xiancheng_store_triples", "Triples in the store, by graph.", ["graph"],
                             multiprocess_mode="max", registry=reg)
        self.store_bytes = Gauge("xiancheng_store_bytes", "Size of the on-disk store in bytes.",
                                 multiprocess_mode="max", registry=reg)
        self.release = Gauge("xiancheng_release_info", "The release served (always 1).",
                             ["release", "store"], multiprocess_mode="max", registry=reg)

    def exposition(self) -> bytes:
        if _multiprocess():
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


class MeteredBackend:
    """The query backend, timed and counted; also notes the query's duration for the access log."""

    def __init__(self, inner, metrics: Metrics):
        self.inner = inner
        self.metrics = metrics

    def run(self, job: Job, *args, **kwargs):
        start = time.perf_counter()
        try:
            answer = self.inner.run(job, *args, **kwargs)
        except QueryTimeout:
            self.metrics.deadlines.inc()
            self._note(start, job, error="deadline")
            raise
        except Exception as e:
            reason = FAILURES.get(type(e).__name__, "other")
            self.metrics.failures.labels(reason).inc()
            self._note(start, job, error=reason)
            raise
        self.metrics.query_seconds.observe(time.perf_counter() - start)
        self._note(start, job)  # rows are not logged: small results are never counted (workers.py)
        return answer

    @staticmethod
    def _note(start, job, **fields):
        if has_request_context():
            g.query_seconds = round(time.perf_counter() - start, 6)
            # which query it was, without writing (possibly long, possibly private) text to the log
            fields["query_sha256"] = hashlib.sha256(job.query.encode()).hexdigest()[:16]
            g.query_fields = fields

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _state():
    return current_app.extensions["xiancheng.ops"]


# --- endpoints -----------------------------------------------------------------------------------

@bp.route("/health")
@bp.route("/health/live")
def live():
    info = _state()["store"]
    return jsonify({"status": "live", "release": info.release, "store": info.kind})


@bp.route("/health/ready")
def ready():
    state = _state()
    info = state["store"]
    try:
        _check_ready(state)
    except Exception as e:  # whatever stops the store answering means: not ready
        raise ApiError(503, "Not ready", f"the {info.kind} store cannot answer yet: {e}",
                       {"Retry-After": "5"}) from None
    return jsonify({"status": "ready", "release": info.release, "store": info.kind,
                    "triples": info.triples})


def _check_ready(state) -> None:
    service = current_app.extensions["xiancheng"]
    backend = state["backend"]
    backend.run(Job("ASK {}", "ask"), deadline=2.0)
    if getattr(backend, "kind", None) == "remote" and not state.get("release_checked"):
        from xiancheng.graph.remote import RemoteStore, check_release

        problems = check_release(RemoteStore(backend.endpoint), service.release)
        if problems:
            raise RuntimeError("it does not hold this release (run `xiancheng load`): "
                               + "; ".join(problems[:3]))
        state["release_checked"] = True


@bp.route("/metrics")
def metrics():
    return Response(_state()["metrics"].exposition(), 200, {"Content-Type": CONTENT_TYPE_LATEST})


# --- hooks ---------------------------------------------------------------------------------------

def _before():
    g.started = time.perf_counter()


def _after(response):
    seconds = time.perf_counter() - g.pop("started", time.perf_counter())
    state = _state()
    endpoint = request.endpoint or "unmatched"
    record = request.environ.get(RESPONSE_CACHE_RECORD)
    if record is not None:  # the response cache answers repeats of this request by itself
        record["endpoint"] = endpoint
    status = str(response.status_code)
    m = state["metrics"]
    m.requests.labels(endpoint, request.method, status).inc()
    m.latency.labels(endpoint).observe(seconds)
    if response.status_code >= 400:
        m.errors.labels(endpoint, request.method, status).inc()
    if state["access_log"]:
        record = {"method": request.method, "path": request.path, "endpoint": endpoint,
                  "status": response.status_code, "seconds": round(seconds, 6),
                  "bytes": response.calculate_content_length(), "release": state["store"].release,
                  "remote_addr": request.remote_addr,
                  "user_agent": request.headers.get("User-Agent")}
        if request.headers.get("X-Request-ID"):
            record["request_id"] = request.headers["X-Request-ID"][:100]
        if "query_seconds" in g:
            record["query_seconds"] = g.query_seconds
            record.update(g.get("query_fields", {}))
        if endpoint in ("sparql.sparql", "named.run") and response.status_code in (200, 304):
            record["cache"] = "miss" if "query_seconds" in g else "hit"
        access_log.info("request", extra={k: v for k, v in record.items() if v is not None})
    return response


def cache_hit_recorder(app: Flask):
    """What the response cache (service/cache.py) calls for each request it answers without
    Flask, so that /metrics and the access log count every request."""
    state = app.extensions["xiancheng.ops"]

    def record(environ, status, endpoint, seconds, size):
        endpoint = endpoint or "unmatched"
        m = state["metrics"]
        m.requests.labels(endpoint, environ["REQUEST_METHOD"], str(status)).inc()
        m.latency.labels(endpoint).observe(seconds)
        if state["access_log"]:
            entry = {"method": environ["REQUEST_METHOD"], "path": environ.get("PATH_INFO", ""),
                     "endpoint": endpoint, "status": status, "seconds": round(seconds, 6),
                     "bytes": size, "release": state["store"].release,
                     "remote_addr": environ.get("REMOTE_ADDR"),
                     "user_agent": environ.get("HTTP_USER_AGENT"), "cache": "hit"}
            if environ.get("HTTP_X_REQUEST_ID"):
                entry["request_id"] = environ["HTTP_X_REQUEST_ID"][:100]
            access_log.info("request", extra={k: v for k, v in entry.items() if v is not None})
    return record


class _StandardError(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners and servers replace it)."""

    xiancheng = True

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _configure_access_log() -> None:
    if any(getattr(h, "xiancheng", False) for h in access_log.handlers):
        return
    from pythonjsonlogger.json import JsonFormatter

    handler = _StandardError()
    handler.setFormatter(JsonFormatter("%(message)s", timestamp="time", json_ensure_ascii=False))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False


def init_app(app: Flask) -> None:
    """Meter the query backend, hook request timing, and publish the store's size."""
    from .backend import store_info

    service = app.extensions["xiancheng"]
    metrics = Metrics()
    inner = service.backend
    service.backend = MeteredBackend(inner, metrics)
    info = store_info(service.settings, service.release)
    for name, triples in info.graphs.items():
        metrics.triples.labels(name).set(triples)
    if info.bytes is not None:
        metrics.store_bytes.set(info.bytes)
    metrics.release.labels(info.release, info.kind).set(1)
    app.extensions["xiancheng.ops"] = {"metrics": metrics, "store": info, "backend": inner,
                                       "access_log": bool(service.settings.access_log)}
    if service.settings.access_log:
        _configure_access_log()
    app.before_request(_before)
    app.after_request(_after)
