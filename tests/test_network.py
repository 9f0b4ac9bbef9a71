"""The network projection (graph.network) on a small dataset whose network is known edge by
edge, and on the shipped release checked against SPARQL answers."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from xiancheng.graph.network import (Projection, UnknownEntity, NetworkError, build_network,
                                     network_for)

BASE = "https://kg.test.example/"
ID = BASE + "id/"
XC = "https://kg.xiancheng.example/def/"

TOY = f"""
PREFIX xc: <{XC}>
PREFIX id: <{ID}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

<{BASE}graph/ontology> {{
  xc:County rdfs:subClassOf xc:AdministrativeDivision ; rdfs:label "county"@en, "县"@zh .
  xc:PrefectureLevelCity rdfs:subClassOf xc:AdministrativeDivision ; rdfs:label "city"@en, "地级市"@zh .
  xc:AdministrativeDivision rdfs:label "division"@en, "行政区划"@zh .
  xc:ledBy rdfs:label "led by"@en, "牵头单位"@zh ; owl:inverseOf xc:leads .
  xc:leads rdfs:label "leads"@en, "牵头"@zh .
  xc:designatedUnder rdfs:label "designated under"@en, "所属项目"@zh .
  xc:parentDivision rdfs:label "parent division"@en, "上级行政区划"@zh .
  xc:batch rdfs:label "batch"@en, "批次"@zh .
  org:memberOf rdfs:label "member of"@en, "任职于"@zh .
  <{XC}division-level/county> rdfs:label "county level"@en, "县级"@zh .
}}

<{BASE}graph/data> {{
  id:p a xc:PrefectureLevelCity ; rdfs:label "甲市"@zh, "Jia City"@en .
  id:c1 a xc:County ; rdfs:label "乙县"@zh, "Yi County"@en ; xc:divisionCode "100001" ;
        xc:parentDivision id:p ; xc:divisionLevel <{XC}division-level/county> ;
        geo:hasCentroid id:c1-centroid ; xc:evidence id:e1 .
  id:c1-centroid a geo:Geometry ; xc:latitude 35.5 ; xc:longitude 112.25 .
  id:c2 a xc:County ; rdfs:label "丙县"@zh, "Bing County"@en ; xc:parentDivision id:p .
  id:c3 a xc:County ; rdfs:label "丁县"@zh, "Ding County"@en ; xc:parentDivision id:p .
  id:P1 a xc:Programme ; rdfs:label "示范一"@zh, "Demonstration one"@en ; xc:ledBy id:D .
  id:P2 a xc:Programme ; rdfs:label "示范二"@zh, "Demonstration two"@en .
  id:D a xc:GovernmentBody ; rdfs:label "某厅"@zh, "A Department"@en .
  id:cat1 a skos:Concept ; rdfs:label "一类"@zh, "Class one"@en ; skos:inScheme id:scheme .
  id:scheme a skos:ConceptScheme ; rdfs:label "类别"@zh, "classes"@en .
  id:d1 a xc:Designation ; xc:designee id:c1 ; xc:designatedUnder id:P1 ; xc:batch 1 ;
        xc:category id:cat1 ; xc:evidence id:d1-e .
  id:d1-e a xc:Evidence ; dcterms:source id:S .
  id:d2 a xc:Designation ; xc:designee id:c2 ; xc:designatedUnder id:P1 ; xc:batch 2 .
  id:d3 a xc:Designation ; xc:designee id:c3 ; xc:designatedUnder id:P2 .
  id:d4 a xc:Designation ; xc:designee id:c1 ; xc:designatedUnder id:P2 .
  id:I a xc:Indicator ; rdfs:label "某指标"@zh, "an indicator"@en .
  id:U a xc:Unit ; rdfs:label "公里"@zh, "km"@en .
  id:T a xc:Period ; rdfs:label "2023年"@zh, "2023"@en .
  id:o1 a qb:Observation ; xc:refArea id:p ; xc:indicator id:I ; xc:obsValue 12.5 ;
        xc:unitOfMeasure id:U ; xc:refPeriod id:T .
  id:X a <http://xmlns.com/foaf/0.1/Person> ; rdfs:label "某人"@zh, "Someone"@en .
  id:m a org:Membership ; org:member id:X ; org:organization id:D ; org:role <{XC}role/director> .
  id:S a xc:SourceDocument ; rdfs:label "某报"@zh, "A paper"@en .
  id:e1 a xc:Evidence ; dcterms:source id:S ; xc:quote "乙县入选" .
  id:t1 a xc:SpecialtyTown ; rdfs:label "乙镇"@zh, "Yi Town"@en ; xc:locatedIn id:c1 ; xc:industry id:ind1 .
  id:t2 a xc:SpecialtyTown ; rdfs:label "丙镇"@zh, "Bing Town"@en ; xc:locatedIn id:c2 ; xc:industry id:ind1 .
  id:ind1 a skos:Concept ; rdfs:label "陶瓷"@zh, "ceramics"@en .
}}

