"""The store interface, on both implementations."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from xiancheng.graph.formats import RDF_FORMATS, RESULT_FORMATS
from xiancheng.graph.store import OxigraphStore, QueryError, RdflibStore, open_store

XC = "https://kg.xiancheng.example/def/"
ID = "https://kg.xiancheng.example/id/"


def test_both_stores_hold_the_release(oxigraph, rdflib_store, release):
    assert oxigraph.count() == rdflib_store.count() == release.triples
    assert oxigraph.graphs() == rdflib_store.graphs() == sorted(g["iri"] for g in release.graphs.values())
    for graph in release.graphs.values():
        assert oxigraph.count(graph["iri"]) == graph["triples"]


def test_inference_can_be_left_out(store):
    query = f"ASK {{ <{ID}division/141182> <{XC}partOf> <{ID}division/140000> }}"
    assert store.query(query).boolean is True
    assert store.query(query, inference=False).boolean is False


def test_parameters_are_bound_by_the_engine(store):
    query = f"SELECT ?division ?name WHERE {{ ?division <{XC}divisionCode> ?code ; <http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER(lang(?name) = 'zh') }}"
    result = store.query(query, bindings={"division": URIRef(ID + "division/141182")})
    assert result.rows == [(URIRef(ID + "division/141182"), Literal("汾阳市", lang="zh"))]


def test_chinese_text_round_trips(store):
    result = store.query(f'SELECT ?s WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> "杏花村汾酒专业镇"@zh }}')
    assert result.rows == [(URIRef(ID + "specialty-town/xinghuacun-fenjiu"),)]


def test_a_malformed_query_is_a_query_error(store):
    with pytest.raises(QueryError):
        store.query("SELECT WHERE {")


@pytest.mark.parametrize("fmt", RESULT_FORMATS)
def test_select_results_serialise_in_every_format(oxigraph, fmt):
    result = oxigraph.query(f"SELECT ?c WHERE {{ ?c <{XC}divisionCode> '141182' }}")
    data = result.serialize(RESULT_FORMATS[fmt])
    assert f"{ID}division/141182".encode() in data


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_graph_results_parse_back(oxigraph, fmt):
    from rdflib import Graph

    result = oxigraph.query(f"CONSTRUCT {{ ?c ?p ?o }} WHERE {{ ?c ?p ?o FILTER(?c = <{ID}division/141182>) }}")
    g = Graph().parse(data=result.serialize(RDF_FORMATS[fmt]), format=RDF_FORMATS[fmt].rdflib)
    assert len(g) == len(result.triples) > 5


def test_dump_round_trips(oxigraph):
    fresh = OxigraphStore()
    fresh.load(oxigraph.dump(RDF_FORMATS["nquads"]), RDF_FORMATS["nquads"])
    assert fresh.count() == oxigraph.count()


def test_update_changes_the_store():
    for store in (OxigraphStore(), RdflibStore()):
        store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> '县城' } }")
        assert store.count("urn:g") == 1


def test_unknown_store_kind():
    with pytest.raises(ValueError, match="unknown store 'neo4j'"):
        open_store("neo4j")
