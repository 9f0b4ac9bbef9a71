"""What every endpoint gets: strict input checks and security headers.

* A query string that is not UTF-8 gets 400 (werkzeug would quietly replace the bad bytes).
* Unknown parameters get 400 naming the known ones, on the endpoints listed in
  ``KNOWN_PARAMETERS`` (named queries check theirs against each query's declared parameters).
* A JSON body nested deeper than ``max_query_depth`` gets 400 (1,000 levels made Flask answer
  500), and so does any input deep enough to exhaust Python's recursion.
* Every response says ``X-Content-Type-Options: nosniff``; HTML pages also get a Content Security
  Policy (setting ``content_security_policy``), ``X-Frame-Options: DENY`` and a referrer policy.

Bodies larger than ``max_body`` are refused with 413: by Flask (``MAX_CONTENT_LENGTH``) when their
length is declared, by waitress (``max_request_body_size``), and here for chunked bodies, which
granian would let werkzeug cut short without a word.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qsl

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from xiancheng.graph.safeparse import json_depth

from .errors import ApiError, error_response

# output and results are other servers' names for format (Fuseki, Virtuoso); SPARQLWrapper sends
# them beside format and Accept, which decide here, so they are accepted and not used.
SPARQL_PARAMETERS = {"query", "update", "default-graph-uri", "named-graph-uri", "format", "inference",
                     "lang", "download", "output", "results"}
KNOWN_PARAMETERS = {
    "sparql.sparql": SPARQL_PARAMETERS,
    "named.index": {"format", "lang"},
    "named.index_json": {"format", "lang"},
    "ui.index": {"lang"},
    "update.update": {"update", "using-graph-uri", "using-named-graph-uri"},
    "store_protocol.store": {"graph", "default", "format"},
    "apidoc.openapi": set(),
    # the linked-data pages (lang: the language switch of every page) and operations
    "resources.dereference": {"lang"},
    "browse.index": {"lang", "format"},
    "browse.listing": {"lang", "format", "page", "within"},
    "search.search_json": {"q", "limit", "type", "lang"},
    "search.search_page": {"q", "limit", "type", "lang"},
    "dumps.index": {"lang"},
    "dumps.download": set(),
    "dataset.dataset": {"lang"},
    "dataset.well_known_void": set(),
    "ops.live": set(),
    "ops.ready": set(),
    "ops.metrics": set(),
}
# The network API (service/explore.py) checks its own parameters, as named queries do.
JSON_TYPES = ("application/json", "application/ld+json", "application/sparql-results+json")


def register_parameters(endpoint: str, names: set[str]) -> None:
    """Declare the parameters of an endpoint (others get 400)."""
    KNOWN_PARAMETERS[endpoint] = set(names)


def _bound_chunked_body(limit: int) -> None:
    """Read a chunked body (no Content-Length) here, up to one byte past ``max_body``: some servers
    (granian) hand werkzeug a stream that it would cut at the limit without a word, so a 5 MB
    upload reached the views as 1 MB of it. What is read is handed on with its length."""
    environ = request.environ
    if request.content_length is not None or not environ.get("wsgi.input_terminated"):
        return
    data = environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "Request Entity Too Large", f"the request body is larger than {limit} "
                       "bytes (setting max_body)")
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)


def strict_pairs(raw: bytes, where: str) -> MultiDict:
    """Parse URL-encoded pairs, refusing bytes that are not UTF-8, before or after percent-decoding
    (werkzeug would replace them)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "Invalid encoding", f"the {where} is not UTF-8; percent-encode "
                       "parameters as UTF-8") from None
    try:
        return MultiDict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict"))
    except UnicodeDecodeError:
        raise ApiError(400, "Invalid encoding", f"a parameter of the {where} is not UTF-8 once "
                       "percent-decoded; percent-encode parameters as UTF-8") from None


_ARGS = "xiancheng.query_args"


def query_args() -> ImmutableMultiDict:
    """The request's query-string parameters, parsed strictly once per request (a 2 KB query
    takes 0.1-0.2 ms to decode, and the checks here and the views all need it)."""
    args = request.environ.get(_ARGS)
    if args is None:
        args = ImmutableMultiDict(strict_pairs(request.query_string, "query string"))
        request.environ[_ARGS] = args
    return args


def _check_parameters() -> None:
    known = KNOWN_PARAMETERS.get(request.endpoint or "")
    if known is None:
        return
    names = set(query_args().keys())
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        body = request.get_data(cache=True).decode("utf-8", "replace")
        names |= {name for name, _ in parse_qsl(body, keep_blank_values=True, errors="replace")}
    unknown = sorted(names - known)
    if unknown:
        raise ApiError(400, "Unknown parameter", f"{', '.join(unknown)}: not a parameter of "
                       f"{request.path} (it takes: {', '.join(sorted(known)) or 'none'})")


def _check_json_depth(max_depth: int) -> None:
    if request.mimetype in JSON_TYPES or request.mimetype.endswith("+json"):
        body = request.get_data(cache=True)
        if body and json_depth(body.decode("utf-8", "replace")) > max_depth:
            raise ApiError(400, "Too deeply nested", f"the JSON body nests more than {max_depth} "
                           "levels; flatten it")


def init_app(app: Flask, settings) -> None:
    csp = settings.content_security_policy

    @app.before_request
    def _screen():
        _bound_chunked_body(app.config["MAX_CONTENT_LENGTH"])
        if request.endpoint == "static":
            return
        query_args()   # refuses a query string that is not UTF-8
        _check_json_depth(settings.max_query_depth)
        _check_parameters()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            if csp:
                response.headers.setdefault("Content-Security-Policy", csp)
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
            response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    @app.errorhandler(RecursionError)
    def _too_deep(_e):
        return error_response(400, "Too deeply nested", "the input nests too deeply to be read")
