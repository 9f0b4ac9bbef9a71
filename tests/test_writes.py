"""Writes, as a library: update evaluation, the live store, the shapes gate, inferences, the log."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from xiancheng.graph import livestore
from xiancheng.graph.gate import AssertedView, ShapeGate
from xiancheng.graph.incremental import Axioms
from xiancheng.graph.livestore import Change, LiveStore
from xiancheng.graph.reason import SKIPPED_CLASSES, _is_tautology
from xiancheng.graph.updates import (Evaluator, Session, UpdateError, local_select, screen_update,
                                     split_update)
from xiancheng.graph.writes import Agent, WriteForbidden, WriteInvalid, WriteRejected, Writer

BASE = "https://kg.xiancheng.example/"
G = BASE + "graph/"
D = BASE + "id/division/"
P = ("PREFIX xc: <https://kg.xiancheng.example/def/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
     "PREFIX d: <https://kg.xiancheng.example/id/division/> ")
ALICE, ROOT = Agent("alice", "write"), Agent("root", "admin")

# --- update evaluation: the same result as Oxigraph running the update itself --------------------

SEED = ('INSERT DATA { <http://d> <http://p> "def" . _:b <http://p> "blank" . GRAPH <http://g1> { '
        '<http://a> <http://p> "1" . <http://a> <http://r> _:c . _:c <http://p> "inner" } '
        'GRAPH <http://g2> { <http://b> <http://p> "2" } }')
UPDATES = [
    'WITH <http://g1> INSERT { ?s <http://q> ?h } WHERE { GRAPH ?h { ?s ?p ?o } }',
    'WITH <http://g1> DELETE { ?s ?p ?o } INSERT { ?s <http://q> "x" } WHERE { ?s ?p ?o }',
    'INSERT { ?s <http://q> "x" } WHERE { ?s ?p ?o }',
    'PREFIX e: <http://> INSERT { ?s e:q "x" } USING <http://g2> WHERE { ?s ?p ?o }',
    'INSERT { GRAPH ?h { ?s <http://q> "x" } } USING NAMED <http://g2> WHERE { GRAPH ?h { ?s ?p ?o } }',
    'CLEAR GRAPH <http://nope>', 'CLEAR SILENT GRAPH <http://nope>', 'DROP GRAPH <http://nope>',
    'DROP GRAPH <http://g1>', 'CLEAR GRAPH <http://g1>', 'CREATE GRAPH <http://g1>', 'CREATE GRAPH <http://g3>',
    'ADD <http://nope> TO <http://g1>', 'ADD <http://g1> TO <http://g9>', 'MOVE <http://g1> TO <http://g1>',
    'MOVE DEFAULT TO <http://g3>', 'COPY <http://g1> TO DEFAULT', 'MOVE <http://nope> TO <http://g1>',
    'COPY <http://nope> TO <http://g1>', 'CLEAR NAMED', 'DROP ALL', 'DROP NAMED', 'CLEAR DEFAULT', 'CLEAR ALL',
    'MOVE GRAPH <http://g1> TO GRAPH <http://g2>', 'MOVE SILENT <http://nope> TO DEFAULT',
    'COPY SILENT <http://nope> TO <http://g2>', 'ADD SILENT <http://nope> TO <http://g2>',
    'INSERT { <http://x> <http://y> <http://z> } WHERE { }',
    'DELETE WHERE { GRAPH ?g { ?s ?p "1" } }',
    'INSERT { ?s <http://q> ?unbound } WHERE { ?s ?p ?o }',
    'DELETE { ?b ?p ?o } WHERE { ?b ?p ?o FILTER(isBlank(?b)) }',
    'DELETE { GRAPH <http://g1> { ?c ?p ?o } } INSERT { GRAPH <http://g1> { ?c <http://new> [ <http://x> ?o ] } } '
    'WHERE { GRAPH <http://g1> { <http://a> <http://r> ?c . ?c ?p ?o } }',
    'BASE <http://base/> PREFIX : <http://e/> INSERT DATA { <rel> :p "v" } ; DELETE DATA { GRAPH <http://g1> '
    '{ <http://a> <http://p> "1" } } ; INSERT { GRAPH <x> { ?s :seen true } } WHERE { GRAPH <http://g1> { ?s ?p ?o } }',
    'INSERT DATA { GRAPH <http://g5> { <http://a> <http://p> "x"@en-GB, 1, 1.50, "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> } } '
    '; DROP GRAPH <http://g2> ; ADD <http://g5> TO DEFAULT',
    'INSERT { ?s <http://c> ?n } WHERE { SELECT ?s (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?s }',
    '# a comment with a { brace\nDELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o FILTER(?o = "1" || ?o = "2") } } '
    '; CLEAR SILENT GRAPH <http://zz>',
    'INSERT DATA { <http://u> <http://p> "say \\u0022hi\\u0022" }',
]


def _seeded() -> ox.Store:
    store = ox.Store()
    store.update(SEED)
    return store


def canonical(store: ox.Store):
    """The store's quads with blank nodes blanked (enough to compare these small stores)."""
    def term(t):
        return "_" if isinstance(t, ox.BlankNode) else str(t)
    return sorted((term(q.subject), str(q.predicate), term(q.object), str(q.graph_name)) for q in store), \
        sorted(g.value for g in store.named_graphs())


