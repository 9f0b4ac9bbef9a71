"""Dereferenceable IRIs, after the W3C note "Cool URIs for the Semantic Web" (303 URIs).

Every IRI under the dataset's base (``/id/…``, ``/graph/…``) and every ontology term (``/def/…``)
names a thing, not a document; asking for it gets ``303 See Other`` to the document that describes
it in the format ``Accept`` prefers:

    GET /id/division/141182          →  303  Location: /id/division/141182.html   (a browser)
    GET /id/division/141182          →  303  Location: /id/division/141182.ttl    (Accept: text/turtle)
    GET /id/division/141182.jsonld   →  200  the description as JSON-LD

Documents: ``.html`` (the page), ``.ttl``, ``.nt``, ``.rdf``, ``.jsonld``; each carries
``Link: <…>; rel="alternate"`` to the others. Unknown IRIs get 404 (a page for browsers), and an
``Accept`` that allows none of the formats gets 406.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request

from xiancheng.graph.formats import RDF_FORMATS
from xiancheng.graph.namespaces import XC

from . import context, i18n
from .cache import Entry, cache_key
from .describe import Description, graph_iri
from .errors import ApiError
from .negotiation import media_type
from .reader import NotAnIri, ask, construct, curie, iri_for_path, path_for_iri, ref, service

bp = Blueprint("resources", __name__)

# suffix → format name (RDF_FORMATS) or "html"
SUFFIXES = {"html": "html", "ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "jsonld": "jsonld"}
# Accept → suffix, in order of preference for */*
ACCEPTED = {
    "text/html": "html", "application/xhtml+xml": "html",
    "text/turtle": "ttl", "application/x-turtle": "ttl",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/ld+json": "jsonld", "application/json": "jsonld",
}
ONTOLOGY = str(XC) + "xiancheng"


def negotiate() -> str:
    accept = request.accept_mimetypes
    if not accept.provided:
        return "html"
    best = accept.best_match(list(ACCEPTED))
    if best is None:
        raise ApiError(406, "Not Acceptable", "this resource is described as: "
                       + ", ".join(ACCEPTED) + f" (or add a suffix: {', '.join('.' + s for s in SUFFIXES)})")
    return ACCEPTED[best]


def known(iri: str) -> bool:
    """Does the dataset say anything about ``iri``?"""
    from .ontology_docs import is_shape

    if iri in {g["iri"] for g in service().release.graphs.values()} or is_shape(iri):
        return True
    try:
        s = ref(iri)
    except NotAnIri:
        return False
    return ask(f"ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?p {s} }} }}")


def alternates(path: str) -> str:
    links = [f'<{path}.{suffix}>; rel="alternate"; type="{RDF_FORMATS[fmt].media_type if fmt != "html" else "text/html"}"'
             for suffix, fmt in SUFFIXES.items()]
    return ", ".join(links)


@bp.route("/id/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/graph/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/def/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/def/", methods=["GET", "HEAD"], defaults={"rest": ""})
def dereference(rest):
    path = request.path
    if path == "/def/":     # the namespace: its document is the ontology's
        return see_other("/def/xiancheng")
    stem, dot, suffix = path.rpartition(".")
    if dot and suffix in SUFFIXES and known(iri_for_path(stem)):
        return document(stem, iri_for_path(stem), SUFFIXES[suffix])
    if known(iri_for_path(path)):
        return see_other(path)
    return not_found(iri_for_path(path))


def see_other(path: str) -> Response:
    suffix = negotiate()
    query = request.query_string.decode()
    response = redirect(f"{path}.{suffix}" + (f"?{query}" if query else ""), 303)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = f'<{path}.{suffix}>; rel="describedby"'
    return response


def document(path: str, iri: str, fmt: str) -> Response:
    if fmt == "html":
        lang = i18n.choose_language()
        entry = rendered(iri, lang)
        etag = f'"{entry.etag}"'
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            response = Response(status=304)
        else:
            response = Response(entry.data, 200, mimetype="text/html")
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Vary"] = "Accept-Language, Cookie"
        i18n.remember_language(response)
    else:
        response = Response(rdf_description(iri, fmt), 200, content_type=media_type(RDF_FORMATS[fmt]))
    response.headers["Link"] = alternates(path) + f', <{iri}>; rel="describes"'
    response.headers["X-Data-Version"] = service().version
    return response


def rdf_description(iri: str, fmt: str) -> bytes:
    """The resource's own triples, those of its parts (IRIs under it: evidence, geometries) and of
    blank nodes it uses (OWL axioms), and the links to it stated in the asserted graphs. The
    ontology's IRI gives the whole ontology graph; the shapes come from the shapes file."""
    from .ontology_docs import shapes_description

    if iri == ONTOLOGY:
        return construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri('ontology')}> {{ ?s ?p ?o }} }}", fmt)
    shapes = shapes_description(iri, fmt)
    if shapes is not None:
        return shapes
    s = ref(iri)
    return construct(f"""CONSTRUCT {{ {s} ?p ?o . ?part ?pp ?po . ?b ?bp ?bo . ?x ?ip {s} }} WHERE {{
        {{ {s} ?p ?o }}
        UNION {{ {s} ?y ?part FILTER(isIRI(?part) && STRSTARTS(STR(?part), CONCAT(STR({s}), "/")))
                 ?part ?pp ?po }}
        UNION {{ {s} ?z ?b0 FILTER(isBlank(?b0)) ?b0 rdf:rest* ?b . ?b ?bp ?bo }}
        UNION {{ GRAPH ?g {{ ?x ?ip {s} }} FILTER(?g != <{graph_iri('inferred')}> && ?ip != rdf:type) }}
        }}""", fmt)


