"""The dataset described in VoID and DCAT, at ``/dataset`` (a page for browsers, RDF by ``Accept``
or suffix: ``/dataset.ttl`` …) and ``/.well-known/void`` (RDF 1.1 VoID's well-known address;
Turtle unless ``Accept`` asks otherwise).

Everything is read from the release and the graph: triples per named graph, the classes and
properties with their counts, the sources (every ``xc:SourceDocument``), the licence (the
ontology's ``dcterms:license``), the release id and date, the dumps with their checksums, the
SPARQL endpoint, and an example resource of each of the most used classes.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, VOID, XSD

from xiancheng.graph.formats import RDF_FORMATS
from xiancheng.graph.namespaces import PREFIXES, XC

from . import i18n
from .pagecache import cached_view
from .describe import catalogue, graph_iri
from .dumps import manifest
from .errors import ApiError
from .negotiation import media_type
from .reader import base, curie, memo, path_for_iri, select, service
from .resources import ACCEPTED, SUFFIXES

bp = Blueprint("dataset", __name__)
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")   # DCAT 3 (rdflib's DCAT lacks dcat:version)
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TITLE = {"zh": "县城新型城镇化知识图谱", "en": "Xiancheng KG"}
EXAMPLES = 8


def statistics(lang: str) -> dict:
    """What the description says, read from the graph once per data version and language."""
    def compute():
        def rows(text, **kw):
            return select(text, lang=lang, **kw)
        inferred = graph_iri("inferred")
        classes = rows("""SELECT ?c (xcf:label(?c) AS ?l) ?n WHERE {
            { SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c } } ORDER BY DESC(?n) ?c""")
        properties = rows("""SELECT ?p (xcf:label(?p) AS ?l) ?n WHERE {
            { SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p } } ORDER BY DESC(?n) ?p""")
        totals = rows("""SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
            WHERE { ?s ?p ?o }""")[0]
        sources = rows("""SELECT ?s (xcf:label(?s) AS ?l) ?page WHERE { ?s a xc:SourceDocument
            OPTIONAL { ?s foaf:page ?page } } ORDER BY ?s""")
        licence = rows(f"""SELECT ?licence WHERE {{ GRAPH <{graph_iri('ontology')}> {{
            ?o a owl:Ontology ; dcterms:license ?licence }} }}""")
        examples = rows(f"""SELECT ?c (xcf:label(?c) AS ?l) ?n ?x WHERE {{
            {{ SELECT ?c (COUNT(?y) AS ?n) (MIN(STR(?y)) AS ?x) WHERE {{
                GRAPH ?g {{ ?y a ?c }} FILTER(?g != <{inferred}> && isIRI(?y) && STRSTARTS(STR(?c), STR(xc:)))
            }} GROUP BY ?c }} }} ORDER BY DESC(?n) LIMIT {EXAMPLES}""")
        return {
            "classes": [{"iri": r["c"].value, "label": _v(r, "l") or curie(r["c"].value),
                         "count": int(r["n"].value)} for r in classes],
            "properties": [{"iri": r["p"].value, "label": _v(r, "l") or curie(r["p"].value),
                            "count": int(r["n"].value)} for r in properties],
            "subjects": int(totals["subjects"].value), "objects": int(totals["objects"].value),
            "sources": [{"iri": r["s"].value, "label": _v(r, "l"), "page": _v(r, "page")} for r in sources],
            "licences": sorted({r["licence"].value for r in licence}),
            "examples": [{"iri": r["x"].value, "class": r["c"].value, "label": _v(r, "l")} for r in examples],
        }
    return memo("dataset-statistics", compute, lang)


def _v(row, name):
    term = row.get(name)
    return term.value if term is not None else None


def description(host: str, lang: str = "en") -> Graph:
    svc = service()
    stats = statistics(lang)
    cat = catalogue(lang)
    dumps = manifest()
    g = Graph(bind_namespaces="none")
    for prefix, ns in {"void": VOID, "dcat": DCAT, "dcterms": DCTERMS, "spdx": SPDX, "xsd": XSD,
                       "owl": OWL, "sd": SD, **PREFIXES}.items():
        g.bind(prefix, ns)
    ds = URIRef(base() + "dataset")
    endpoint = URIRef(host + "sparql")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    for code, title in TITLE.items():
        g.add((ds, DCTERMS.title, Literal(title, lang=code)))
    g.add((ds, DCTERMS.identifier, Literal(svc.release.id)))
    g.add((ds, OWL.versionInfo, Literal(svc.release.id)))
    g.add((ds, DCAT.version, Literal(svc.release.id)))
    g.add((ds, DCTERMS.issued, Literal(svc.release.meta["created"], datatype=XSD.dateTime)))
    g.add((ds, DCTERMS.modified, Literal(svc.release.meta["created"], datatype=XSD.dateTime)))
    for licence in stats["licences"]:
        g.add((ds, DCTERMS.license, URIRef(licence)))
    g.add((ds, DCAT.landingPage, URIRef(host)))
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    service_node = URIRef(host + "sparql#service")
    g.add((ds, DCAT.accessService, service_node))
    g.add((service_node, RDF.type, DCAT.DataService))
    g.add((service_node, DCAT.endpointURL, endpoint))
    g.add((service_node, DCAT.endpointDescription, endpoint))
    g.add((service_node, DCAT.servesDataset, ds))
    g.add((ds, VOID.uriSpace, Literal(base() + "id/")))
    for ns in sorted({str(XC), *(str(v) for v in PREFIXES.values())}):
        if any(p["iri"].startswith(ns) for p in stats["properties"]):
            g.add((ds, VOID.vocabulary, URIRef(ns)))
    g.add((ds, VOID.triples, Literal(svc.release.triples, datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(stats["subjects"], datatype=XSD.integer)))
    g.add((ds, VOID.distinctObjects, Literal(stats["objects"], datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(stats["classes"]), datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(len(stats["properties"]), datatype=XSD.integer)))
    for c in stats["classes"]:
        node = BNode(f"class-{_slug(c['iri'])}")
        g.add((ds, VOID.classPartition, node))
        g.add((node, VOID["class"], URIRef(c["iri"])))
        g.add((node, VOID.entities, Literal(c["count"], datatype=XSD.integer)))
    for p in stats["properties"]:
        node = BNode(f"property-{_slug(p['iri'])}")
        g.add((ds, VOID.propertyPartition, node))
        g.add((node, VOID.property, URIRef(p["iri"])))
        g.add((node, VOID.triples, Literal(p["count"], datatype=XSD.integer)))
    for name, graph in sorted(svc.release.graphs.items()):
        node = URIRef(graph["iri"])
        g.add((ds, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, SD.name, node))
        g.add((node, VOID.triples, Literal(graph["triples"], datatype=XSD.integer)))
        entry = cat.get(graph["iri"])
        if entry:
            if entry["label"]:
                g.add((node, DCTERMS.title, Literal(entry["label"], lang=lang)))
            for src in entry["sources"]:
                g.add((node, DCTERMS.source, URIRef(src)))
    for src in stats["sources"]:
        g.add((ds, DCTERMS.source, URIRef(src["iri"])))
    for ex in stats["examples"]:
        g.add((ds, VOID.exampleResource, URIRef(ex["iri"])))
    for f in dumps["files"]:
        url = URIRef(f"{host}dumps/{f['name']}")
        g.add((ds, VOID.dataDump, url))
        dist = URIRef(f"{host}dumps/{f['name']}#distribution")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, URIRef(host + "dumps/")))
        g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + f["media_type"])))
        g.add((dist, DCTERMS["format"], Literal(f["format"])))
        g.add((dist, DCAT.byteSize, Literal(f["bytes"], datatype=XSD.nonNegativeInteger)))
        checksum = BNode(f"checksum-{_slug(f['name'])}")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(f["sha256"], datatype=XSD.hexBinary)))
        for licence in stats["licences"]:
            g.add((dist, DCTERMS.license, URIRef(licence)))
    return g


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.split("//", 1)[-1])


def _respond(default: str, suffix: str | None):
    if suffix is not None:
        if suffix not in SUFFIXES:
            raise ApiError(404, "Not Found", f"the dataset is described as .{', .'.join(SUFFIXES)}")
        chosen = suffix
    elif not request.accept_mimetypes.provided or request.accept_mimetypes.best == "*/*":
        chosen = default
    else:
        best = request.accept_mimetypes.best_match(list(ACCEPTED))
        if best is None:
            raise ApiError(406, "Not Acceptable", "the dataset is described as: " + ", ".join(ACCEPTED))
        chosen = ACCEPTED[best]
    lang = i18n.choose_language()
    host = request.host_url
    links = ", ".join(f'</dataset.{s}>; rel="alternate"; type="{RDF_FORMATS[f].media_type if f != "html" else "text/html"}"'
                      for s, f in SUFFIXES.items())
    if chosen == "html":
        stats = statistics(lang)
        response = make_response(render_template(
            "dataset.html", stats=stats, m=manifest(), release=service().release, cat=catalogue(lang),
            host=host, title=TITLE[lang], lang=lang, dataset_iri=base() + "dataset", path_for_iri=path_for_iri))
        i18n.remember_language(response)
    else:
        fmt = RDF_FORMATS[SUFFIXES[chosen]]
        data = description(host, lang).serialize(format=fmt.rdflib, encoding="utf-8")
        response = Response(data, 200, content_type=media_type(fmt))
    response.headers["Link"] = links
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    response.headers["X-Data-Version"] = service().version
    return response


@bp.route("/dataset")
@bp.route("/dataset.<suffix>")
@cached_view
def dataset(suffix=None):
    return _respond("html", suffix)


@bp.route("/.well-known/void")
@cached_view
def well_known_void():
    return _respond("ttl", None)
