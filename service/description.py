"""The SPARQL 1.1 Service Description, served at the endpoint when no query is given."""

from __future__ import annotations

from flask import Response, current_app, request
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from xiancheng.graph.workers import LABEL_FUNCTION

from .negotiation import choose, media_type

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads"]


def service_description(endpoint: str) -> Graph:
    svc = current_app.extensions["xiancheng"]
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    node = URIRef(endpoint)
    g.add((node, RDF.type, SD.Service))
    g.add((node, SD.endpoint, node))
    g.add((node, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS:
        g.add((node, SD.resultFormat, FORMATS[name]))
    g.add((node, SD.feature, SD.UnionDefaultGraph))
    g.add((node, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    function = URIRef(LABEL_FUNCTION)
    g.add((node, SD.extensionFunction, function))
    g.add((function, RDF.type, SD.Function))
    g.add((function, DCTERMS.description, Literal(
        "xcf:label(?x [, lang]): the label of ?x in lang (default: the lang parameter or "
        "Accept-Language), falling back to zh, then en.", lang="en")))
    g.add((node, DCTERMS.title, Literal("Xiancheng KG SPARQL endpoint", lang="en")))
    g.add((node, DCTERMS.description, Literal(
        f"Release {svc.version}. The default graph is the union of all named graphs, including the "
        "inferred graph; inference=false leaves it out. SERVICE and updates are refused; "
        f"queries stop after {svc.settings.query_timeout:g} s.", lang="en")))
    dataset = BNode("dataset")
    g.add((node, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode("default-graph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(svc.release.triples, datatype=XSD.integer)))
    for name, graph in sorted(svc.release.graphs.items()):
        named = BNode(f"named-{name}")
        inner = BNode(f"graph-{name}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(graph["iri"])))
        g.add((named, SD.graph, inner))
        g.add((inner, RDF.type, SD.Graph))
        g.add((inner, VOID.triples, Literal(graph["triples"], datatype=XSD.integer)))
    return g


def service_description_response() -> Response:
    fmt = choose("construct", request.accept_mimetypes, request.args.get("format"))
    graph = service_description(request.base_url)
    if fmt.name in ("trig", "nquads"):  # dataset formats: the description as the default graph
        dataset = Dataset()
        for prefix, namespace in graph.namespaces():
            dataset.bind(prefix, namespace)
        for triple in graph:
            dataset.add(triple)
        graph = dataset
    data = graph.serialize(format=fmt.rdflib, encoding="utf-8")
    return Response(data, 200, content_type=media_type(fmt), headers={"Vary": "Accept"})