def rendered(iri: str, lang: str) -> Entry:
    """The page, rendered once per data version, address (with its query string) and language,
    and kept in the service's result cache."""
    svc = service()
    key = cache_key(svc.version, "page", request.full_path, lang)
    entry = svc.cache.get(key) if svc.cache is not None else None
    if entry is None:
        entry = Entry(key, "page", "text/html", page(iri, lang).encode("utf-8"))
        if svc.cache is not None:
            svc.cache.put(key, entry)
    return entry


def page(iri: str, lang: str) -> str:
    from . import ontology_docs

    if iri == ONTOLOGY:
        return ontology_docs.ontology_page(lang)
    if ontology_docs.is_shape(iri):
        return ontology_docs.shape_page(iri, lang)
    desc = Description(iri, lang)
    extra = {"breadcrumb": desc.breadcrumb}
    if desc.has_type("AdministrativeDivision", "FormerDivision"):
        extra["division"] = context.division(iri, lang, desc.label())
    if desc.has_type("Indicator"):
        extra["observations"] = context.observations(iri, lang, "indicator")
    if iri.startswith(str(XC)):
        extra["term"] = ontology_docs.term_context(iri, lang)
    graph = next((g for g in service().release.graphs.values() if g["iri"] == iri), None)
    return render_template("resource.html", d=desc, iri=iri, path=path_for_iri(iri),
                           named_graph=graph, lang=lang, **extra)


def not_found(iri: str):
    """A real 404: a page with a search for the last part of the path, or the JSON error."""
    accept = request.accept_mimetypes
    if accept.best_match(["text/html", "application/json"]) == "text/html" and \
            accept["text/html"] >= accept["application/json"]:
        lang = i18n.choose_language()
        term = iri.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        from .search import search_index

        hits = search_index().search(term, limit=8) if term else []
        return render_template("not_found.html", iri=iri, term=term, hits=hits, lang=lang), 404
    raise ApiError(404, "Not Found", f"the dataset says nothing about {iri}; see /search or /browse/")


@bp.app_template_filter("href")
def href_filter(iri: str) -> str:
    return path_for_iri(iri) or iri


def with_lang(code: str) -> str:
    """This page's URL in another language (the visible switch)."""
    from urllib.parse import urlencode

    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)


bp.add_app_template_global(with_lang, "with_lang")
bp.add_app_template_global(i18n.t, "t")
bp.add_app_template_global(curie, "curie")
