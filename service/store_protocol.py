"""The SPARQL 1.1 Graph Store HTTP Protocol at /store, with indirect graph identification
(``/store?graph=IRI``) and direct identification (``/store/<path>``: the request's own URL, without
its query string, is the graph's IRI — e.g. ``PUT http://host/store/notes/1.ttl``).

* ``GET|HEAD /store?graph=IRI`` (or ``?default``): the graph, in any RDF format by ``Accept`` or
  ``format=`` — for everyone; 404 if there is no such graph.
* ``PUT /store?graph=IRI``: replace the graph with the body (Turtle, N-Triples, RDF/XML or JSON-LD);
  201 if it is new, else 204.
* ``POST /store?graph=IRI``: add the body to the graph (also ``multipart/form-data``, one document
  per part); ``POST /store`` alone makes a new graph and answers 201 with its IRI in ``Location``.
* ``DELETE /store?graph=IRI``: drop the graph; 204, or 404 if there is none.

Writes need a write token and go through the same checks as SPARQL updates (shapes, reasoning,
change log, durability). Uploads are screened and parsed in a separate process (graph.safeparse).
The default graph is the store's own default graph (empty in a release, where everything is in
named graphs); queries at /sparql see the union of all graphs as their default graph.
"""

from __future__ import annotations

import json
import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.routing import PathConverter

from xiancheng.graph.formats import RESULT_FORMATS, rdf_format
from xiancheng.graph.safeparse import UPLOAD_FORMATS, ParseFailed, UnsafeInput, screen_rdf
from xiancheng.graph.writes import WriteError

from .auth import require_writer
from .core import QueryRequest
from .errors import ApiError
from .hardening import query_args
from .live import error_for, write_response
from .negotiation import choose
from .sparql import service

bp = Blueprint("store_protocol", __name__)


class AnyPathConverter(PathConverter):
    """A path that may hold any character, line breaks included (werkzeug's ``path`` stops at
    them, and the URL would then be 404 instead of naming a graph)."""

    regex = "[^/](?s:.*?)"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("anypath", AnyPathConverter))


def _target(params, method: str) -> str | None:
    """The graph IRI, '' for the default graph, or None for the graph store itself."""
    graphs = params.getlist("graph")
    if len(graphs) > 1:
        raise ApiError(400, "Several graphs", "name one graph per request")
    if graphs and "default" in params:
        raise ApiError(400, "Two targets", "give either graph=IRI or default, not both")
    if "default" in params:
        if params.getlist("default") != [""]:
            raise ApiError(400, "Invalid parameter", "default takes no value and is given once: ?default")
        return ""
    if not graphs:
        if method == "POST":
            return None
        raise ApiError(400, "Missing graph", "name the graph: ?graph=IRI, or ?default for the default graph")
    try:
        return ox.NamedNode(graphs[0]).value
    except ValueError as e:
        raise ApiError(400, "Invalid graph IRI", f"graph={graphs[0]!r} is not an absolute IRI ({e})") from None


def _accept() -> MIMEAccept:
    """The Accept header without media-type parameters (``text/turtle; charset=utf-8`` is Turtle;
    werkzeug would match it only to an offer with the same parameters)."""
    return MIMEAccept([(value.split(";")[0].strip(), quality) for value, quality in request.accept_mimetypes])


def _get(graph: str, params) -> Response:
    svc = service()
    fmt = choose("construct", _accept(), params.get("format"))
    if graph:
        iri = str(ox.NamedNode(graph))
        ask = svc.execute(QueryRequest(f"# graph store: exists\nASK {{ GRAPH {iri} {{ }} }}",
                                       RESULT_FORMATS["json"]), "ask", True)
        if not json.loads(ask.data)["boolean"]:
            raise ApiError(404, "No such graph", f"there is no graph <{graph}> in the store")
        text = f"# graph store: named graph\nCONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}"
    else:
        text = "# graph store: default graph\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    entry = svc.execute(QueryRequest(text, fmt), "construct", True)
    etag = f'"{entry.etag}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept",
               "X-Data-Version": svc.version}
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    return Response(entry.data, 200, headers=headers, content_type=entry.media_type)


def _upload_format(media_type: str, charset: str | None):
    if charset and charset.lower() not in ("utf-8", "utf8"):
        raise ApiError(415, "Unsupported charset", f"send the document as UTF-8, not {charset}")
    try:
        fmt = rdf_format(media_type)
    except KeyError:
        fmt = None
    if fmt is None or fmt.name not in UPLOAD_FORMATS:
        offered = ", ".join(f.media_type for f in UPLOAD_FORMATS.values())
        raise ApiError(415, "Unsupported media type", f"send the graph as one of: {offered} (not "
                       f"{media_type or 'no content type'})")
    return fmt


def _parse(writer, data: bytes, fmt, base: str) -> bytes:
    settings = service().settings
    try:
        screen_rdf(data, fmt, settings.max_body, settings.max_query_depth)
        return writer.sandbox.parse(data, fmt, base_iri=base)
    except UnsafeInput as e:
        raise ApiError(e.status, "Refused document", str(e)) from None
    except ParseFailed as e:
        raise ApiError(400, "Invalid document", " ".join(str(e).split())[:400]) from None


def _document(writer, base: str) -> bytes:
    """The request body (or each multipart part), parsed to N-Quads."""
    if request.mimetype == "multipart/form-data":
        if request.method != "POST":
            raise ApiError(415, "Unsupported media type", "multipart/form-data is for POST")
        parts = list(request.files.values())
        if not parts:
            raise ApiError(400, "Empty upload", "the multipart body has no file parts")
        return b"".join(_parse(writer, part.read(), _upload_format(part.mimetype, part.mimetype_params.get("charset")), base)
                        for part in parts)
    fmt = _upload_format(request.mimetype, request.mimetype_params.get("charset"))
    return _parse(writer, request.get_data(cache=True), fmt, base)


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def store():
    params = query_args()
    return _handle(_target(params, request.method), params)


@bp.route("/store/<anypath:name>", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def store_direct(name: str):
    """Direct graph identification: this URL is the graph's IRI."""
    params = query_args()
    if "graph" in params or "default" in params:
        raise ApiError(400, "Two targets", f"{request.path} names its graph by its URL already: "
                       "leave out graph= and default, or send them to /store")
    try:
        graph = ox.NamedNode(request.base_url).value
    except ValueError as e:
        raise ApiError(400, "Invalid graph IRI", f"{request.base_url!r} is not a valid IRI ({e})") from None
    return _handle(graph, params)


def _handle(graph: str | None, params) -> Response:
    if request.method in ("GET", "HEAD"):
        return _get(graph, params)
    writer, agent = require_writer()
    if request.method == "DELETE":
        call = lambda: writer.delete_graph(graph, agent)  # noqa: E731
    else:
        location = None
        if graph is None:
            graph = service().minter.graph(f"posted-{uuid.uuid4().hex[:16]}")
            graph, location = str(graph), str(graph)
        nquads = _document(writer, graph or request.base_url)
        method = writer.put_graph if request.method == "PUT" else writer.post_graph
        call = lambda: method(graph, nquads, agent)  # noqa: E731
    try:
        result = call()
    except WriteError as e:
        return error_for(e)
    if request.method == "DELETE":
        return write_response(result, 204)
    if graph and graph in result.created:
        headers = {"Location": location} if location else {}
        return write_response(result, 201, headers)
    return write_response(result, 204)