def run_split(store: ox.Store, text: str) -> Session:
    session = Session(store)
    screen_update(text, 100_000, 64)
    Evaluator(session, local_select(store)).run(split_update(text))
    return session


@pytest.mark.parametrize("text", UPDATES)
def test_update_evaluation_matches_oxigraph(text):
    native = _seeded()
    try:
        native.update(text)
        expected = canonical(native)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        expected = "error"
    store = _seeded()
    try:
        run_split(store, text)
        got = canonical(store)
    except UpdateError:
        got = "error"
    assert got == expected


def test_a_failed_request_is_rolled_back_completely():
    store = _seeded()
    before = canonical(store)
    session = Session(store)
    with pytest.raises(UpdateError, match="does not exist"):
        Evaluator(session, local_select(store)).run(split_update(
            "DROP GRAPH <http://g1> ; INSERT DATA { GRAPH <http://g7> { <http://a> <http://p> 1 } } ; "
            "DELETE DATA { <http://d> <http://p> \"def\" } ; CREATE GRAPH <http://g8> ; DROP GRAPH <http://nope>"))
    assert canonical(store) != before
    session.rollback()
    assert canonical(store) == before


def test_load_and_service_are_refused_even_when_escaped():
    for text in ("LOAD <http://example.org/data.ttl>", "load <file:///etc/passwd> INTO GRAPH <http://g>",
                 "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                 "\\u004cOAD <http://example.org/x>"):
        with pytest.raises(UpdateError, match="LOAD|SERVICE"):
            screen_update(text, 100_000, 64)


# --- the live store ----------------------------------------------------------------------------

def test_a_change_survives_the_journal_format_with_its_blank_nodes():
    b = ox.BlankNode("b1")
    change = Change({ox.Quad(b, ox.NamedNode("http://p"), ox.Literal("x", language="en-gb"),
                             ox.NamedNode("http://g"))},
                    {ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), b, ox.DefaultGraph())},
                    {"http://new"}, {"http://old"})
    again = Change.from_json(json.loads(json.dumps(change.to_json())))
    assert again == change
    store = ox.Store()
    store.add(next(iter(change.removed)))
    store.add_graph(ox.NamedNode("http://old"))
    again.apply(store)
    once = canonical(store)
    again.apply(store)     # replaying after a crash changes nothing more
    assert canonical(store) == once
    assert set(store) == change.added
    assert {g.value for g in store.named_graphs()} == {"http://g", "http://new"}   # emptied, not dropped


@pytest.fixture
def live(release, tmp_path):
    store = LiveStore(tmp_path / "live").open_writer(release)
    yield store
    store.close()


def test_the_live_store_is_seeded_from_the_release_and_published(live, release):
    assert live.version == 0 and live.data_version == f"{release.id}+0"
    assert len(ox.Store.read_only(str(live.checkpoint_path()))) == release.triples
    assert json.loads((live.root / "VERSION").read_text())["version"] == 0


def test_a_journal_record_left_by_a_crash_is_replayed_on_start(live, release):
    quad = ox.Quad(ox.NamedNode("urn:crash:s"), ox.NamedNode("urn:crash:p"), ox.Literal("written"),
                   ox.NamedNode("urn:crash:g"))
    record = {"version": 1, "change": Change(added={quad}, created={"urn:crash:g"}).to_json()}
    (live.journal / "000001.json").write_text(json.dumps(record))   # committed, not yet published
    live.close()
    again = LiveStore(live.root).open_writer(release)
    try:
        assert again.version == 1 and quad in again.primary
        assert quad in ox.Store.read_only(str(again.checkpoint_path()))
        assert not list(again.journal.glob("*.json"))
    finally:
        again.close()


def test_a_second_writer_is_refused(live, release):
    with pytest.raises(livestore.LiveStoreBusy):
        LiveStore(live.root).open_writer(release)


