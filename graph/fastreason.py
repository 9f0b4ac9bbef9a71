"""Reasoning at scale: the inferred graph of ``reason.py``, computed by SPARQL rules on Oxigraph.

owlrl applies every OWL-RL rule to every triple in Python, round after round (not finished after
600 s on a million triples). The ontology itself is small, so the work is split:

1. the T-box: owlrl's closure of the ontology alone (``reason.infer(ontology, empty)``, 0.2 s), so
   that what the ontology entails about itself is exactly what owlrl gives;
2. the A-box: the OWL-RL rules that act on instance data, as SPARQL updates run inside Oxigraph
   until nothing new is derived — sub-properties (prp-spo1), inverses (prp-inv1/2), symmetric
   (prp-symp), transitive (prp-trp, as a property path), functional and inverse-functional
   properties (prp-fp, prp-ifp), property chains (prp-spo2), domains and ranges (prp-dom, prp-rng) and
   sub-classes (cax-sco). The axioms come from the closed T-box as a ``VALUES`` table; the rules with
   one data atom are evaluated semi-naively (each round reads only what the previous one derived);
3. the same input and output as ``reason.py``: the ontology's triples without literals, and the data's
   ``rdf:type`` triples and those whose predicate takes part in an axiom, except about evidence and
   geometry nodes; the result keeps nothing asserted and none of owlrl's tautologies.

Equality rules stay off, as in ``reason.py``. Class expressions (restrictions, unions, intersections,
``owl:oneOf``, ``owl:hasKey``) would need the cls-* rules, and data that declares schema (classes,
property characteristics) or entails it would need the T-box closed again: both raise
``UnsupportedOntology`` rather than give a smaller closure. Triples whose subject would be a literal
are not derived (they are not RDF; owlrl derives and then drops them). Tests prove the result equal
to ``reason.infer`` on the shipped data, the example data and synthetic data.

The work happens in scratch graphs of the store (``urn:x-xiancheng:reasoning:…``), dropped at the end.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from .formats import RDF_FORMATS
from .reason import SKIPPED_CLASSES, TAUTOLOGIES, TRIVIAL_TYPES, axiom_properties, infer
from .store import OxigraphStore

INPUT = "urn:x-xiancheng:reasoning:input"      # the ontology, its closure and the data's relevant triples
DERIVED = "urn:x-xiancheng:reasoning:derived"  # everything derived so far
DELTA = "urn:x-xiancheng:reasoning:delta"      # what the last round derived
NEXT = "urn:x-xiancheng:reasoning:next"        # what this round derives
TBOX = "urn:x-xiancheng:reasoning:tbox"        # owlrl's closure of the ontology, for the output
SCRATCH = (INPUT, DERIVED, DELTA, NEXT, TBOX)
UNSUPPORTED = [OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.oneOf, OWL.someValuesFrom,
               OWL.allValuesFrom, OWL.hasValue, OWL.maxCardinality, OWL.maxQualifiedCardinality,
               OWL.cardinality, OWL.minCardinality, OWL.hasKey, OWL.hasSelf, OWL.onProperty]
SCHEMA_PREDICATES = [RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf,
                     OWL.equivalentClass, OWL.equivalentProperty, OWL.propertyChainAxiom]
META_CLASSES = [OWL.Class, RDFS.Class, RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty,
                OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.FunctionalProperty,
                OWL.InverseFunctionalProperty]
PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX owl: <{OWL}>\n"

# Rules with one data atom: (variables of the axiom table, the data atom, what is derived).
ONE_ATOM_RULES = {
    "prp-spo1": ("?p ?q", "?x ?p ?y", "?x ?q ?y"),
    "prp-inv": ("?p ?q", "?x ?p ?y . FILTER(!isLiteral(?y))", "?y ?q ?x"),
    "prp-symp": ("?p", "?x ?p ?y . FILTER(!isLiteral(?y))", "?y ?p ?x"),
    "prp-dom": ("?p ?c", "?x ?p ?y", "?x a ?c"),
    "prp-rng": ("?p ?c", "?x ?p ?y . FILTER(!isLiteral(?y))", "?y a ?c"),
    "cax-sco": ("?c ?d", "?x a ?c", "?x a ?d"),
}


class UnsupportedOntology(ValueError):
    """The ontology or the data use OWL constructs whose rules this reasoner does not apply."""


def check_supported(ontology: Graph) -> None:
    used = sorted({p.n3() for p in UNSUPPORTED if (None, p, None) in ontology})
    if used:
        raise UnsupportedOntology("the ontology uses " + ", ".join(used) + "; the fast reasoner does "
                                  "not apply class-expression rules (use the standard engine)")


def axiom_tables(tbox: Graph) -> dict[str, list[tuple]]:
    """The rows each one-atom rule needs, from the closed T-box."""
    def iris(*terms):
        return all(isinstance(t, URIRef) for t in terms)
    pairs = {p: sorted((s, o) for s, o in tbox.subject_objects(p) if iris(s, o) and s != o)
             for p in (RDFS.subPropertyOf, RDFS.domain, RDFS.range, RDFS.subClassOf, OWL.inverseOf)}
    return {
        "prp-spo1": pairs[RDFS.subPropertyOf],
        "prp-inv": sorted(set(pairs[OWL.inverseOf]) | {(q, p) for p, q in pairs[OWL.inverseOf]}),
        "prp-symp": [(p,) for p in sorted(tbox.subjects(RDF.type, OWL.SymmetricProperty)) if iris(p)],
        "prp-dom": pairs[RDFS.domain],
        "prp-rng": pairs[RDFS.range],
        "cax-sco": pairs[RDFS.subClassOf],
    }


def _update(where: str, template: str) -> str:
    """Add to NEXT what ``where`` derives that the input and DERIVED do not hold."""
    return (f"{PREFIXES}INSERT {{ GRAPH <{NEXT}> {{ {template} }} }} USING <{INPUT}> USING <{DERIVED}> "
            f"USING NAMED <{INPUT}> USING NAMED <{DELTA}> WHERE {{ {where} FILTER NOT EXISTS {{ {template} }} }}")


def one_atom_rule(name: str, rows: list[tuple], delta: str) -> str:
    variables, atom, template = ONE_ATOM_RULES[name]
    table = " ".join("(" + " ".join(t.n3() for t in row) + ")" for row in rows)
    # LATERAL: for each axiom, an index lookup in the delta graph (not a scan joined afterwards).
    return _update(f"VALUES ({variables}) {{ {table} }} LATERAL {{ GRAPH <{delta}> {{ {atom} }} }}", template)


def joining_rules(tbox: Graph) -> list[tuple[set, str]]:
    """Rules joining data atoms, with the predicates whose new triples can make them fire."""
    rules = []
    for p in sorted(set(tbox.subjects(RDF.type, OWL.TransitiveProperty)), key=str):
        if isinstance(p, URIRef):
            rules.append(({p}, _update(f"?x <{p}>+ ?z .", f"?x <{p}> ?z")))
    for q, head in sorted(tbox.subject_objects(OWL.propertyChainAxiom), key=str):
        chain = list(Collection(tbox, head))
        if chain and all(isinstance(p, URIRef) for p in chain) and isinstance(q, URIRef):
            steps = " ".join(f"?v{i} <{p}> ?v{i + 1} ." for i, p in enumerate(chain))
            rules.append((set(chain), _update(steps, f"?v0 <{q}> ?v{len(chain)}")))
    for p in sorted(set(tbox.subjects(RDF.type, OWL.FunctionalProperty)), key=str):
        if isinstance(p, URIRef):
            rules.append(({p}, _update(f"?x <{p}> ?y, ?z . FILTER(!sameTerm(?y, ?z) && !isLiteral(?y))",
                                       "?y owl:sameAs ?z")))
    for p in sorted(set(tbox.subjects(RDF.type, OWL.InverseFunctionalProperty)), key=str):
        if isinstance(p, URIRef):
            rules.append(({p}, _update(f"?y <{p}> ?o . ?z <{p}> ?o . FILTER(!sameTerm(?y, ?z))",
                                       "?y owl:sameAs ?z")))
    return rules


def _count(store: OxigraphStore, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(result.rows[0][0])


def _load(store: OxigraphStore, graph: Graph, iri: str) -> None:
    if len(graph):
        store.load(graph.serialize(format="nt", encoding="utf-8"), RDF_FORMATS["ntriples"], iri)


def _iris(graphs) -> str:
    return ", ".join(f"<{g}>" for g in graphs) or "<urn:x-none>"


def ontology_graph(store: OxigraphStore, iri: str) -> Graph:
    g = Graph()
    for triple in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}").triples:
        g.add(triple)
    return g


def closed_tbox(ontology: Graph) -> tuple[Graph, Graph]:
    """(owlrl's inferences from the ontology alone, those plus the ontology's non-literal triples)."""
    check_supported(ontology)
    tbox = infer(ontology, Graph())
    closed = Graph()
    for triple in ontology:
        if not isinstance(triple[2], Literal):  # as reason.reasoner_input
            closed.add(triple)
    for triple in tbox:
        closed.add(triple)
    check_supported(closed)
    return tbox, closed


def infer_store(store: OxigraphStore, ontology: str, data: list[str], target: str,
                progress=None) -> int:
    """Add to graph ``target`` what the ontology (graph ``ontology``) entails about the ``data``
    graphs that is not already stated; return the number of inferred triples."""
    say = progress or (lambda message: None)
    onto = ontology_graph(store, ontology)
    tbox, closed = closed_tbox(onto)
    tables = axiom_tables(closed)
    joining = joining_rules(closed)

    # Graphs are excluded rather than listed: a pattern over every graph is one index lookup.
    others = [g for g in store.graphs() if g not in set(data) | {ontology}] + list(SCRATCH)
    not_data = _iris(others + [ontology])
    meta = " ".join(c.n3() for c in META_CLASSES)
    if data and store.query(f"ASK {{ VALUES ?m {{ {meta} }} GRAPH ?g {{ ?s a ?m }} "
                            f"FILTER(?g NOT IN ({not_data})) }}").boolean:
        raise UnsupportedOntology("the data declares classes or properties; the fast reasoner "
                                  "reads axioms from the ontology only (use the standard engine)")
    relevant = " ".join(p.n3() for p in sorted(axiom_properties(onto) | {RDF.type}))
    skipped = " ".join(c.n3() for c in SKIPPED_CLASSES)
    drop = " ; ".join(f"DROP SILENT GRAPH <{g}>" for g in SCRATCH)
    store.update(drop)
    try:
        _load(store, closed, INPUT)
        _load(store, tbox, TBOX)
        if data:
            store.update(
                f"INSERT {{ GRAPH <{INPUT}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?p {{ {relevant} }} "
                f"LATERAL {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({not_data})) }} "
                f"FILTER NOT EXISTS {{ VALUES ?skip {{ {skipped} }} GRAPH ?h {{ ?s a ?skip }} "
                f"FILTER(?h NOT IN ({not_data})) }} }}")
        delta, rounds = INPUT, 0
        while True:
            rounds += 1
            for name, rows in tables.items():
                if rows:
                    store.update(one_atom_rule(name, rows, delta))
            for predicates, rule in joining:
                values = " ".join(p.n3() for p in predicates)
                if rounds == 1 or store.query(f"ASK {{ GRAPH <{DELTA}> {{ ?x ?p ?y }} VALUES ?p {{ {values} }} }}").boolean:
                    store.update(rule)
            new = _count(store, NEXT)
            say(f"round {rounds}: {new} new triples")
            if not new:
                break
            store.update(f"ADD <{NEXT}> TO <{DERIVED}> ; MOVE <{NEXT}> TO <{DELTA}>")
            delta = DELTA
        schema = " ".join(p.n3() for p in SCHEMA_PREDICATES)
        if store.query(f"ASK {{ GRAPH <{DERIVED}> {{ ?s ?p ?o }} VALUES ?p {{ {schema} }} }}").boolean:
            raise UnsupportedOntology("the data entails schema triples (sub-classes, domains, inverses "
                                      "…); the fast reasoner does not close the T-box again (use the "
                                      "standard engine)")
        trivial_types = ", ".join(t.n3() for t in sorted(TRIVIAL_TYPES))
        reflexive = ", ".join(t.n3() for t in sorted(TAUTOLOGIES))
        before = _count(store, target)
        store.update(
            f"{PREFIXES}INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ "
            f"VALUES ?r {{ <{DERIVED}> <{TBOX}> }} GRAPH ?r {{ ?s ?p ?o }} "
            f"FILTER(isIRI(?s) && !isBlank(?o)) "
            f"FILTER(!(sameTerm(?s, ?o) && ?p IN ({reflexive}))) "
            f"FILTER(!(sameTerm(?p, rdf:type) && ?o IN ({trivial_types}))) "
            f"FILTER(!(sameTerm(?p, rdfs:subClassOf) && ?o IN (owl:Thing, rdfs:Resource))) "
            f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({_iris(others)})) }} }}")
        return _count(store, target) - before
    finally:
        store.update(drop)


def infer_graph(ontology: Graph, data: Graph) -> Graph:
    """Like ``reason.infer``: what ``ontology`` entails about ``data``, computed on a scratch store."""
    store = OxigraphStore()
    _load(store, ontology, "urn:x-xiancheng:ontology")
    _load(store, data, "urn:x-xiancheng:data")
    target = "urn:x-xiancheng:inferred"
    infer_store(store, "urn:x-xiancheng:ontology", ["urn:x-xiancheng:data"] if len(data) else [], target)
    inferred = Graph()
    for triple in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}").triples:
        inferred.add(triple)
    return inferred
