"""The ontology itself: labels and definitions on every term, no undefined terms, canonical Turtle."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
import rdflib.namespace as ns
from rdflib.namespace import OWL, RDF, SKOS

from xiancheng.graph.build import ONTOLOGY_DIR, load_ontology, load_shapes
from xiancheng.graph.canonical import FIX_COMMAND, non_canonical
from xiancheng.graph.namespaces import XC
from xiancheng.graph.queries import QUERIES_DIR

W3C = {str(n): set(map(str, dir(n))) for n in (ns.DCTERMS, ns.FOAF, ns.GEO, ns.ORG, ns.PROV, ns.QB,
                                              ns.SKOS, ns.TIME)}
TURTLE_FILES = sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(ONTOLOGY_DIR.glob("examples/**/*.ttl"))


def test_ontology_has_a_version_iri():
    ontology = load_ontology()
    header = URIRef(str(XC) + "xiancheng")
    assert (header, RDF.type, OWL.Ontology) in ontology
    version = ontology.value(header, OWL.versionIRI)
    assert version is not None and str(version).startswith(str(header) + "/")


def test_every_term_has_labels_and_definitions_in_both_languages():
    quality = Graph().parse(ONTOLOGY_DIR / "quality-shapes.ttl")
    conforms, _, text = pyshacl.validate(load_ontology(), shacl_graph=quality, inference="none")
    assert conforms, text


def test_quality_shapes_catch_a_term_without_english_definition():
    ontology = load_ontology()
    ontology.remove((XC.County, SKOS.definition, None))
    quality = Graph().parse(ONTOLOGY_DIR / "quality-shapes.ttl")
    conforms, report, _ = pyshacl.validate(ontology, shacl_graph=quality, inference="none")
    assert not conforms
    focus = set(report.objects(None, URIRef("http://www.w3.org/ns/shacl#focusNode")))
    assert focus == {XC.County}


def _declared(ontology: Graph) -> set[URIRef]:
    return {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}


def _terms_used(graph: Graph) -> set[URIRef]:
    used = set()
    for s, p, o in graph:
        used.add(p)
        if p == RDF.type:
            used.add(o)
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(str(XC)):
                used.add(term)
    return used


def _check_defined(used: set[URIRef], declared: set[URIRef], where: str):
    xc_terms = {t for t in used if str(t).startswith(str(XC))}
    # shapes, version IRIs and the CRS live under /def/ but are not vocabulary terms
    ignore = re.compile(r"/def/(shapes|quality-shapes|crs)(/|$)|/def/xiancheng/")
    missing = sorted(str(t) for t in xc_terms - declared if not ignore.search(str(t)))
    assert not missing, f"{where} uses undefined terms: {missing}"
    for namespace, names in W3C.items():
        unknown = sorted(str(t) for t in used if str(t).startswith(namespace) and str(t) not in names)
        assert not unknown, f"{where} uses terms that {namespace} does not define: {unknown}"


def test_no_undefined_terms_in_the_ontology_or_shapes():
    ontology = load_ontology()
    declared = _declared(ontology)
    _check_defined(_terms_used(ontology), declared, "the ontology")
    _check_defined(_terms_used(load_shapes()), declared, "the shapes")


def test_no_undefined_terms_in_the_data(built):
    declared = _declared(load_ontology())
    _check_defined(_terms_used(built.union()), declared, "the built data")


def test_no_undefined_terms_in_the_named_queries():
    declared = {str(t) for t in _declared(load_ontology())}
    for path in QUERIES_DIR.glob("*.rq"):
        text = path.read_text(encoding="utf-8")
        for local in re.findall(r"\bxc:([A-Za-z][A-Za-z0-9]*)", text):
            assert str(XC) + local in declared, f"{path.name} uses undefined xc:{local}"


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(ONTOLOGY_DIR)))
def test_turtle_files_are_canonical(path):
    assert not non_canonical([path]), f"{path} is not canonical Turtle; run `{FIX_COMMAND}`"


def test_the_canonical_check_notices_a_hand_edit(tmp_path):
    edited = tmp_path / "edited.ttl"
    edited.write_text((ONTOLOGY_DIR / "places.ttl").read_text() + "\n# a comment\n")
    assert non_canonical([edited]) == [edited]


def test_every_term_the_data_uses_has_chinese_and_english_labels(built):
    """Pages and the network name predicates and classes by their labels, reused W3C terms too."""
    from rdflib.namespace import RDFS

    ontology = load_ontology()
    data = built.union([n for n in built.graphs if n != "ontology"])
    used = {p for _, p, _ in data} | set(data.objects(None, RDF.type))
    missing = sorted(str(t) for t in used
                     if {lit.language for lit in ontology.objects(t, RDFS.label)} < {"zh", "en"})
    assert not missing, f"terms without zh and en labels (add them to ontology/reused-terms.ttl): {missing}"