def test_superseded_checkpoints_go_once_nobody_reads_them(live, monkeypatch):
    monkeypatch.setattr(livestore, "GRACE_SECONDS", 0.0)
    writer = Writer(live, BASE)
    try:
        with live.reading() as first:
            writer.update(P + 'INSERT DATA { GRAPH <urn:test:g> { <urn:test:a> <urn:test:p> 1 } }', ALICE)
            writer.update(P + 'INSERT DATA { GRAPH <urn:test:g> { <urn:test:a> <urn:test:p> 2 } }', ALICE)
            assert (live.checkpoints / "000000").exists(), "a checkpoint being read was removed"
            assert first.endswith("000000")
        names = sorted(p.name for p in live.checkpoints.iterdir())
        assert names == ["000002"]
    finally:
        writer.close()


# --- the writer: permissions, the shapes gate, inferences and the log ---------------------------

@pytest.fixture(scope="module")
def writer(release, tmp_path_factory):
    live = LiveStore(tmp_path_factory.mktemp("writer") / "live").open_writer(release)
    w = Writer(live, BASE)
    yield w
    w.close()
    live.close()


def _quads(store, s=None, p=None, o=None, g=None):
    return set(store.quads_for_pattern(s, p, o, g))


def test_graphs_the_server_maintains_cannot_be_written(writer):
    for graph in ("inferred", "changes"):
        with pytest.raises(WriteForbidden, match="maintained by the server"):
            writer.update(P + f'INSERT DATA {{ GRAPH <{G}{graph}> {{ d:141182 rdfs:comment "x" }} }}', ALICE)
    with pytest.raises(WriteForbidden, match="admin"):
        writer.update(P + f'INSERT DATA {{ GRAPH <{G}ontology> {{ xc:County rdfs:comment "x" }} }}', ALICE)


def test_deleting_a_county_type_fails_on_the_nodes_that_point_at_it(writer):
    version = writer.live.version
    with pytest.raises(WriteRejected) as e:
        writer.update(P + f'DELETE WHERE {{ GRAPH <{G}divisions> {{ d:141182 a ?t }} }}', ALICE)
    failing = {(str(v.focus), str(v.path).rsplit("/", 1)[-1]) for v in e.value.result.violations}
    assert failing == {
        (BASE + "id/designation/county-class-2017-141182", "designee"),
        (BASE + "id/group/counties-and-county-cities", "member"),
        (BASE + "id/specialty-town/xinghuacun-fenjiu", "locatedIn"),
    }
    assert writer.live.version == version
    assert _quads(writer.live.primary, ox.NamedNode(D + "141182"), ox.NamedNode(str(RDF.type)), None,
                  ox.NamedNode(G + "divisions"))


def test_a_county_without_its_required_facts_is_rejected_with_exactly_those(writer):
    with pytest.raises(WriteRejected) as e:
        writer.update(P + f'INSERT DATA {{ GRAPH <{G}divisions> {{ d:149999 a xc:County ; '
                      'rdfs:label "新县"@zh, "New County"@en ; xc:parentDivision d:141100 } }', ALICE)
    result = e.value.result
    failing = {(str(v.focus), str(v.shape).rsplit("/", 1)[-1], str(v.component).rsplit("#", 1)[-1])
               for v in result.violations}
    assert failing == {(D + "149999", shape, component) for shape, component in [
        ("Division-centroid", "MinCountConstraintComponent"),
        ("Division-defaultGeometry", "MinCountConstraintComponent"),
        ("Division-code", "MinCountConstraintComponent"),
        ("Division-level", "MinCountConstraintComponent"),
        ("County-level", "HasValueConstraintComponent"),
        ("evidence", "MinCountConstraintComponent"),
        ("Division-pinyin", "MinCountConstraintComponent")]}
    assert not _quads(writer.live.primary, ox.NamedNode(D + "149999"))
    turtle = result.report.serialize(format="turtle")
    assert "sh:conforms false" in turtle and "149999" in turtle


def test_a_valid_change_is_committed_with_inferences_and_a_change_record(writer):
    version = writer.live.version
    result = writer.update(P + f'''
        DELETE {{ GRAPH <{G}divisions> {{ d:141182 rdfs:label ?old }} }}
        INSERT {{ GRAPH <{G}divisions> {{ d:141182 rdfs:label "Fenyang (edited)"@en }} }}
        WHERE  {{ GRAPH <{G}divisions> {{ d:141182 rdfs:label ?old FILTER(lang(?old) = "en") }} }}''', ALICE)
    assert (result.version, result.added, result.removed) == (version + 1, 1, 1)
    store = writer.live.primary
    record = ox.NamedNode(result.change)
    log = ox.NamedNode(G + "changes")
    prov = "http://www.w3.org/ns/prov#"
    assert _quads(store, record, ox.NamedNode(prov + "wasAssociatedWith"), ox.NamedNode(BASE + "id/agent/alice"), log)
    patch = next(iter(_quads(store, record, ox.NamedNode(BASE + "def/patch"), None, log))).object.value
    assert patch.startswith("D ") and '"Fenyang (edited)"@en' in patch
    assert json.loads((writer.live.root / "VERSION").read_text())["version"] == version + 1


