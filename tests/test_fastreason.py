"""The OWL-RL rules as SPARQL on Oxigraph (graph/fastreason.py) give exactly the inferred graph of
reason.py (owlrl): on the shipped data, the example data and synthetic data."""

from __future__ import annotations

import gzip

import pytest
from rdflib import BNode, Dataset, Graph, URIRef

from xiancheng.graph.build import ONTOLOGY_DIR, load_ontology
from xiancheng.graph.fastreason import INPUT, UnsupportedOntology, infer_graph, infer_store
from xiancheng.graph.formats import RDF_FORMATS
from xiancheng.graph.reason import infer
from xiancheng.graph.store import OxigraphStore

EXAMPLES = ONTOLOGY_DIR / "examples"
XC = "https://kg.xiancheng.example/def/"


def test_same_inferred_graph_as_owlrl_on_the_shipped_data(reasoned):
    ontology = reasoned.dataset.graph(reasoned.graphs["ontology"])
    data = reasoned.union([n for n in reasoned.graphs if n not in ("ontology", "inferred")])
    expected = set(reasoned.dataset.graph(reasoned.graphs["inferred"]))
    assert len(expected) > 2000
    assert set(infer_graph(ontology, data)) == expected


@pytest.mark.parametrize("path", sorted((EXAMPLES / "pass").glob("*.ttl")), ids=lambda p: p.name)
def test_same_inferred_graph_as_owlrl_on_the_examples(path):
    ontology = load_ontology()
    data = Graph().parse(EXAMPLES / "context.ttl").parse(path)
    assert set(infer_graph(ontology, data)) == set(infer(ontology, data))


def test_same_inferred_graph_as_owlrl_on_synthetic_data(synthetic_10k):
    path, summary = synthetic_10k
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    ontology_iri = URIRef(summary.base + "graph/ontology")
    data = Graph()
    for g in dataset.graphs():
        if g.identifier != ontology_iri:
            for triple in g:
                data.add(triple)
    ontology = dataset.graph(ontology_iri)
    expected = set(infer(ontology, data))
    assert len(expected) > 400
    assert set(infer_graph(ontology, data)) == expected


def test_only_the_target_graph_is_added(release):
    store = OxigraphStore()
    with gzip.open(release.file("nquads")) as f:
        store.load(f.read(), RDF_FORMATS["nquads"])
    inferred = release.graphs["inferred"]["iri"]
    store.update(f"DROP GRAPH <{inferred}>")
    before = {g: store.count(g) for g in store.graphs()}
    ontology = release.graphs["ontology"]["iri"]
    count = infer_store(store, ontology, [g for g in before if g != ontology], inferred)
    assert count == release.graphs["inferred"]["triples"]
    assert {g: store.count(g) for g in store.graphs() if g != inferred} == before
    assert INPUT not in store.graphs()


def test_class_expressions_are_refused():
    ontology = load_ontology().parse(data=f"""
        @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix xc: <{XC}> .
        xc:BigCounty owl:equivalentClass [ owl:onProperty xc:partOf ; owl:someValuesFrom xc:Province ] .""",
                                     format="turtle")
    with pytest.raises(UnsupportedOntology, match="someValuesFrom"):
        infer_graph(ontology, Graph())


def test_data_that_declares_schema_is_refused():
    data = Graph().parse(data=f"<{XC}locatedIn> a <http://www.w3.org/2002/07/owl#TransitiveProperty> .",
                         format="turtle")
    with pytest.raises(UnsupportedOntology, match="declares"):
        infer_graph(load_ontology(), data)


def test_the_fast_engine_makes_the_same_release(tmp_path, release):
    from xiancheng.graph.release import make_release, read_nquads

    fast = make_release(tmp_path / "releases", engine="fast")
    assert fast.id == release.id and fast.meta["engine"] == "fast" and release.meta["engine"] == "standard"
    assert fast.graphs == release.graphs

    def quads(r):
        ds = Dataset()
        ds.parse(data=read_nquads(r), format="nquads")
        return {q for q in ds.quads() if not any(isinstance(t, BNode) for t in q[:3])}
    assert quads(fast) == quads(release)