<{BASE}graph/inferred> {{
  id:c1 a xc:AdministrativeDivision ; xc:partOf id:p .
  id:D xc:leads id:P1 .
}}
"""
GRAPHS = {f"{BASE}graph/ontology": "ontology", f"{BASE}graph/data": "data",
          f"{BASE}graph/inferred": "inferred"}

ASSERTED = {  # (source, predicate, target) of the default projection
    ("c1", "xc:parentDivision", "p"), ("c2", "xc:parentDivision", "p"), ("c3", "xc:parentDivision", "p"),
    ("P1", "xc:ledBy", "D"), ("c1", "xc:designatedUnder", "P1"), ("c2", "xc:designatedUnder", "P1"),
    ("c3", "xc:designatedUnder", "P2"), ("c1", "xc:designatedUnder", "P2"), ("p", "xc:indicator", "I"),
    ("X", "org:memberOf", "D"), ("t1", "xc:locatedIn", "c1"), ("t2", "xc:locatedIn", "c2"),
    ("t1", "xc:industry", "ind1"), ("t2", "xc:industry", "ind1"),
}
ENTITIES = {"p", "c1", "c2", "c3", "P1", "P2", "D", "cat1", "I", "U", "T", "X", "S", "t1", "t2", "ind1"}


def toy(projection=Projection()):
    nquads = ox.serialize(ox.parse(TOY.encode(), format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS)
    return build_network(nquads, projection, base=BASE, graph_names=GRAPHS, release_id="toy")


def short(iri: str) -> str:
    return iri[len(ID):]


def edges(network) -> set:
    return {(short(u), d["predicate"], short(v)) for u, v, d in network.graph.edges(data=True)}


def test_entities_are_nodes_and_n_ary_things_become_edges():
    net = toy()
    assert {short(n) for n in net.graph} == ENTITIES
    assert edges(net) == ASSERTED
    assert net.graph.number_of_edges() == len(ASSERTED)


def test_nodes_carry_type_labels_code_coordinates_and_vocabulary_terms():
    c1 = toy().graph.nodes[ID + "c1"]
    assert c1["type"] == "xc:County"            # not the inferred superclass
    assert (c1["label_zh"], c1["label_en"], c1["type_zh"], c1["type_en"]) == ("乙县", "Yi County", "县", "county")
    assert c1["code"] == "100001" and (c1["lat"], c1["lon"]) == (35.5, 112.25)
    assert c1["divisionLevel"] == "division-level/county"


def test_collapsed_edges_carry_the_attributes_of_what_they_replace():
    graph = toy().graph
    d1 = next(d for d in graph.get_edge_data(ID + "c1", ID + "P1").values())
    assert (d1["kind"], d1["via"], d1["batch"], d1["category"]) == ("designation", ID + "d1", 1, ID + "cat1")
    assert d1["sources"] == ID + "S" and d1["label_en"] == "designated under"
    o1 = next(d for d in graph.get_edge_data(ID + "p", ID + "I").values())
    assert (o1["obsValue"], o1["unitOfMeasure"], o1["refPeriod"]) == (12.5, ID + "U", ID + "T")
    m = next(d for d in graph.get_edge_data(ID + "X", ID + "D").values())
    assert (m["kind"], m["role"], m["label_en"], m["label_zh"]) == ("membership", "role/director", "member of", "任职于")


def test_options_add_inferred_and_provenance_edges_or_keep_n_ary_nodes():
    assert edges(toy(Projection(inferred=True))) == ASSERTED | {("c1", "xc:partOf", "p"), ("D", "xc:leads", "P1")}
    with_sources = toy(Projection(evidence=True))
    assert edges(with_sources) == ASSERTED | {("c1", "dcterms:source", "S")}
    quote = next(iter(with_sources.graph.get_edge_data(ID + "c1", ID + "S").values()))["quote"]
    assert quote == "乙县入选"
    plain = toy(Projection(collapse=False))
    assert {short(n) for n in plain.graph} == ENTITIES | {"d1", "d2", "d3", "d4", "o1", "m"}
    assert ("d1", "xc:designee", "c1") in edges(plain) and ("d1", "xc:designatedUnder", "P1") in edges(plain)
    assert ("d1", "xc:category", "cat1") in edges(plain) and ("m", "org:member", "X") in edges(plain)
    assert not any(p == "xc:designatedUnder" and s.startswith("c") for s, p, _ in edges(plain))
    full = toy(Projection(collapse=False, evidence=True))
    assert {"e1", "d1-e"} <= {short(n) for n in full.graph}
    assert ("c1", "xc:evidence", "e1") in edges(full) and ("e1", "dcterms:source", "S") in edges(full)


def test_types_and_predicates_are_resolved_or_refused_clearly():
    net = toy()
    assert net.resolve_type("xc:AdministrativeDivision") == XC + "AdministrativeDivision"
    assert net.resolve_type("County") == XC + "County"
    assert net.is_a(ID + "c1", XC + "AdministrativeDivision")
    assert net.resolve_predicate("xc:ledBy") == XC + "ledBy"
    with pytest.raises(NetworkError, match="unknown type 'xc:Town'.*xc:County"):
        net.resolve_type("xc:Town")
    with pytest.raises(NetworkError, match="unknown predicate 'xc:leads'"):
        net.resolve_predicate("xc:leads")   # only in the inferred graph
    assert net.resolve("/id/c1") == net.resolve("c1") == net.resolve(ID + "c1") == ID + "c1"
    with pytest.raises(UnknownEntity, match="no entity 'c9'"):
        net.resolve("c9")


def test_graph_network_modules_import_without_flask():
    code = ("import sys; import xiancheng.graph.network, xiancheng.graph.network_build, "
            "xiancheng.graph.network_terms, xiancheng.graph.network_explore, "
            "xiancheng.graph.network_rank, xiancheng.graph.network_map, xiancheng.graph.exports; "
            "assert 'flask' not in sys.modules, 'flask was imported'; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- the shipped release, against SPARQL ---------------------------------------------------------

PREFIXES = f"PREFIX xc: <{XC}>\nPREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"


@pytest.fixture(scope="session")
def network(release):
    return network_for(release)


def test_network_is_built_once_per_release_and_projection(release, network):
    assert network_for(release) is network
    assert network_for(release, Projection(inferred=True)) is not network
    assert network.release_id == release.id


def test_designation_edges_match_the_designations_in_sparql(oxigraph, network):
    rows = oxigraph.query(PREFIXES + """
        SELECT ?d ?who ?programme WHERE { ?d a xc:Designation ; xc:designee ?who ; xc:designatedUnder ?programme }""",
        inference=False).rows
    expected = {(str(d), str(who), str(p)) for d, who, p in rows}
    found = {(data["via"], u, v) for u, v, data in network.graph.edges(data=True)
             if data.get("kind") == "designation"}
    assert found == expected and len(found) == 127


def test_every_division_is_a_node_with_its_code(oxigraph, network):
    rows = oxigraph.query(PREFIXES + """
        SELECT ?d ?code WHERE { ?d xc:divisionCode ?code }""", inference=False).rows
    assert len(rows) == 140
    for division, code in rows:
        assert network.graph.nodes[str(division)]["code"] == str(code)


def test_no_structural_node_is_in_the_network(network):
    types = {data["type"] for _, data in network.graph.nodes(data=True)}
    assert not types & {"xc:Evidence", "geo:Geometry", "skos:ConceptScheme", "xc:SourceGraph",
                        "xc:Designation", "qb:Observation", "org:Membership"}
