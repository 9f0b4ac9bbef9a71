"""SHACL shapes, tested with PASS/FAIL example pairs that assert exactly which focus nodes, paths
and shapes fail (ontology/examples, expected.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Graph, URIRef
import rdflib.namespace as ns

from xiancheng.graph.build import ONTOLOGY_DIR
from xiancheng.graph.namespaces import SHAPES, XC
from xiancheng.graph.validate import validate_dataset, validate_graph

EXAMPLES = ONTOLOGY_DIR / "examples"
EXPECTED = yaml.safe_load((EXAMPLES / "expected.yaml").read_text(encoding="utf-8"))
PREFIXES = {"xc": str(XC), "rdfs": str(ns.RDFS), "dcterms": str(ns.DCTERMS), "org": str(ns.ORG)}
ID = "https://kg.xiancheng.example/id/"


def _with_context(path: Path) -> Graph:
    g = Graph().parse(EXAMPLES / "context.ttl")
    return g.parse(path)


def _expand(path):
    if path is None:
        return None
    prefix, local = path.split(":")
    return URIRef(PREFIXES[prefix] + local)


def test_context_alone_conforms():
    result = validate_graph(Graph().parse(EXAMPLES / "context.ttl"))
    assert result.conforms, result.text()


@pytest.mark.parametrize("path", sorted((EXAMPLES / "pass").glob("*.ttl")), ids=lambda p: p.name)
def test_pass_example_conforms(path):
    result = validate_graph(_with_context(path))
    assert result.conforms, result.text()


@pytest.mark.parametrize("path", sorted((EXAMPLES / "fail").glob("*.ttl")), ids=lambda p: p.name)
def test_fail_example_fails_exactly_as_expected(path):
    result = validate_graph(_with_context(path))
    assert not result.conforms
    found = {(v.focus, v.path, v.shape) for v in result.violations}
    expected = {(URIRef(ID + e["focus"]), _expand(e["path"]), URIRef(str(SHAPES) + e["shape"]))
                for e in EXPECTED[path.name]}
    assert found == expected


def test_every_fail_example_has_expectations_and_a_pass_twin():
    fails = {p.name for p in (EXAMPLES / "fail").glob("*.ttl")}
    passes = {p.name for p in (EXAMPLES / "pass").glob("*.ttl")}
    assert fails == set(EXPECTED) and fails == passes


def test_the_built_dataset_conforms(built):
    result = validate_dataset(built)
    assert result.conforms, result.text()


def test_a_violation_in_the_built_dataset_is_reported(built):
    """The shapes see the real data: break one county and exactly that county fails."""
    data = built.union()
    county = URIRef(ID + "division/141182")
    data.remove((county, ns.RDFS.label, None))
    result = validate_graph(data, ontology=Graph())
    assert {(v.focus, v.shape) for v in result.violations} == {
        (county, URIRef(str(SHAPES) + "label-zh")), (county, URIRef(str(SHAPES) + "label-en"))}
