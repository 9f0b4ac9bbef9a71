"""Checking a write against the SHACL shapes: the nodes it can affect, not the whole graph.

pyshacl takes 7 s on 100k triples (DESIGN.md), so a write is validated on a small data graph:

* the *focus nodes*: the subjects of the changed triples (and their objects, if a shape uses an
  inverse path), and every node that points at one of them through a property whose shape looks
  at the value — its class (``sh:class``: only when the pointed-at node's types changed) or its
  own triples (``sh:node``, ``sh:qualifiedValueShape``, …) — transitively. So deleting a county's
  type is caught on the designations that name it.
* the data: each focus node's triples, the types (or, where a shape looks deeper, the triples) of
  the nodes they point at, and the class hierarchy (``rdfs:subClassOf``) for ``sh:class``.

Which properties matter is read from the shapes graph itself, so new shapes need no code. pyshacl
then validates that small graph; only results about the focus nodes count (the context nodes
are seen only in part). A write that changes the ontology graph is validated in full.
"""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from .build import load_shapes
from .livestore import Change
from .store import to_oxigraph, to_rdflib
from .validate import ValidationResult, _violations

SH = Namespace("http://www.w3.org/ns/shacl#")
MAX_HOPS = 4


class AssertedView:
    """The asserted triples of a store (every graph but ``hidden``), as rdflib terms."""

    def __init__(self, store: ox.Store, hidden: set[str]):
        self.store = store
        self.hidden = {ox.NamedNode(g) for g in hidden}

    def triples(self, s=None, p=None, o=None) -> set:
        found = set()
        pattern = [None if t is None else to_oxigraph(t) for t in (s, p, o)]
        for q in self.store.quads_for_pattern(*pattern, None):
            if q.graph_name not in self.hidden:
                found.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return found

    def subjects(self, p, o) -> set:
        return {s for s, _, _ in self.triples(None, p, o)}

    def graph(self) -> Graph:
        g = Graph()
        for t in self.triples():
            g.add(t)
        return g


