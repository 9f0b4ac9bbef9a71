"""The SPARQL 1.1 Protocol query operation at /sparql, and its Service Description.

GET with ``query=``, POST form-encoded, or POST ``application/sparql-query``; ``default-graph-uri``
and ``named-graph-uri`` set the dataset (graphs not in the store are empty; nothing is ever fetched).
Extra parameters: ``format`` (instead of Accept), ``inference=false`` (leave the inferred graph out
of the default graph) and ``lang`` (the preferred language of ``xcf:label``).
"""

from __future__ import annotations

import re
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MultiDict

from .cache import RECORD
from .core import QueryRequest
from .errors import ApiError
from .hardening import query_args, strict_pairs
from .negotiation import GRAPH_TYPES, choose
from . import description

bp = Blueprint("sparql", __name__)

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def service():
    return current_app.extensions["xiancheng"]


def _body() -> bytes:
    """The request body, refused (413) past ``max_body``. A chunked body (no Content-Length) is
    read here up to one byte past the limit: some servers (granian) hand werkzeug a stream that
    it would silently cut at the limit."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        return request.get_data(cache=True)  # werkzeug answers 413 past a declared length
    data = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "Request Entity Too Large", f"the request body is larger than {limit} "
                       "bytes (setting max_body)")
    return data


def protocol_params() -> tuple[MultiDict, str | None]:
    """The request's parameters and the query text (None when there is none)."""
    url = query_args()
    if request.method in ("GET", "HEAD"):
        params, body_query = url, None
    elif request.method == "POST":
        ctype = request.mimetype
        if ctype == FORM:
            form = strict_pairs(_body(), "request body")
            params = MultiDict(list(url.items(multi=True)) + list(form.items(multi=True)))
            body_query = None
        elif ctype == DIRECT:
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise ApiError(415, "Unsupported charset", f"send the query as UTF-8, not {charset}")
            try:
                body_query = _body().decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(400, "Invalid encoding", "the request body is not UTF-8") from None
            params = url
        elif ctype == "application/sparql-update":
            raise ApiError(400, "Updates not accepted", "this endpoint only answers queries")
        elif not ctype:
            raise ApiError(415, "Missing content type", f"POST a query as {FORM} (query=…) or as {DIRECT}")
        else:
            raise ApiError(415, "Unsupported media type", f"POST a query as {FORM} (query=…) or as "
                           f"{DIRECT}, not {ctype}")
    else:  # pragma: no cover - routing only allows the methods above
        raise ApiError(405, "Method Not Allowed", "use GET or POST")
    if params.getlist("update"):
        raise ApiError(400, "Updates not accepted", "this endpoint only answers queries; updates are not accepted")
    queries = params.getlist("query")
    if body_query is not None:
        if queries:
            raise ApiError(400, "Two queries", f"send the query in the body of a {DIRECT} POST or as "
                           "the query parameter, not both")
        return params, body_query
    if len(queries) > 1:
        raise ApiError(400, "Several queries", f"send exactly one query parameter, not {len(queries)}")
    return params, (queries[0] if queries else None)


def _graphs(params: MultiDict, name: str) -> list[str] | None:
    values = params.getlist(name)
    for value in values:
        if not _IRI.match(value):
            raise ApiError(400, "Invalid graph IRI", f"{name}={value!r} is not an absolute IRI")
    return values or None


def _boolean(params: MultiDict, name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ApiError(400, "Invalid parameter", f"{name} must be true or false, not {value!r}")


def language(params: MultiDict) -> str | None:
    lang = params.get("lang")
    if lang is not None:
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang):
            raise ApiError(400, "Invalid parameter", f"lang must be a language tag such as zh or en, not {lang!r}")
        return lang.lower()
    return request.accept_languages.best_match(["zh", "en"])


_BASE = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]+)?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$")


def base_iri() -> str | None:
    """The endpoint's URL, which relative IRIs in a query resolve against (built from the request
    line and Host header, which werkzeug's ``base_url`` does slowly); None if it is not a plain
    http(s) URL (a strange Host header): then relative IRIs are an error, as without a base."""
    url = f"{request.scheme}://{request.host}{request.root_path}{request.environ.get('PATH_INFO', '')}"
    return url if _BASE.match(url) else None


def run_query(text: str, params: MultiDict, bindings: dict | None = None) -> Response:
    """Screen, negotiate, run (or take from the cache) and answer, with ETag revalidation."""
    svc = service()
    screened = svc.screen(text)
    fmt = choose(screened.form, request.accept_mimetypes, params.get("format"))
    query = QueryRequest(text, fmt, _boolean(params, "inference", True),
                         _graphs(params, "default-graph-uri"), _graphs(params, "named-graph-uri"),
                         bindings, language(params), base_iri())
    entry = svc.execute(query, screened.form,
                        bool(screened.from_graphs or screened.from_named_graphs))
    if svc.cache is not None and request.method == "GET":
        record = request.environ.get(RECORD)
        if record is not None and svc.cache.holds(entry.etag):
            record["key"] = entry.etag  # the ResponseCache may answer this request again
    etag = f'"{entry.etag}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept, Accept-Language",
               "X-Data-Version": svc.version}
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    response = Response(entry.data, 200, headers=headers, content_type=entry.media_type)
    if params.get("format") and params.get("download", "").lower() in ("1", "true", "yes"):
        response.headers["Content-Disposition"] = f'attachment; filename="results.{fmt.extension}"'
    return response


@bp.route("/sparql", methods=["GET", "POST", "HEAD"])
def sparql():
    params, text = protocol_params()
    if text is None:
        if request.method == "POST":
            raise ApiError(400, "Missing query", "send a query: the query parameter of a form POST, "
                           f"or the body of a {DIRECT} POST")
        if _prefers_html():
            from .ui import query_page
            return query_page()
        return description.service_description_response()
    return run_query(text, params)


def _prefers_html() -> bool:
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", *GRAPH_TYPES])
    return best == "text/html" and accept["text/html"] > accept["text/turtle"]
