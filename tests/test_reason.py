"""The inferred graph, checked against independent computations on the asserted data."""

from __future__ import annotations

from rdflib import BNode, URIRef
import rdflib.namespace as ns
from rdflib.namespace import OWL, RDF

from xiancheng.graph.namespaces import XC

ID = "https://kg.xiancheng.example/id/"


def _asserted_and_inferred(built_and_reasoned):
    built = built_and_reasoned
    asserted = built.union([n for n in built.graphs if n != "inferred"])
    inferred = built.dataset.graph(built.graphs["inferred"])
    return asserted, inferred


def _closure(edges: set[tuple]) -> set[tuple]:
    """Transitive closure, computed naively (an independent check of the reasoner)."""
    closure = set(edges)
    while True:
        extra = {(a, d) for a, b in closure for c, d in closure if b == c} - closure
        if not extra:
            return closure
        closure |= extra


def test_part_of_is_the_transitive_closure_of_parents_and_locations(reasoned):
    asserted, inferred = _asserted_and_inferred(reasoned)
    direct = {(s, o) for s, o in asserted.subject_objects(XC.parentDivision)}
    direct |= {(s, o) for s, o in asserted.subject_objects(XC.locatedIn)}
    expected = _closure(direct)
    union = set(asserted) | set(inferred)
    found = {(s, o) for s, p, o in union if p == XC.partOf}
    assert found == expected
    has_part = {(o, s) for s, p, o in union if p == XC.hasPart}
    assert has_part == expected


def test_a_town_is_part_of_its_prefecture_and_province(reasoned):
    _, inferred = _asserted_and_inferred(reasoned)
    town = URIRef(ID + "specialty-town/xinghuacun-fenjiu")
    assert (town, XC.partOf, URIRef(ID + "division/141100")) in inferred
    assert (town, XC.partOf, URIRef(ID + "division/140000")) in inferred


def test_participation_follows_from_designations(reasoned):
    asserted, inferred = _asserted_and_inferred(reasoned)
    expected = {(asserted.value(d, XC.designee), asserted.value(d, XC.designatedUnder))
                for d in asserted.subjects(RDF.type, XC.Designation)}
    found = set(inferred.subject_objects(XC.participatesIn))
    assert found == expected
    assert set(inferred.subject_objects(XC.hasParticipant)) == {(p, d) for d, p in expected}


def test_inverse_and_symmetric_properties(reasoned):
    asserted, inferred = _asserted_and_inferred(reasoned)
    for s, o in asserted.subject_objects(XC.ledBy):
        assert (o, XC.leads, s) in inferred
    for s, o in asserted.subject_objects(XC.conflictsWith):
        assert (o, XC.conflictsWith, s) in inferred
    for s, o in asserted.subject_objects(XC.replacedBy):
        assert (o, XC.replaces, s) in inferred


def test_class_hierarchy_typing(reasoned):
    asserted, inferred = _asserted_and_inferred(reasoned)
    union = set(asserted) | set(inferred)
    for county in asserted.subjects(RDF.type, XC.County):
        assert (county, RDF.type, XC.CountyLevelDivision) in union
        assert (county, RDF.type, XC.AdministrativeDivision) in union
        assert (county, RDF.type, ns.GEO.Feature) in union


def test_the_inferred_graph_holds_nothing_asserted_and_no_noise(reasoned):
    asserted, inferred = _asserted_and_inferred(reasoned)
    assert len(inferred) > 0
    for s, p, o in inferred:
        assert (s, p, o) not in asserted
        assert isinstance(s, URIRef)
        assert not isinstance(o, BNode)
        assert p != OWL.sameAs
        assert not (p == RDF.type and o == OWL.Thing)
