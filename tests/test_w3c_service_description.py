"""The W3C SPARQL 1.1 Service Description tests (tests/w3c/sparql11/service-description/manifest.ttl)
against ``xiancheng serve`` on a free port.

The manifest names three required tests without saying how to run them; they are checked as the
SPARQL Working Group's service description validator (sdvalidator) defines them:
``returns-rdf`` — a GET on the endpoint returns RDF; ``has-endpoint-triple`` — the description has
``?service sd:endpoint <the endpoint's URL>``; ``conforms-to-schema`` — every ``sd:NamedGraph`` has an
``sd:name``. The validator's best-practice tests (every service, dataset, named graph and graph is
typed, the language is a recognised SPARQL language, every dataset has a graph) are checked too.
"""

from __future__ import annotations

import urllib.request

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from w3c.manifest import service_description_tests

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDF_FORMATS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt",
               "application/ld+json": "json-ld", "application/trig": "trig", "application/n-quads": "nquads"}
# what an RDF client typically sends (the validator parses whatever RDF comes back)
RDF_ACCEPT = "text/turtle;q=1.0, application/rdf+xml;q=0.9, application/n-triples;q=0.8, */*;q=0.1"


def _describe(server, accept: str | None) -> tuple[str, Graph]:
    headers = {"Accept": accept} if accept else {}
    with urllib.request.urlopen(urllib.request.Request(server.url + "/sparql", headers=headers),
                                timeout=30) as response:
        assert response.status == 200
        ctype = response.headers.get_content_type()
        body = response.read()
    assert ctype in RDF_FORMATS, f"the service description came as {ctype}"
    if ctype in ("application/trig", "application/n-quads"):  # a dataset: take all its triples
        dataset = Dataset().parse(data=body, format=RDF_FORMATS[ctype])
        graph = Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
        return ctype, graph
    return ctype, Graph().parse(data=body, format=RDF_FORMATS[ctype])


@pytest.fixture(scope="module")
def description(w3c_server) -> Graph:
    return _describe(w3c_server, RDF_ACCEPT)[1]


def returns_rdf(server, graph):
    for accept in (None, RDF_ACCEPT, *RDF_FORMATS):
        ctype, parsed = _describe(server, accept)
        assert len(parsed) > 0
        if accept in RDF_FORMATS:
            assert ctype == accept


def has_endpoint_triple(server, graph):
    assert list(graph.subjects(SD.endpoint, URIRef(server.url + "/sparql")))


def conforms_to_schema(server, graph):
    named = list(graph.subjects(RDF.type, SD.NamedGraph))
    assert named
    assert [n for n in named if graph.value(n, SD.name) is None] == []


CHECKS = {"returns-rdf": returns_rdf, "has-endpoint-triple": has_endpoint_triple,
          "conforms-to-schema": conforms_to_schema}


@pytest.mark.parametrize("iri, name, title", [pytest.param(*t, id=t[1]) for t in service_description_tests()])
def test_service_description(w3c_server, description, iri, name, title):
    assert name in CHECKS, f"no check for the manifest's test {iri} ({title})"
    CHECKS[name](w3c_server, description)


def _typed(graph, cls, domains=(), ranges=()):
    candidates = {s for p in domains for s in graph.subjects(p, None)}
    candidates |= {o for p in ranges for o in graph.objects(None, p)}
    assert candidates, f"nothing to check for {cls}"
    return sorted(str(c) for c in candidates if (c, RDF.type, cls) not in graph)


def test_best_practices(description, w3c_server):
    g = description
    assert _typed(g, SD.Service, domains=[SD.endpoint, SD.feature, SD.supportedLanguage,
                                          SD.resultFormat, SD.defaultDataset, SD.extensionFunction]) == []
    assert _typed(g, SD.Dataset, domains=[SD.defaultGraph], ranges=[SD.defaultDataset]) == []
    assert _typed(g, SD.NamedGraph, domains=[SD.name, SD.graph], ranges=[SD.namedGraph]) == []
    assert _typed(g, SD.Graph, ranges=[SD.defaultGraph, SD.graph]) == []
    assert set(g.objects(None, SD.supportedLanguage)) == {SD.SPARQL11Query}
    for dataset in g.subjects(RDF.type, SD.Dataset):
        assert g.value(dataset, SD.defaultGraph) is not None or g.value(dataset, SD.namedGraph) is not None


def test_the_named_graphs_are_the_stores(description):
    names = {str(description.value(n, SD.name)) for n in description.subjects(RDF.type, SD.NamedGraph)}
    assert names == {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}
