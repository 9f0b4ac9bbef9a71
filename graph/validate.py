"""Validate data against the project's SHACL shapes with pyshacl.

The shapes graph is always the project's own (never taken from the data), the ontology is mixed
in so that ``sh:class`` follows ``rdfs:subClassOf``, and nothing is fetched (no ``owl:imports``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .build import BuiltDataset, load_ontology, load_shapes

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Violation:
    focus: URIRef
    path: URIRef | None
    shape: URIRef
    component: URIRef
    message: str
    value: object = None

    def __str__(self) -> str:
        path = f" {self.path.n3()}" if self.path is not None else ""
        return f"{self.focus.n3()}{path}: {self.message} [{self.shape.n3()}]"


@dataclass
class ValidationResult:
    conforms: bool
    report: Graph
    violations: list[Violation] = field(default_factory=list)

    def text(self, limit: int = 50) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape."
        lines = [f"{len(self.violations)} violation(s):"]
        lines += [f"  {v}" for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"  … and {len(self.violations) - limit} more")
        return "\n".join(lines)


def _violations(report: Graph) -> list[Violation]:
    """The report's top-level results (not the nested sh:detail results)."""
    results = []
    for result in report.objects(None, URIRef(SH + "result")):
        def one(p):
            return report.value(result, URIRef(SH + p))
        messages = sorted(str(m) for m in report.objects(result, URIRef(SH + "resultMessage")))
        results.append(Violation(one("focusNode"), one("resultPath"), one("sourceShape"),
                                 one("sourceConstraintComponent"), "; ".join(messages),
                                 one("value")))
    return sorted(results, key=lambda v: (str(v.focus), str(v.path), str(v.shape)))


def validate_graph(data: Graph, shapes: Graph | None = None, ontology: Graph | None = None,
                   focus_nodes: list[URIRef] | None = None) -> ValidationResult:
    """Validate ``data`` together with the ontology (its class hierarchy and vocabularies, as in
    the dataset, where the ontology is one of the graphs) against the shapes."""
    shapes = shapes if shapes is not None else load_shapes()
    ontology = ontology if ontology is not None else load_ontology()
    combined = Graph()
    for graph in (data, ontology):
        for triple in graph:
            combined.add(triple)
    conforms, report, _ = pyshacl.validate(
        combined, shacl_graph=shapes, inference="none", advanced=True, allow_infos=True,
        allow_warnings=True, focus_nodes=focus_nodes, do_owl_imports=False)
    return ValidationResult(bool(conforms), report, _violations(report))


def validate_dataset(built: BuiltDataset, shapes: Graph | None = None) -> ValidationResult:
    """Validate every asserted graph of a built dataset together (links cross graphs)."""
    return validate_graph(built.union(), shapes, Graph())