class ShapeDependencies:
    """What the shapes look at beyond a focus node's own triples, read from the shapes graph."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.type_dependent: set[URIRef] = set()    # value's class matters (sh:class)
        self.shape_dependent: set[URIRef] = set()   # value's own triples matter (sh:node, …)
        self.inverse: set[URIRef] = set()           # predicates used in inverse paths
        seen: set = set()
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(SH.targetClass, None)):
            self._node(shape, seen)

    def _members(self, shape):
        for param in (SH.node, SH.qualifiedValueShape, SH["not"]):
            yield from self.shapes.objects(shape, param)
        for param in (SH["or"], SH["and"], SH.xone):
            for head in self.shapes.objects(shape, param):
                yield from Collection(self.shapes, head)

    def _node(self, shape, seen) -> tuple[bool, bool]:
        """(needs the node's types, needs the node's triples) for a shape applied to a node."""
        if shape in seen:
            return True, True   # a recursive shape: assume it looks at everything
        seen = seen | {shape}
        types = (shape, SH["class"], None) in self.shapes
        triples = False
        for prop in self.shapes.objects(shape, SH.property):
            triples = True
            self._property(prop, seen)
        for member in self._members(shape):
            if (member, SH.path, None) in self.shapes:
                triples = True
                self._property(member, seen)
            else:
                t, n = self._node(member, seen)
                types, triples = types or t, triples or n
        return types, triples

    def _property(self, prop, seen) -> None:
        path = self.shapes.value(prop, SH.path)
        simple = isinstance(path, URIRef)
        predicates = {path} if simple else self._path_predicates(path)
        types = (prop, SH["class"], None) in self.shapes
        triples = False
        for member in self._members(prop):
            t, n = self._node(member, seen)
            types, triples = types or t, triples or n
        if types:
            self.type_dependent |= predicates
        if triples or not simple:   # a complex path reaches beyond the first hop
            self.shape_dependent |= predicates

    def _path_predicates(self, path) -> set[URIRef]:
        if isinstance(path, URIRef):
            return {path}
        found: set[URIRef] = set()
        inverse = self.shapes.value(path, SH.inversePath)
        if inverse is not None:
            preds = self._path_predicates(inverse)
            self.inverse |= preds
            return preds
        for param in (SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
            for value in self.shapes.objects(path, param):
                found |= self._path_predicates(value)
        if (path, RDF.first, None) in self.shapes:
            for member in Collection(self.shapes, path):
                found |= self._path_predicates(member)
        return found


CLASS_TARGETS = {SH.targetClass}
OTHER_TARGETS = {SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}


class ShapeGate:
    def __init__(self, shapes: Graph | None = None):
        self.shapes = shapes if shapes is not None else load_shapes()
        self.deps = ShapeDependencies(self.shapes)
        # With class targets only (and no shape that is itself a class), a node without a type
        # is the focus of no shape: such writes need no validation run.
        self.class_targets_only = not any(True for p in OTHER_TARGETS for _ in self.shapes.subjects(p, None)) \
            and not any(True for s in self.shapes.subjects(RDF.type, SH.NodeShape)
                        if (s, RDF.type, RDFS.Class) in self.shapes)

    def focus(self, change: Change, view: AssertedView) -> set:
        """The nodes whose conformance the change can alter."""
        changed = [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                   for q in change.removed | change.added]
        seeds = {s for s, _, _ in changed}
        if self.deps.inverse:
            seeds |= {o for _, p, o in changed if p in self.deps.inverse and not isinstance(o, Literal)}
        retyped = {s for s, p, _ in changed if p == RDF.type}
        focus = set(seeds)
        frontier = [(node, node in retyped) for node in seeds]
        while frontier:
            node, types_changed = frontier.pop()
            predicates = self.deps.shape_dependent | (self.deps.type_dependent if types_changed else set())
            for p in predicates:
                for pointer in view.subjects(p, node):
                    if pointer not in focus:
                        focus.add(pointer)
                        frontier.append((pointer, False))
        return focus

    def data_graph(self, focus: set, view: AssertedView) -> Graph:
        g = Graph()
        for t in view.triples(None, RDFS.subClassOf, None):
            g.add(t)
        full_nodes = {(node, 0) for node in focus}
        done: set = set()
        while full_nodes:
            node, hops = full_nodes.pop()
            if node in done:
                continue
            done.add(node)
            for s, p, o in view.triples(node, None, None):
                g.add((s, p, o))
                if isinstance(o, Literal) or o in done:
                    continue
                if p in self.deps.shape_dependent and hops < MAX_HOPS:
                    full_nodes.add((o, hops + 1))
                else:
                    for t in view.triples(o, RDF.type, None):
                        g.add(t)
            for p in self.deps.inverse:
                for t in view.triples(None, p, node):
                    g.add(t)
        return g

    def check(self, change: Change, view: AssertedView, full: bool = False) -> ValidationResult:
        """Validate what ``change`` can affect (everything if ``full``) in the state after it."""
        if full:
            data, focus = view.graph(), None
        else:
            focus = self.focus(change, view)
            if not focus:
                return ValidationResult(True, _empty_report(), [])
            data = self.data_graph(focus, view)
            if self.class_targets_only and not any((f, RDF.type, None) in data for f in focus):
                return ValidationResult(True, _empty_report(), [])
        _, report, _ = pyshacl.validate(data, shacl_graph=self.shapes, inference="none",
                                        advanced=True, allow_infos=True, allow_warnings=True,
                                        do_owl_imports=False)
        kept = _filter_report(report, focus)
        violations = _violations(kept)
        conforms = not any((r, SH.resultSeverity, SH.Violation) in kept for r in kept.objects(None, SH.result))
        kept.set((next(kept.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(conforms)))
        return ValidationResult(conforms, kept, violations)


def _empty_report() -> Graph:
    g = Graph()
    g.bind("sh", SH)
    node = BNode()
    g.add((node, RDF.type, SH.ValidationReport))
    g.add((node, SH.conforms, Literal(True)))
    return g


def _filter_report(report: Graph, focus: set | None) -> Graph:
    """The report with only the results about ``focus`` (all of them if None)."""
    kept = _empty_report()
    root = next(kept.subjects(RDF.type, SH.ValidationReport))
    for result in report.objects(None, SH.result):
        if focus is not None and report.value(result, SH.focusNode) not in focus:
            continue
        kept.add((root, SH.result, result))
        stack = [result]
        while stack:
            node = stack.pop()
            for s, p, o in report.triples((node, None, None)):
                kept.add((s, p, o))
                if isinstance(o, BNode) and p != SH.focusNode and p != SH.value:
                    stack.append(o)
    return kept
