"""Properties of the write path, over generated inputs (hypothesis):

* evaluating an update in pieces (graph.updates) leaves the store exactly as Oxigraph running the
  update itself does — or fails where Oxigraph fails;
* after any sequence of edits, the incrementally maintained inferred graph equals what owlrl
  derives from scratch.
"""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiancheng.graph.build import load_ontology
from xiancheng.graph.incremental import Inferences
from xiancheng.graph.reason import infer
from xiancheng.graph.store import to_oxigraph, to_rdflib
from xiancheng.graph.updates import Evaluator, Session, UpdateError, local_select, split_update

from test_writes import SEED, canonical

# --- updates: a small grammar ------------------------------------------------------------------

iri = st.sampled_from(["<urn:s1>", "<urn:s2>", "<http://a>", "<http://b>", "<http://d>"])
pred = st.sampled_from(["<urn:p1>", "<http://p>", "<http://r>"])
obj = st.sampled_from(['"1"', '"def"', "1", "<urn:s1>", "<http://a>", '"x"@en', "true"])
graph = st.sampled_from(["<urn:g1>", "<http://g1>", "<http://g2>", "<http://nope>"])
var = st.sampled_from(["?s", "?o", "?x"])


@st.composite
def triples(draw, variables=False, blanks=False):
    def term(kind):
        choices = [kind]
        if variables:
            choices.append(var)
        if blanks and kind is obj:
            choices.append(st.just("[]"))
        return draw(st.one_of(choices))
    return " . ".join(f"{term(iri)} {draw(pred)} {term(obj)}" for _ in range(draw(st.integers(1, 2))))


@st.composite
def quad_block(draw, variables=False, blanks=False):
    parts = []
    for _ in range(draw(st.integers(1, 2))):
        body = draw(triples(variables, blanks))
        if draw(st.booleans()):
            g = draw(st.one_of(graph, st.just("?g"))) if variables else draw(graph)
            parts.append(f"GRAPH {g} {{ {body} }}")
        else:
            parts.append(body + " .")
    return " ".join(parts)


target = st.one_of(graph.map(lambda g: f"GRAPH {g}"), st.sampled_from(["DEFAULT", "NAMED", "ALL"]))
source = st.one_of(graph, st.just("DEFAULT"))
silent = st.sampled_from(["", "SILENT "])


@st.composite
def operation(draw):
    kind = draw(st.sampled_from(["insert-data", "delete-data", "delete-where", "modify", "with",
                                 "using", "graph-op", "move"]))
    if kind == "insert-data":
        return f"INSERT DATA {{ {draw(quad_block(blanks=True))} }}"
    if kind == "delete-data":
        return f"DELETE DATA {{ {draw(quad_block())} }}"
    if kind == "delete-where":
        return f"DELETE WHERE {{ {draw(quad_block(variables=True))} }}"
    where = f"WHERE {{ {draw(quad_block(variables=True))} }}"
    delete = f"DELETE {{ {draw(quad_block(variables=True))} }} " if draw(st.booleans()) else ""
    insert = f"INSERT {{ {draw(quad_block(variables=True, blanks=True))} }} " if (not delete or draw(st.booleans())) else ""
    if kind == "with":
        return f"WITH {draw(graph)} {delete}{insert}{where}"
    if kind == "using":
        return f"{delete}{insert}USING {draw(graph)} {where}"
    if kind == "graph-op":
        op = draw(st.sampled_from(["CLEAR", "DROP", "CREATE"]))
        t = draw(graph.map(lambda g: f"GRAPH {g}")) if op == "CREATE" else draw(target)
        return f"{op} {draw(silent)}{t}"
    if kind == "move":
        return f"{draw(st.sampled_from(['ADD', 'MOVE', 'COPY']))} {draw(silent)}{draw(source)} TO {draw(source)}"
    return f"{delete}{insert}{where}"


updates = st.lists(operation(), min_size=1, max_size=3).map(" ;\n".join)


def _seeded():
    store = ox.Store()
    store.update(SEED)
    return store


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(updates)
def test_pieces_give_what_oxigraph_gives(text):
    native = _seeded()
    try:
        native.update(text)
        expected = canonical(native)
    except (SyntaxError, RuntimeError, OSError, ValueError):
        expected = "error"
    store = _seeded()
    session = Session(store)
    try:
        Evaluator(session, local_select(store)).run(split_update(text))
        got = canonical(store)
    except UpdateError:
        got = "error"
        session.rollback()
        assert canonical(store) == canonical(_seeded()), "a failed update was not undone"
    assert got == expected, text


# --- inferences: incremental equals from scratch ---------------------------------------------------

XC = "https://kg.xiancheng.example/def/"
GRAPHS = "https://kg.xiancheng.example/graph/"
NODES = [f"urn:div:{i}" for i in range(6)] + [f"urn:des:{i}" for i in range(3)] + ["urn:prog:0", "urn:prog:1"]
EDGES = ["parentDivision", "childDivision", "locatedIn", "partOf", "designee", "designatedUnder",
         "conflictsWith", "hasDesignation", "member"]
TYPES = ["County", "PrefectureLevelCity", "Province", "Designation", "Programme", "Evidence", "SpecialtyTown"]

edit = st.one_of(
    st.tuples(st.sampled_from(["add", "remove"]), st.sampled_from(NODES), st.sampled_from(EDGES),
              st.sampled_from(NODES)),
    st.tuples(st.sampled_from(["add", "remove"]), st.sampled_from(NODES), st.just("type"),
              st.sampled_from(TYPES)),
)


def _quad(s, p, o):
    predicate = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" if p == "type" else XC + p
    value = XC + o if p == "type" else o
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(predicate), ox.NamedNode(value), ox.NamedNode(GRAPHS + "data"))


def _small_store(ontology):
    store = ox.Store()
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(GRAPHS + "ontology"))
                 for s, p, o in ontology)
    for i in range(1, 6):   # a little tree: 0 is the province
        store.add(_quad(f"urn:div:{i}", "parentDivision", f"urn:div:{0 if i < 3 else i - 2}"))
        store.add(_quad(f"urn:div:{i}", "type", "County" if i > 2 else "PrefectureLevelCity"))
    store.add(_quad("urn:div:0", "type", "Province"))
    store.add(_quad("urn:des:0", "designee", "urn:div:3"))
    store.add(_quad("urn:des:0", "designatedUnder", "urn:prog:0"))
    return store


def _inferred_about_data(store) -> set:
    return {q for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPHS + "inferred"))
            if q.subject.value.startswith("urn:")}


ONTOLOGY = None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(edit, min_size=1, max_size=3), min_size=1, max_size=3))
def test_incremental_inferences_equal_a_full_run(writes):
    global ONTOLOGY
    ONTOLOGY = ONTOLOGY or load_ontology()
    store = _small_store(ONTOLOGY)
    inferences = Inferences(GRAPHS + "inferred", GRAPHS + "ontology", {GRAPHS + "changes"})
    Session(store).apply(inferences.full(store))
    for write in writes:
        session = Session(store)
        for action, s, p, o in write:
            (session.add if action == "add" else session.remove)([_quad(s, p, o)])
        session.apply(inferences.update(session.change(), store))
    data = {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPHS + "data"))}
    from rdflib import Graph
    graph = Graph()
    for t in data:
        graph.add(t)
    expected = {t for t in infer(ONTOLOGY, graph) if str(t[0]).startswith("urn:")}
    got = {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in _inferred_about_data(store)}
    assert got == expected, (writes, sorted(map(str, expected - got))[:5], sorted(map(str, got - expected))[:5])
