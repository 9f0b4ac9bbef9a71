"""Wiring the writable store into the service.

With a write (or admin) token configured, this process becomes the store's writer: the release is
copied once into ``<data_dir>/live`` (graph.livestore) and from then on the query workers read the
newest checkpoint of that store, switching as writes are published. Without a write token but with
an existing live store (written earlier), the service serves that store read-only, so data that
was written is never hidden by a restart. Otherwise nothing changes: the workers read the release.

Writes need a single server process (granian or gunicorn with one HTTP worker, or waitress).
"""

from __future__ import annotations

import atexit
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, request

from xiancheng.graph.livestore import LiveBackend, LiveStore
from xiancheng.graph.writes import WriteError, WriteRejected, WriteResult, Writer

from . import auth
from .errors import error_response


def live_root(settings) -> Path:
    return Path(settings.data_dir) / "live"


def open_live_store(settings, release) -> LiveStore | None:
    """The live store this process serves (and writes, if writes are on), or None."""
    root = live_root(settings)
    if settings.remote_query_url:
        return None   # the data lives in the remote store: write to it there
    if auth.Tokens(auth.tokens_path(settings)).writers_configured():
        if settings.server in ("gunicorn", "granian") and int(settings.http_workers) > 1:
            raise ValueError("writes need a single server process: set http_workers = 1 (or use "
                             "waitress), or remove the write tokens")
        live = LiveStore(root).open_writer(release)
        atexit.register(live.close)
        return live
    if LiveStore.exists(root):
        return LiveStore(root).open_reader()
    return None


def open_backend(settings, live: LiveStore):
    """Query workers on the live store's newest checkpoint (wrapped by init_app)."""
    from xiancheng.graph.workers import WorkerPool

    return WorkerPool(live.worker_source(), size=settings.query_workers, deadline=settings.query_timeout)


def init_app(app: Flask, settings, live: LiveStore | None) -> None:
    svc = app.extensions["xiancheng"]
    if live is None:
        return
    backend = LiveBackend(svc.backend, live, follow=live.primary is None)
    svc.backend = svc.live = backend
    if svc.cache is not None:   # entries of older versions can never be hit again: free them
        def forget(_source):
            svc.cache.clear()
            getattr(app.wsgi_app, "clear", lambda: None)()   # the response cache, if any
        live.on_publish.append(forget)
    if live.primary is not None:
        gate = None
        if settings.shapes_file:
            from rdflib import Graph

            from xiancheng.graph.gate import ShapeGate

            gate = ShapeGate(Graph().parse(settings.shapes_file, format="turtle"))
        writer = Writer(live, svc.minter.base, backend=backend, gate=gate, wait=settings.write_timeout,
                        max_rows=settings.max_rows, max_length=settings.max_body,
                        max_depth=settings.max_query_depth)
        app.extensions["xiancheng.writer"] = writer
        atexit.register(writer.close)


def write_response(result: WriteResult, status: int = 200, headers: dict | None = None) -> Response:
    headers = {"X-Data-Version": result.data_version, **(headers or {})}
    if status == 204:
        return Response(status=204, headers=headers)
    response = jsonify(result.to_json())
    response.status_code = status
    response.headers.update(headers)
    return response


def error_for(e: WriteError) -> Response:
    """The answer to a refused write: the usual error shape, plus the validation report for 422
    (Turtle if the client asks for it, else JSON with the violations and the Turtle report)."""
    if isinstance(e, WriteRejected):
        report = e.result.report.serialize(format="turtle")
        best = request.accept_mimetypes.best_match(["application/json", "text/turtle"])
        if best == "text/turtle" and request.accept_mimetypes["text/turtle"] > request.accept_mimetypes["application/json"]:
            return Response(report, 422, content_type="text/turtle; charset=utf-8")
        body = {"error": {"status": 422, "title": e.title, "detail": e.detail},
                "conforms": False,
                "violations": [{"focus": str(v.focus), "path": v.path and str(v.path),
                                "shape": str(v.shape), "component": str(v.component),
                                "message": v.message, "value": None if v.value is None else str(v.value)}
                               for v in e.result.violations],
                "report": report}
        response = jsonify(body)
        response.status_code = 422
        return response
    headers = {"Retry-After": "1"} if e.status == 503 else None
    return error_response(e.status, e.title, e.detail, headers)


def writer():
    return current_app.extensions.get("xiancheng.writer")
