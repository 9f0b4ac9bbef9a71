"""Building a network from a release's N-Quads (see graph.network for what the network holds).

One pass over the quads with pyoxigraph's parser collects labels, asserted types, literals and
links; then entities become nodes, links between them edges, vocabulary terms attributes, and
(with ``collapse``) each n-ary node one edge per source and target it joins.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from .namespaces import DEFAULT_BASE
from .network import Network, Projection
from .network_terms import (ALT_LABEL, CODE_PREDICATES, DCT, GENERIC_CLASSES, GEOMETRY_PREDICATES,
                            LABEL, LEFT_OUT_CLASSES, NOTE, ORG, OWL, PREF_LABEL, QB, RDFS,
                            STRUCTURAL_PREDICATES, TYPE, X, Vocabulary, curie, local_name, value_of)


@dataclass(frozen=True)
class Collapse:
    """How an n-ary node of class ``cls`` becomes an edge ``source —predicate→ target``: the
    source is the value of ``source`` on the node (or, with ``inverse``, the resource pointing
    at the node with ``source``), the target the value of ``target``."""
    cls: str
    kind: str
    source: str
    target: str
    predicate: str
    inverse: bool = False


COLLAPSES = [
    Collapse(X + "Designation", "designation", X + "designee", X + "designatedUnder", X + "designatedUnder"),
    Collapse(QB + "Observation", "observation", X + "refArea", X + "indicator", X + "indicator"),
    Collapse(ORG + "Membership", "membership", ORG + "member", ORG + "organization", ORG + "memberOf"),
    Collapse(X + "Evidence", "evidence", X + "evidence", DCT + "source", DCT + "source", inverse=True),
]
EVIDENCE = X + "Evidence"


def build_network(nquads: bytes, projection: Projection = Projection(), *, base: str = DEFAULT_BASE,
                  graph_names: dict | None = None, release_id: str = "") -> Network:
    """Project N-Quads (a release's dataset) into a network. ``graph_names`` maps named-graph
    IRIs to their short names (the release's graphs); the graphs named ``ontology`` and
    ``inferred`` are recognised by name."""
    # The build makes millions of small objects and frees none: the cyclic garbage collector
    # would only rescan them (measured: a third to a half of the time at 500k triples).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(nquads, projection, base, graph_names, release_id)
    finally:
        if enabled:
            gc.enable()


def _build(nquads, projection, base, graph_names, release_id) -> Network:
    graph_names = graph_names or {}
    inferred_graph = next((iri for iri, n in graph_names.items() if n == "inferred"), None)
    ontology_graph = next((iri for iri, n in graph_names.items() if n == "ontology"), None)
    id_base = base + "id/"

    labels: dict[str, dict] = defaultdict(dict)
    alt_labels: dict[str, list] = defaultdict(list)
    types: dict[str, set] = defaultdict(set)
    literals: dict[str, list] = defaultdict(list)
    links: list[tuple] = []            # (s, p, o, graph, inferred)
    superclasses: dict[str, set] = defaultdict(set)
    inverses: dict[str, str] = {}

    named, literal = ox.NamedNode, ox.Literal
    subclass_of, inverse_of, label_predicates = RDFS + "subClassOf", OWL + "inverseOf", (LABEL, PREF_LABEL)
    for s, p, o, g in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        if type(s) is not named:
            continue
        s, p = s.value, p.value
        g = g.value if type(g) is named else None
        if type(o) is literal:
            if p in label_predicates and o.language:
                labels[s].setdefault(o.language[:2], o.value)
            elif p == ALT_LABEL:
                alt_labels[s].append(o.value)
            elif g != ontology_graph:
                literals[s].append((p, o))
            continue
        if type(o) is not named:
            continue
        o = o.value
        if g == ontology_graph or (p == subclass_of and g == inferred_graph):
            if p == subclass_of:
                superclasses[s].add(o)
            elif p == inverse_of:
                inverses[s], inverses[o] = o, s
        elif p == TYPE:
            if g != inferred_graph:
                types[s].add(o)
        else:
            links.append((s, p, o, g, g == inferred_graph))

    vocabulary = Vocabulary(dict(labels), dict(superclasses), inverses)
    collapsing = {c.cls: c for c in COLLAPSES} if projection.collapse else {}
    entities: dict[str, str] = {}       # node -> its type
    nary: dict[str, Collapse] = {}
    for s, classes in types.items():
        if not s.startswith(id_base) or classes & LEFT_OUT_CLASSES:
            continue
        if EVIDENCE in classes and not projection.evidence:
            continue
        rule = next((collapsing[c] for c in classes if c in collapsing), None)
        if rule is not None:
            nary[s] = rule
            continue
        entities[s] = _main_type(classes, vocabulary)

    graph = nx.MultiDiGraph(release=release_id, **{k: str(v) for k, v in projection.describe().items()})
    for node, cls in entities.items():
        graph.add_node(node, **_node_attributes(node, cls, vocabulary, literals))
    _add_coordinates(graph, links, literals)

    out_links: dict[str, list] = defaultdict(list)
    into: dict[str, list] = defaultdict(list)
    for link in links:
        s, p, o, g, is_inferred = link
        if p in STRUCTURAL_PREDICATES or p in GEOMETRY_PREDICATES:
            continue
        if s in nary:
            out_links[s].append(link)
        elif s in entities and o in nary and nary[o].inverse and p == nary[o].source:
            into[o].append(link)
        elif s in entities and o in entities:
            if is_inferred and not projection.inferred:
                continue
            graph.add_edge(s, o, **_edge_attributes(p, g, is_inferred, vocabulary, graph_names))
        elif s in entities and not is_inferred and o not in types:
            _add_attribute(graph.nodes[s], local_name(p), _term_value(o))

    evidence_sources = defaultdict(set)
    for s, p, o, *_ in links:
        if p == DCT + "source" and EVIDENCE in types.get(s, ()):
            evidence_sources[s].add(o)
    for node, rule in nary.items():
        _collapse(graph, node, rule, out_links[node], into[node], literals[node], entities,
                  vocabulary, graph_names, evidence_sources)
    return Network(graph, vocabulary, projection, release_id, base, dict(alt_labels))


def _main_type(classes: set, vocabulary: Vocabulary) -> str:
    telling = (classes - GENERIC_CLASSES) or classes
    specific = [c for c in telling
                if not any(c != other and c in vocabulary.ancestors(other) for other in telling)]
    return sorted(specific, key=lambda c: (not c.startswith(X), c))[0]


def _node_attributes(node: str, cls: str, vocabulary: Vocabulary, literals: dict) -> dict:
    zh = vocabulary.labels.get(node, {}).get("zh")
    en = vocabulary.labels.get(node, {}).get("en")
    attrs = {"label": zh or en or local_name(node), "label_zh": zh or en or local_name(node),
             "label_en": en or zh or local_name(node), "type": curie(cls), "type_iri": cls,
             "type_zh": vocabulary.label(cls, "zh"), "type_en": vocabulary.label(cls, "en")}
    values = dict(literals.get(node, ()))
    for predicate in CODE_PREDICATES:
        if predicate in values:
            attrs["code"] = values[predicate].value
            break
    return attrs


def _add_coordinates(graph: nx.MultiDiGraph, links: list, literals: dict) -> None:
    """Latitude and longitude of a node from its centroid (else its seat, else any geometry)."""
    rank = {p: i for i, p in enumerate(GEOMETRY_PREDICATES)}
    best: dict[str, tuple] = {}
    for s, p, o, *_ in links:
        if p in rank and s in graph and (s not in best or rank[p] < best[s][0]):
            best[s] = (rank[p], o)
    for node, (_, geometry) in best.items():
        values = {p: lit.value for p, lit in literals.get(geometry, ())}
        try:
            graph.nodes[node]["lat"] = float(values[X + "latitude"])
            graph.nodes[node]["lon"] = float(values[X + "longitude"])
        except (KeyError, ValueError):
            continue


def _term_value(iri: str) -> str:
    """A vocabulary term as its key under ``def/`` (``division-level/county``); others as IRIs."""
    return iri[len(X):] if iri.startswith(X) else iri


def _add_attribute(attrs: dict, key: str, value) -> None:
    if key in attrs and attrs[key] != value:
        old = attrs[key]
        if str(value) not in str(old).split(" "):
            attrs[key] = f"{old} {value}"
    else:
        attrs[key] = value


def _edge_attributes(predicate: str, graph_iri: str | None, is_inferred: bool,
                     vocabulary: Vocabulary, graph_names: dict) -> dict:
    return {"predicate": curie(predicate), "predicate_iri": predicate,
            "label_zh": vocabulary.label(predicate, "zh"), "label_en": vocabulary.label(predicate, "en"),
            "inferred": is_inferred, "graph": graph_names.get(graph_iri, graph_iri or "")}


def _collapse(graph, node, rule, links, into, literals, entities, vocabulary, graph_names,
              evidence_sources) -> None:
    sources, targets, attrs, graph_iri, evidence = [], [], {}, None, []
    if rule.inverse:
        sources = [s for s, *_ in into]
    for s, p, o, g, is_inferred in links:
        if is_inferred:
            continue
        graph_iri = graph_iri or g
        if p == rule.source and not rule.inverse:
            sources.append(o)
        elif p == rule.target:
            targets.append(o)
        elif p == X + "evidence":
            evidence.append(o)
        else:
            _add_attribute(attrs, local_name(p), _term_value(o))
    for p, literal in literals:
        if p != NOTE:
            _add_attribute(attrs, local_name(p), value_of(literal))
        elif "note" not in attrs:
            attrs["note"] = literal.value
    if evidence:
        attrs["sources"] = " ".join(sorted({d for e in evidence for d in evidence_sources[e]}))
    for source in sources:
        for target in targets:
            if source in entities and target in entities:
                edge = _edge_attributes(rule.predicate, graph_iri, False, vocabulary, graph_names)
                graph.add_edge(source, target, **edge, kind=rule.kind, via=node, **attrs)
