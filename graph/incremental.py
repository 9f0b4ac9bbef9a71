"""Keeping the inferred graph true after a write, without re-reasoning everything.

The release's inferred graph is made by owlrl over the axioms that matter (graph.reason). Running
owlrl again after every write costs 1.5-2.5 s here (11k triples, more on a busy machine) and is out
of reach at 1M triples; on just the neighbourhood of a change it still took 0.4-4 s, because owlrl
re-derives the whole ontology each time. So writes use a small forward-chaining engine for exactly
the axioms ``graph.reason`` gives the reasoner — sub-class and sub-property, domain and range,
inverse, symmetric, transitive and (inverse) functional properties, property chains — and
recompute only the inferences about the nodes a write can affect:

* most writes change no triple the reasoner looks at (labels, figures, dates): nothing to do;
* otherwise the *seeds* are the nodes of the changed ``rdf:type`` and axiom-property triples, and
  the *affected* nodes are those within (longest property chain - 1, at least 1) hops of a seed along axiom
  properties — in the asserted data before and after and in the inferred graph before, which
  already holds the closures (``xc:partOf`` to the province, ``xc:hasPart`` down to each county);
* the context is the asserted axiom triples of the affected nodes and their neighbours, plus the
  (still true) inferences of the neighbours that are not affected;
* the affected nodes' inferred triples are replaced by what the engine derives for them.

A write to the ontology graph re-runs owlrl on everything (``full``). Tests check, on the shipped
dataset and over random edit sequences, that the engine agrees with owlrl.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from rdflib import Graph
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from .livestore import Change, graph_name
from .reason import SKIPPED_CLASSES, _is_tautology, axiom_properties, infer
from .store import to_oxigraph, to_rdflib

MAX_CONTEXT_NODES = 50_000   # past this, a full run is as cheap


def _closure(pairs: dict) -> dict:
    """Reflexive-transitive closure of a relation given as node -> set of successors."""
    result = {}
    for start in list(pairs):
        seen, stack = {start}, [start]
        while stack:
            for nxt in pairs.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        result[start] = seen
    return result


def _identity(term):
    return term


class Axioms:
    """The ontology's axioms the reasoner acts on, compiled for quick forward chaining. ``term``
    converts rdflib terms to the terms the engine works on (pyoxigraph's, on the write path)."""

    def __init__(self, tbox: Graph, term=_identity):
        self.rdf_type, self.same_as = term(RDF.type), term(OWL.sameAs)
        self._compile(tbox)
        if term is not _identity:
            self._convert(term)

    def _convert(self, term) -> None:
        def terms(values):
            return {term(v) for v in values}
        self.superclasses = {term(k): terms(v) for k, v in self.superclasses.items()}
        self.superproperties = {term(k): terms(v) for k, v in self.superproperties.items()}
        self.inverses = defaultdict(set, {term(k): terms(v) for k, v in self.inverses.items()})
        self.domains = defaultdict(set, {term(k): terms(v) for k, v in self.domains.items()})
        self.ranges = defaultdict(set, {term(k): terms(v) for k, v in self.ranges.items()})
        self.symmetric, self.transitive = terms(self.symmetric), terms(self.transitive)
        self.functional, self.inverse_functional = terms(self.functional), terms(self.inverse_functional)
        self.chains = [(term(p), [term(x) for x in links]) for p, links in self.chains]
        self.relevant = terms(self.relevant)

    def _compile(self, tbox: Graph) -> None:
        sub_class, sub_prop = defaultdict(set), defaultdict(set)
        for s, o in tbox.subject_objects(RDFS.subClassOf):
            sub_class[s].add(o)
        for s, o in tbox.subject_objects(OWL.equivalentClass):
            sub_class[s].add(o)
            sub_class[o].add(s)
        for s, o in tbox.subject_objects(RDFS.subPropertyOf):
            sub_prop[s].add(o)
        for s, o in tbox.subject_objects(OWL.equivalentProperty):
            sub_prop[s].add(o)
            sub_prop[o].add(s)
        self.superclasses = _closure(sub_class)
        self.superproperties = _closure(sub_prop)
        self.inverses = defaultdict(set)
        for s, o in tbox.subject_objects(OWL.inverseOf):
            self.inverses[s].add(o)
            self.inverses[o].add(s)
        self.symmetric = set(tbox.subjects(RDF.type, OWL.SymmetricProperty))
        self.transitive = set(tbox.subjects(RDF.type, OWL.TransitiveProperty))
        self.functional = set(tbox.subjects(RDF.type, OWL.FunctionalProperty))
        self.inverse_functional = set(tbox.subjects(RDF.type, OWL.InverseFunctionalProperty))
        self.chains = [(p, list(Collection(tbox, head))) for p, head in tbox.subject_objects(OWL.propertyChainAxiom)]
        self.domains, self.ranges = defaultdict(set), defaultdict(set)
        for p, c in tbox.subject_objects(RDFS.domain):
            self.domains[p].add(c)
        for p, c in tbox.subject_objects(RDFS.range):
            self.ranges[p].add(c)
        self.relevant = axiom_properties(tbox)
        # a chain of k links derives (x p z) from a path x … z: a change on its last link is k - 1
        # hops from x (transitive links are one hop: the inferred graph holds their closure)
        self.radius = max([len(links) - 1 for _, links in self.chains] + [1])

    def supers(self, p):
        return self.superproperties.get(p, {p})

    def closure(self, triples: set) -> set:
        """Everything the axioms derive from ``triples`` (rdf:type and axiom-property triples)."""
        types = {(s, o) for s, p, o in triples if p == self.rdf_type}
        edges = {(s, p, o) for s, p, o in triples if p != self.rdf_type}
        while True:
            new = set()
            for s, p, o in edges:
                for q in self.supers(p):
                    new.add((s, q, o))
                    for inv in self.inverses.get(q, ()):
                        new.add((o, inv, s))
                    if q in self.symmetric:
                        new.add((o, q, s))
            by_pred = defaultdict(lambda: defaultdict(set))
            for s, p, o in edges | new:
                by_pred[p][s].add(o)
            for p in self.transitive:
                succ = by_pred.get(p, {})
                reach = _closure(succ)
                for s, nexts in succ.items():
                    for n in nexts:
                        new.update((s, p, o) for o in reach.get(n, {n}))
            for p, links in self.chains:
                frontier = {(s, s) for s in by_pred.get(links[0], {})}
                for link in links:
                    frontier = {(start, o) for start, node in frontier for o in by_pred.get(link, {}).get(node, ())}
                new.update((s, p, o) for s, o in frontier)
            if new <= edges:
                break
            edges |= new
        same = set()   # owlrl's prp-fp and prp-ifp (its other equality rules are off, as in graph.reason)
        by_pred = defaultdict(lambda: defaultdict(set))
        by_object = defaultdict(lambda: defaultdict(set))
        for s, p, o in edges:
            by_pred[p][s].add(o)
            by_object[p][o].add(s)
        for p in self.functional:
            for values in by_pred.get(p, {}).values():
                same.update((a, self.same_as, b) for a in values for b in values if a != b)
        for p in self.inverse_functional:
            for subjects in by_object.get(p, {}).values():
                same.update((a, self.same_as, b) for a in subjects for b in subjects if a != b)
        for s, p, o in edges:
            types.update((s, c) for c in self.domains.get(p, ()))
            types.update((o, c) for c in self.ranges.get(p, ()))
        typed = set()
        for s, c in types:
            typed.update((s, self.rdf_type, d) for d in self.superclasses.get(c, {c}))
        return edges | typed | same


TAUTOLOGIES = {to_oxigraph(t) for t in (OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty,
                                         RDFS.subClassOf, RDFS.subPropertyOf)}
TRIVIAL_TYPES = {to_oxigraph(t) for t in (OWL.Thing, RDFS.Resource, OWL.Nothing)}
TOP_CLASSES = {to_oxigraph(t) for t in (OWL.Thing, RDFS.Resource)}
RDF_TYPE, SUBCLASS = to_oxigraph(RDF.type), to_oxigraph(RDFS.subClassOf)


def _trivial(s, p, o) -> bool:
    """graph.reason's _is_tautology, for pyoxigraph terms."""
    if not isinstance(s, ox.NamedNode) or isinstance(o, ox.BlankNode):
        return True
    return ((p in TAUTOLOGIES and s == o) or (p == RDF_TYPE and o in TRIVIAL_TYPES)
            or (p == SUBCLASS and o in TOP_CLASSES))


class Inferences:
    def __init__(self, inferred_graph: str, ontology_graph: str, hidden: set[str]):
        self.inferred = ox.NamedNode(inferred_graph)
        self.ontology = ontology_graph
        self.not_asserted = {ox.NamedNode(g) for g in hidden} | {self.inferred}
        self._tbox: Graph | None = None
        self._tbox_quads: set = set()
        self._axioms: Axioms | None = None

    def tbox(self, store: ox.Store) -> Graph:
        if self._tbox is None:
            g = Graph()
            triples = set()
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(self.ontology)):
                g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
                triples.add((q.subject, q.predicate, q.object))
            self._tbox, self._tbox_quads, self._axioms = g, triples, Axioms(g, to_oxigraph)
        return self._tbox

    def axioms(self, store: ox.Store) -> Axioms:
        self.tbox(store)
        return self._axioms

    def _asserted(self, store, s=None, p=None, o=None):
        """Asserted data quads (not the ontology graph, nor the server's own graphs)."""
        for q in store.quads_for_pattern(s, p, o, None):
            if q.graph_name not in self.not_asserted and graph_name(q.graph_name) != self.ontology:
                yield q

    def _is_asserted(self, store, s, p, o) -> bool:
        return any(q.graph_name not in self.not_asserted for q in store.quads_for_pattern(s, p, o, None))

    def update(self, change: Change, store: ox.Store) -> Change:
        """The change to make to the inferred graph after ``change`` (already in ``store``)."""
        if self.ontology in change.graphs():
            self._tbox = self._axioms = None
            return self.full(store)
        axioms = self.axioms(store)
        relevant = axioms.relevant
        changed = [q for q in change.removed | change.added
                   if q.graph_name not in self.not_asserted and (q.predicate == RDF_TYPE or q.predicate in relevant)]
        if not changed:
            return Change()
        removed = [q for q in change.removed if q.predicate in relevant]
        ontology = ox.NamedNode(self.ontology)
        outgoing: dict = {}

        def out(node):
            if node not in outgoing:
                outgoing[node] = list(store.quads_for_pattern(node, None, None, None))
            return outgoing[node]

        def neighbours(nodes):
            found = set()
            for node in nodes:
                if isinstance(node, ox.Literal):
                    continue
                found.update(q.object for q in out(node)
                             if q.predicate in relevant and not isinstance(q.object, ox.Literal))
                for p in relevant:   # by predicate: a hub (the province) has thousands of other links in
                    found.update(q.subject for q in store.quads_for_pattern(None, p, node, None))
            for q in removed:
                if q.subject in nodes:
                    found.add(q.object)
                if q.object in nodes:
                    found.add(q.subject)
            return found - nodes

        affected = {q.subject for q in changed}
        affected |= {q.object for q in changed if q.predicate != RDF_TYPE and not isinstance(q.object, ox.Literal)}
        for _ in range(axioms.radius):
            affected |= neighbours(affected)
        context_nodes = affected | neighbours(affected)
        if len(context_nodes) > MAX_CONTEXT_NODES:
            return self.full(store)
        skipped = {to_oxigraph(c) for c in SKIPPED_CLASSES}
        data = set()
        for node in context_nodes:
            if isinstance(node, ox.Literal):
                continue
            asserted = [q for q in out(node) if q.graph_name not in self.not_asserted and q.graph_name != ontology]
            if any(q.predicate == RDF_TYPE and q.object in skipped for q in asserted):
                continue   # as graph.reason: no axiom of interest concerns evidence or geometry
            data.update((q.subject, q.predicate, q.object) for q in asserted
                        if q.predicate == RDF_TYPE or q.predicate in relevant)
            if node not in affected:   # its inferences are unchanged: they stand in for its closure
                data.update((q.subject, q.predicate, q.object) for q in out(node) if q.graph_name == self.inferred)
        new = set()
        for s, p, o in axioms.closure(data):
            if s not in affected or (s, p, o) in data or _trivial(s, p, o) or (s, p, o) in self._tbox_quads:
                continue
            if not self._is_asserted(store, s, p, o):
                new.add(ox.Quad(s, p, o, self.inferred))
        old = {q for node in affected if not isinstance(node, ox.Literal)
               for q in store.quads_for_pattern(node, None, None, self.inferred)}
        return Change(removed=old - new, added=new - old)

    def full(self, store: ox.Store) -> Change:
        """Re-reason everything with owlrl (after an ontology change): the change to the inferred graph."""
        tbox = self.tbox(store)
        data = Graph()
        for q in self._asserted(store):
            data.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        new = {ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), self.inferred)
               for s, p, o in infer(tbox, data)}
        old = set(store.quads_for_pattern(None, None, None, self.inferred))
        return Change(removed=old - new, added=new - old)


def compare_with_owlrl(tbox: Graph, data: Graph) -> tuple[set, set]:
    """(what owlrl infers, what the engine infers) about the data's nodes — for tests."""
    builtin = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
    schema = set(tbox.subjects()) | {s for s, _, _ in infer(tbox, data) if str(s).startswith(builtin)}
    expected = {t for t in infer(tbox, data) if t[0] not in schema}
    axioms = Axioms(tbox)
    skipped = {s for c in SKIPPED_CLASSES for s in data.subjects(RDF.type, c)}
    given = {(s, p, o) for s, p, o in data
             if s not in skipped and (p == RDF.type or p in axioms.relevant)}
    got = {t for t in axioms.closure(given)
           if t[0] not in schema and t not in data and t not in tbox and not _is_tautology(*t)}
    return expected, got
