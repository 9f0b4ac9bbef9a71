"""Reasoning with owlrl into a separate inferred graph.

A full OWL-RL closure of the dataset took 9.8 s here (11k triples; see docs/reasoning.md), so the
reasoner gets only what the ontology's axioms can act on:

* the ontology graph (the T-box);
* the ``rdf:type`` statements and the statements whose predicate takes part in an axiom
  (sub-property, inverse, transitive, symmetric, property chain) of the domain entities — not of
  evidence or geometry nodes, which no axiom of interest concerns.

owlrl's equality rules (``owl:sameAs``) are switched off: the ontology states no axiom that should
produce equality, and those rules alone were half of the time (mostly reflexive ``x sameAs x``).
The result is the closure of what queries rely on — class hierarchy, part-of transitivity, inverse
properties, the designation property chain, symmetric conflicts — with nothing already asserted
and none of owlrl's tautologies.
"""

from __future__ import annotations

import owlrl
from owlrl.OWLRL import OWLRL_Semantics
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import GEO, OWL, RDF, RDFS

from .build import BuiltDataset
from .namespaces import XC

# Nodes whose types no axiom of interest depends on.
SKIPPED_CLASSES = (XC.Evidence, GEO.Geometry)
TAUTOLOGIES = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf,
               RDFS.subPropertyOf}
TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.Nothing}


class _WithoutEquality(OWLRL_Semantics):
    """owlrl's OWL-RL rules without the equality (owl:sameAs) rules."""

    def _equality(self, triple, cycle_num):
        return None


def axiom_properties(ontology: Graph) -> set[URIRef]:
    """Properties that take part in an axiom the reasoner can act on."""
    found: set = set()
    for predicate in (RDFS.subPropertyOf, OWL.inverseOf):
        for s, o in ontology.subject_objects(predicate):
            found.update((s, o))
    for characteristic in (OWL.TransitiveProperty, OWL.SymmetricProperty):
        found.update(ontology.subjects(RDF.type, characteristic))
    for prop, chain in ontology.subject_objects(OWL.propertyChainAxiom):
        found.add(prop)
        found.update(Collection(ontology, chain))
    return {p for p in found if isinstance(p, URIRef)}


def reasoner_input(ontology: Graph, data: Graph) -> Graph:
    relevant = axiom_properties(ontology)
    skipped = {s for cls in SKIPPED_CLASSES for s in data.subjects(RDF.type, cls)}
    g = Graph()
    for triple in ontology:
        if not isinstance(triple[2], Literal):  # annotations trigger no rule
            g.add(triple)
    for s, p, o in data:
        if s not in skipped and (p == RDF.type or p in relevant):
            g.add((s, p, o))
    return g


def _is_tautology(s, p, o) -> bool:
    """owlrl's trivial output, and its generalized-RDF triples (literal subjects), which are not RDF."""
    if not isinstance(s, URIRef) or isinstance(o, BNode):
        return True
    if p in TAUTOLOGIES and s == o:
        return True
    if p == RDF.type and o in TRIVIAL_TYPES:
        return True
    if p == RDFS.subClassOf and o in (OWL.Thing, RDFS.Resource):
        return True
    return False


def infer(ontology: Graph, data: Graph) -> Graph:
    """The triples the ontology entails about ``data`` that are not already stated."""
    closure = reasoner_input(ontology, data)
    owlrl.DeductiveClosure(_WithoutEquality, axiomatic_triples=False,
                           datatype_axioms=False).expand(closure)
    inferred = Graph()
    for triple in closure:
        if triple not in data and triple not in ontology and not _is_tautology(*triple):
            inferred.add(triple)
    return inferred


def reason(built: BuiltDataset) -> Graph:
    """Add the inferred graph to a built dataset and return it."""
    ontology = built.dataset.graph(built.graphs["ontology"])
    data = built.union([name for name in built.graphs if name not in ("ontology", "inferred")])
    inferred = infer(ontology, data)
    iri = built.minter.inferred_graph
    built.graphs["inferred"] = iri
    target = built.dataset.graph(iri)
    for triple in inferred:
        target.add(triple)
    return target
