"""Named queries: /queries lists them (HTML and JSON), /queries/<name> runs one.

Parameters come from the URL (``?county=141182``), are validated by type and passed to the engine
as pre-bound variables — never spliced into the query text.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for

from xiancheng.graph.queries import ParameterError

from .errors import ApiError
from .hardening import query_args
from .sparql import run_query, service

bp = Blueprint("named", __name__)

RESERVED = {"format", "inference", "lang", "download"}


def _describe(query) -> dict:
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": query.tags,
        "params": [{"name": p.name, "type": p.type, "required": p.required,
                    "description": p.description, "example": p.example} for p in query.params],
        "url": url_for("named.run", name=query.name, _external=True),
        "sparql": query.text,
    }


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return request.args.get("format") == "json" or (
        accept.best_match(["text/html", "application/json"]) == "application/json")


@bp.route("/queries")
@bp.route("/queries.json", endpoint="index_json")
def index():
    queries = [_describe(q) for q in service().queries.values()]
    if request.path.endswith(".json") or _wants_json():
        return jsonify({"queries": queries})
    link = f'<{url_for("named.index_json")}>; rel="alternate"; type="application/json"'
    return render_template("queries.html", queries=queries), 200, {"Link": link}


@bp.route("/queries/<name>", methods=["GET", "HEAD"])
def run(name):
    query = service().queries.get(name)
    if query is None:
        raise ApiError(404, "No such query", f"there is no named query '{name}'; see /queries")
    params = query_args()
    values = {k: v for k, v in params.items() if k not in RESERVED}
    try:
        bindings = query.bindings(values, service().minter)
    except ParameterError as e:
        raise ApiError(400, "Invalid parameter", str(e)) from None
    return run_query(query.text, params, bindings)