def test_a_write_that_changes_nothing_makes_no_version(writer):
    version = writer.live.version
    result = writer.update(P + f'INSERT DATA {{ GRAPH <{G}divisions> {{ d:141182 xc:divisionCode "141182" }} }}', ALICE)
    assert (result.version, result.added, result.change) == (version, 0, None)


def test_a_new_county_gets_its_part_of_closure(writer):
    result = writer.update(P + f'DELETE DATA {{ GRAPH <{G}divisions> {{ d:141182 xc:parentDivision d:141100 }} }} ; '
                           f'INSERT DATA {{ GRAPH <{G}divisions> {{ d:141182 xc:parentDivision d:140100 }} }}', ALICE)
    assert result.added == 1
    inferred = ox.NamedNode(G + "inferred")
    part_of = ox.NamedNode(BASE + "def/partOf")
    parents = {q.object.value for q in _quads(writer.live.primary, ox.NamedNode(D + "141182"), part_of, None, inferred)}
    assert parents == {D + "140100", D + "140000"}
    has_part = ox.NamedNode(BASE + "def/hasPart")
    assert _quads(writer.live.primary, ox.NamedNode(D + "140100"), has_part, ox.NamedNode(D + "141182"), inferred)
    assert not _quads(writer.live.primary, ox.NamedNode(D + "141100"), has_part, ox.NamedNode(D + "141182"), inferred)


def test_an_invalid_update_is_refused_with_the_parsers_message(writer):
    with pytest.raises(WriteInvalid, match=r"error at 1:\d+"):
        writer.update("INSERT DATA { <urn:a> <urn:b> }", ALICE)
    with pytest.raises(WriteInvalid, match="IRI|code point"):
        writer.update("INSERT DATA { <urn:a b> <urn:b> <urn:c> }", ALICE)
    with pytest.raises(WriteInvalid, match="language|subtag|tag"):
        writer.update('INSERT DATA { <urn:a> <urn:b> "x"@toolongsubtag1 }', ALICE)


def test_the_gate_reads_which_properties_look_at_their_values_from_the_shapes():
    deps = ShapeGate().deps
    xc = "https://kg.xiancheng.example/def/"
    assert URIRef(xc + "designee") in deps.type_dependent       # sh:class (in an sh:or)
    assert URIRef(xc + "evidence") in deps.shape_dependent      # sh:node EvidenceShape
    assert URIRef(xc + "obsValue") not in deps.type_dependent | deps.shape_dependent
    assert not deps.inverse


def test_the_reasoning_engine_agrees_with_owlrl_on_the_dataset(reasoned):
    """The inferred graph of the release (owlrl) is what the write path's engine derives."""
    ontology = reasoned.graph("ontology")
    data = reasoned.union([n for n in reasoned.graphs if n not in ("ontology", "inferred")])
    axioms = Axioms(ontology)
    schema = set(ontology.subjects())
    expected = {t for t in reasoned.graph("inferred") if t[0] not in schema
                and not str(t[0]).startswith(("http://www.w3.org/",))}
    skipped = {s for c in SKIPPED_CLASSES for s in data.subjects(RDF.type, c)}
    given = {t for t in data if t[0] not in skipped and (t[1] == RDF.type or t[1] in axioms.relevant)}
    got = {t for t in axioms.closure(given) if t[0] not in schema and t not in data
           and t not in ontology and not _is_tautology(*t)}
    assert got == expected and len(expected) > 2000


def test_the_view_for_validation_leaves_out_the_server_graphs(writer):
    view = AssertedView(writer.live.primary, writer.hidden)
    part_of = URIRef(BASE + "def/partOf")
    assert not view.triples(URIRef(D + "141182"), part_of, None)     # only in the inferred graph


def test_the_primary_is_reopened_when_its_manifest_grows(live, monkeypatch):
    """RocksDB appends to its MANIFEST at every flush and each checkpoint copies it: the writer
    reopens the primary between writes once it has grown, and nothing is lost."""
    monkeypatch.setattr(livestore, "MAX_MANIFEST_BYTES", 1)
    writer = Writer(live, BASE)
    try:
        before = {p.name for p in (live.root / "primary").glob("MANIFEST-*")}
        writer.update('INSERT DATA { GRAPH <urn:test:m> { <urn:test:a> <urn:test:p> 1 } }', ALICE)
        writer.update('INSERT DATA { GRAPH <urn:test:m> { <urn:test:a> <urn:test:p> 2 } }', ALICE)
        after = {p.name for p in (live.root / "primary").glob("MANIFEST-*")}
        assert len(after) == 1 and after != before     # a new, small MANIFEST
        assert len(_quads(live.primary, ox.NamedNode("urn:test:a"))) == 2
    finally:
        writer.close()
