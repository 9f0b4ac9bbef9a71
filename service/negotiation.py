"""Content negotiation from one explicit table of media types.

Results of SELECT and ASK come as SPARQL JSON, XML, CSV or TSV; results of CONSTRUCT and DESCRIBE
as Turtle, N-Triples, RDF/XML, JSON-LD, TriG or N-Quads. ``Accept`` decides (werkzeug parses it,
with q-values); a ``format`` parameter, for browsers, overrides it. The first entry of each table
is the default for ``*/*`` or no Accept header.
"""

from __future__ import annotations

from xiancheng.graph.formats import RDF_FORMATS, RESULT_FORMATS, Format

from .errors import ApiError

# media type -> format name; the order is the order of preference for */*
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}

# other names for the format parameter, as clients send them (SPARQLWrapper adds format=rdf+xml,
# json-ld or xml for a CONSTRUCT; xml and json then mean RDF/XML and JSON-LD)
RESULT_ALIASES = {"srj": "json", "srx": "xml", "sparql-results+json": "json", "sparql-results+xml": "xml"}
GRAPH_ALIASES = {"rdf+xml": "rdfxml", "xml": "rdfxml", "rdf": "rdfxml", "json-ld": "jsonld",
                 "json": "jsonld", "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples",
                 "nq": "nquads", "n-quads": "nquads"}


def _table(form: str):
    if form in ("select", "ask"):
        return RESULT_TYPES, RESULT_FORMATS
    return GRAPH_TYPES, RDF_FORMATS


def choose(form: str, accept, format_param: str | None) -> Format:
    """The format to answer a query of ``form`` in; ``ApiError`` 400/406 if there is none."""
    types, formats = _table(form)
    if format_param:
        key = format_param.lower()
        key = (RESULT_ALIASES if form in ("select", "ask") else GRAPH_ALIASES).get(key, key)
        if key in formats:
            return formats[key]
        if key in types:
            return formats[types[key]]
        raise ApiError(400, "Unknown format", f"format={format_param!r} is not offered for a "
                       f"{form.upper()} query; use one of: {', '.join(formats)}")
    if not accept or not accept.provided:
        return formats[next(iter(types.values()))]
    best = accept.best_match(list(types))
    if best is None:
        offered = ", ".join(dict.fromkeys(t for t in types))
        raise ApiError(406, "Not Acceptable", f"a {form.upper()} result can be sent as: {offered} "
                       f"(or use the format parameter)")
    return formats[types[best]]


def media_type(fmt: Format) -> str:
    charset = "" if fmt.name in ("rdfxml", "xml") else "; charset=utf-8"
    return fmt.media_type + charset
