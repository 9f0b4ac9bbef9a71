"""One error shape for the whole service.

JSON (the documented shape)::

    {"error": {"status": 400, "title": "Malformed query", "detail": "error at 1:8: …"}}

A client that prefers HTML gets a small page, and one that accepts neither JSON nor HTML (many
SPARQL clients) gets ``text/plain``. No stack trace ever reaches a client.
"""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, title: str, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.headers = headers or {}


def error_response(status: int, title: str, detail: str, headers: dict | None = None) -> Response:
    body = {"error": {"status": status, "title": title, "detail": detail}}
    best = request.accept_mimetypes.best_match(
        ["application/json", "text/html", "text/plain", "application/sparql-results+json"])
    if best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]:
        response = Response(render_template("error.html", status=status, title=title, detail=detail),
                            status, mimetype="text/html")
    elif best == "text/plain" or (best is None and request.accept_mimetypes.provided):
        response = Response(f"{status} {title}: {detail}\n", status, mimetype="text/plain")
    else:
        response = Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(e: ApiError):
        return error_response(e.status, e.title, e.detail, e.headers)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        headers = dict(e.get_headers())
        headers.pop("Content-Type", None)
        return error_response(e.code or 500, e.name, e.description or e.name, headers)

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal Server Error",
                              "something went wrong on the server; it has been logged")
