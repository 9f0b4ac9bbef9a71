"""The questions (graph.network_explore, network_rank, network_map): each checked against an
independent computation on a small known graph, and paths and explanations on real cases."""

from __future__ import annotations

import itertools
import math
import threading
import time

import networkx as nx
import pytest

from xiancheng.graph.network import (Network, NetworkError, Projection, TooLong, UnknownEntity,
                                     Vocabulary, network_for)
from xiancheng.graph.network_explore import Limits, neighbours, paths, search, subgraph
from xiancheng.graph.network_map import map_layer, options
from xiancheng.graph.network_rank import centrality, communities, features, similar

from test_network import ID, XC, toy

T = "https://example.org/t/"


def network_from(pairs, types=None) -> Network:
    """A network made directly from (source, target) pairs of plain names, every edge with the
    predicate ``xc:link``; ``types`` maps names to a class name (default ``Thing``)."""
    graph = nx.MultiDiGraph()
    types = types or {}
    for name in {n for pair in pairs for n in pair} | set(types):
        cls = types.get(name, "Thing")
        graph.add_node(T + name, label=name, label_zh=name, label_en=name, type="xc:" + cls,
                       type_iri=XC + cls, type_zh=cls, type_en=cls)
    for u, v in pairs:
        graph.add_edge(T + u, T + v, predicate="xc:link", predicate_iri=XC + "link",
                       label_zh="连", label_en="link", inferred=False, graph="test")
    return Network(graph, Vocabulary({}, {}, {}), Projection(), "test", T, {})


def names(nodes) -> list[str]:
    return [n["id"][len(T):] if n["id"].startswith(T) else n["id"][len(ID):] for n in nodes]


# --- neighbours and paths, toy data --------------------------------------------------------------

def test_neighbours_within_k_hops_match_a_breadth_first_search():
    pairs = [(a, b) for a, b in nx.gnm_random_graph(40, 70, seed=3).edges()]
    net = network_from([(str(a), str(b)) for a, b in pairs])
    simple = nx.Graph(pairs)
    for hops in (1, 2, 3):
        expected = nx.single_source_shortest_path_length(simple, 0, cutoff=hops)
        found = neighbours(net, T + "0", hops=hops)
        assert {n["id"][len(T):]: n["distance"] for n in found["nodes"]} == {
            str(k): d for k, d in expected.items() if k != 0}
        drawn = {n["id"] for n in found["nodes"]} | {T + "0"}
        assert len(found["edges"]) == sum(1 for a, b in pairs if T + str(a) in drawn and T + str(b) in drawn)


def test_neighbours_filter_by_type_predicate_and_direction():
    net = toy()
    counties = neighbours(net, "P1", hops=3, types=["xc:County"])
    # c3 is three steps away (P1 ← c1 → P2 ← c3); the programme and city between are not kept
    assert {n: x["distance"] for n, x in zip(names(counties["nodes"]), counties["nodes"])} == {
        "c1": 1, "c2": 1, "c3": 3}
    assert sorted(names(neighbours(net, "P1", hops=2, types=["xc:County"])["nodes"])) == ["c1", "c2"]
    led = neighbours(net, "P1", predicates=["xc:ledBy"])
    assert names(led["nodes"]) == ["D"]
    assert names(neighbours(net, "c1", direction="in")["nodes"]) == ["t1"]
    assert set(names(neighbours(net, "c1", direction="out")["nodes"])) == {"p", "P1", "P2"}


def test_neighbour_answers_are_capped():
    net = network_from([("hub", str(i)) for i in range(50)])
    found = neighbours(net, "hub", limits=Limits(max_nodes=10))
    assert len(found["nodes"]) == 10 and found["truncated"] is True


def test_paths_are_the_shortest_simple_paths_found_by_brute_force():
    net = toy()
    simple = nx.Graph()
    simple.add_edges_from((u, v) for u, v in net.graph.edges())
    expected = sorted(nx.all_simple_paths(simple, ID + "c3", ID + "D", cutoff=5), key=len)
    found = paths(net, "c3", "D", k=20, max_hops=5)
    assert found["complete"] is True
    assert sorted(tuple(n["id"] for n in p["nodes"]) for p in found["paths"]) == sorted(map(tuple, expected))
    assert [p["length"] for p in found["paths"]] == sorted(len(p) - 1 for p in expected)
    shortest = paths(net, "c3", "D", k=2)
    assert all(p["length"] == len(expected[0]) - 1 for p in shortest["paths"])


def test_each_step_is_explained_in_the_direction_it_is_walked():
    net = toy()
    forward = paths(net, "c2", "D", k=1)["paths"][0]
    assert forward["text_en"] == "Bing County —designated under→ Demonstration one —led by→ A Department"
    assert forward["text_zh"] == "丙县 —所属项目→ 示范一 —牵头单位→ 某厅"
    assert forward["steps"][0]["text_en"].endswith("(batch: 2)")
    back = paths(net, "D", "c2", k=1)["paths"][0]
    # ledBy walked backwards reads as its declared inverse; designatedUnder has none: arrow turned
    assert back["text_en"] == "A Department —leads→ Demonstration one ←designated under— Bing County"
    assert back["text_zh"] == "某厅 —牵头→ 示范一 ←所属项目— 丙县"
    assert [s["direction"] for s in back["steps"]] == ["backward", "backward"]


def test_paths_refuse_bad_requests():
    net = toy()
    with pytest.raises(UnknownEntity):
        paths(net, "c1", "nowhere")
    with pytest.raises(NetworkError, match="k=21 is too large: at most 20"):
        paths(net, "c1", "D", k=21)
    with pytest.raises(NetworkError, match="max_hops=7 is too large"):
        paths(net, "c1", "D", max_hops=7)
    with pytest.raises(NetworkError, match="the same"):
        paths(net, "c1", "c1")
    with pytest.raises(NetworkError, match="unknown predicate"):
        paths(net, "c1", "D", predicates=["xc:nothing"])
    assert paths(net, "c1", "D", predicates=["xc:parentDivision"])["paths"] == []


def test_a_path_search_stops_at_its_deadline():
    net = network_from([(f"{a}-{b}", f"{c}-{d}") for (a, b), (c, d) in nx.grid_2d_graph(30, 30).edges()])
    found = paths(net, "0-0", "29-29", k=20, max_hops=6 * 10, limits=Limits(max_hops=60, timeout=0))
    assert found["complete"] is False and len(found["paths"]) == 1
    assert "deadline" in found["reason"]


def test_subgraph_holds_the_focus_its_neighbours_and_the_edges_among_them():
    sub = subgraph(toy(), "P1", radius=1)
    assert {n[len(ID):] for n in sub} == {"P1", "D", "c1", "c2"}
    assert {(u[len(ID):], v[len(ID):]) for u, v in sub.edges()} == {("P1", "D"), ("c1", "P1"), ("c2", "P1")}


def test_search_ranks_exact_then_prefix_then_substring():
    net = network_from([("示范", "示范一"), ("一示范", "x")])
    assert names(search(net, "示范")) == ["示范", "示范一", "一示范"]
    with pytest.raises(NetworkError):
        search(net, "  ")


# --- rankings ------------------------------------------------------------------------------------

PAIRS = [("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("d", "f"),
         ("f", "g"), ("b", "a")]   # b→a duplicates a→b: one undirected edge


def _undirected():
    graph = nx.Graph()
    graph.add_edges_from(PAIRS)
    return graph


def test_degree_counts_distinct_neighbours():
    ranking = centrality(network_from(PAIRS), "degree")["ranking"]
    assert {r["label"]: r["score"] for r in ranking} == {n: len(set(_undirected()[n])) for n in "abcdefg"}


def test_betweenness_matches_counting_shortest_paths():
    graph = _undirected()
    expected = dict.fromkeys(graph, 0.0)
    for s, t in itertools.combinations(graph, 2):
        all_paths = list(nx.all_shortest_paths(graph, s, t))
        for path in all_paths:
            for v in path[1:-1]:
                expected[v] += 1 / len(all_paths)
    n = graph.number_of_nodes()
    ranking = centrality(network_from(PAIRS), "betweenness")["ranking"]
    for r in ranking:
        assert r["score"] == pytest.approx(expected[r["label"]] * 2 / ((n - 1) * (n - 2)))


def test_pagerank_matches_a_power_iteration():
    graph = _undirected()
    nodes = sorted(graph)
    rank = dict.fromkeys(nodes, 1 / len(nodes))
    for _ in range(200):
        rank = {v: 0.15 / len(nodes) + 0.85 * sum(rank[u] / graph.degree(u) for u in graph[v]) for v in nodes}
    ranking = centrality(network_from(PAIRS), "pagerank")["ranking"]
    assert {r["label"]: r["score"] for r in ranking} == pytest.approx(rank, abs=1e-5)
    assert [r["rank"] for r in ranking] == list(range(1, 8))


def test_degree_within_a_type_counts_neighbours_of_another_type():
    net = toy()
    ranking = centrality(net, "degree", type="xc:Programme", neighbour_type="xc:County")["ranking"]
    assert [(r["label_en"], r["score"]) for r in ranking] == [("Demonstration one", 2), ("Demonstration two", 2)]
    with pytest.raises(NetworkError, match="unknown measure"):
        centrality(net, "closeness")
    with pytest.raises(NetworkError, match="unknown type"):
        centrality(net, "degree", type="xc:Town")


def test_louvain_finds_two_cliques_joined_by_a_bridge_and_components_are_listed():
    left = [(f"l{i}", f"l{j}") for i, j in itertools.combinations(range(5), 2)]
    right = [(f"r{i}", f"r{j}") for i, j in itertools.combinations(range(5), 2)]
    net = network_from(left + right + [("l0", "r0"), ("x", "y")])
    found = communities(net, "louvain")
    groups = sorted(sorted(names(g["members"])) for g in found["groups"])
    assert groups == [[f"l{i}" for i in range(5)], [f"r{i}" for i in range(5)], ["x", "y"]]
    expected = nx.community.modularity(_plain(net), [set(T + n for n in g) for g in groups])
    assert found["modularity"] == pytest.approx(expected)
    parts = communities(net, "components")
    assert [g["size"] for g in parts["groups"]] == [10, 2] and parts["count"] == 2
    assert communities(net, "components", min_size=3)["count"] == 1


def _plain(net):
    graph = nx.Graph()
    graph.add_edges_from(net.graph.edges())
    return graph


def test_slow_measures_go_on_in_the_background():
    net = network_from([("a", "b")])
    started = threading.Event()

    def slow():
        started.set()
        time.sleep(0.5)
        return 42
    with pytest.raises(TooLong, match="retry"):
        net.memo(("slow",), slow, timeout=0.01)
    assert started.is_set()
    assert net.memo(("slow",), slow, timeout=5) == 42


def test_similarity_is_the_adamic_adar_index_over_shared_features():
    net = toy()
    assert features(net, ID + "c1") == {("programme", ID + "P1"), ("programme", ID + "P2"),
                                        ("classification", ID + "cat1"), ("industry", ID + "ind1")}
    bipartite = nx.Graph()
    for county in ("c1", "c2", "c3"):
        bipartite.add_edges_from((ID + county, f) for f in features(net, ID + county))
    expected = {v[len(ID):]: score for _, v, score in
                nx.adamic_adar_index(bipartite, [(ID + "c1", ID + "c2"), (ID + "c1", ID + "c3")])}
    found = similar(net, "c1")
    assert {r["id"][len(ID):]: r["score"] for r in found["similar"]} == pytest.approx(expected)
    assert expected["c2"] == pytest.approx(2 / math.log(2))
    assert names(found["similar"]) == ["c2", "c3"]
    assert {(f["kind"], f["id"][len(ID):]) for f in found["similar"][0]["shared"]} == {
        ("programme", "P1"), ("industry", "ind1")}
    only_industry = similar(net, "c1", kinds=["industry"])
    assert names(only_industry["similar"]) == ["c2"]


# --- real cases from the shipped data ------------------------------------------------------------

KG = "https://kg.xiancheng.example/id/"
HOUSING = KG + "organisation/shanxi-housing"


def test_a_sponge_city_county_reaches_its_leading_department(release):
    net = network_for(release)
    first = paths(net, KG + "division/140522", HOUSING, k=1)["paths"][0]
    assert first["text_zh"] == "阳城县 —所属项目→ 省级海绵城市建设示范 —牵头单位→ 山西省住房和城乡建设厅"
    assert first["text_en"] == ("Yangcheng County —designated under→ Provincial sponge-city demonstration "
                                "—led by→ Shanxi Provincial Department of Housing and Urban-Rural Development")
    back = paths(net, HOUSING, KG + "division/140522", k=1)["paths"][0]
    assert back["text_zh"] == "山西省住房和城乡建设厅 —牵头→ 省级海绵城市建设示范 ←所属项目— 阳城县"


def test_every_sponge_city_county_path_agrees_with_sparql(release, oxigraph):
    rows = oxigraph.query(f"""PREFIX xc: <{XC}>
        SELECT ?county ?programme ?department WHERE {{
          ?d a xc:Designation ; xc:designee ?county ; xc:designatedUnder ?programme .
          ?county a xc:County . ?programme xc:ledBy ?department .
          FILTER(CONTAINS(STR(?programme), "sponge")) }}""", inference=False).rows
    assert {str(r[0])[-6:] for r in rows} == {"140522", "141024", "140826"}
    net = network_for(release)
    for county, programme, department in rows:
        found = paths(net, str(county), str(department), k=1)["paths"][0]
        assert [n["id"] for n in found["nodes"]] == [str(county), str(programme), str(department)]
        assert [s["predicate"] for s in found["steps"]] == ["xc:designatedUnder", "xc:ledBy"]


def test_programmes_ranked_by_the_counties_they_reach_agree_with_sparql(release, oxigraph):
    rows = oxigraph.query(f"""PREFIX xc: <{XC}>
        SELECT ?programme (COUNT(DISTINCT ?county) AS ?n) WHERE {{
          ?d xc:designee ?county ; xc:designatedUnder ?programme . ?county a xc:County }}
        GROUP BY ?programme""", inference=False).rows
    expected = {str(p): int(n) for p, n in rows}
    ranking = centrality(network_for(release), "degree", type="xc:Programme",
                         neighbour_type="xc:County", limit=100)["ranking"]
    assert {r["id"]: r["score"] for r in ranking if r["score"]} == expected


def test_map_marks_the_divisions_of_a_programme_and_shades_an_indicator(release):
    net = network_for(release)
    listed = options(net)
    assert KG + "programme/provincial-sponge-city-demonstration" in {p["id"] for p in listed["programmes"]}
    sponge = map_layer(net, "programme", programme="programme/provincial-sponge-city-demonstration")
    assert {d["code"] for d in sponge["divisions"] if d["value"]} == {"140522", "141024", "140826"}
    assert len(sponge["divisions"]) == 128   # every division but the province itself
    population = map_layer(net, "indicator", indicator="indicator/resident-population")
    shaded = {d["code"]: d["value"] for d in population["divisions"] if d["value"] is not None}
    assert len(shaded) == 11 and shaded["140100"] == 5304061
    towns = map_layer(net, "towns")
    assert sum(d["value"] or 0 for d in towns["divisions"]) == sum(
        1 for n in net.graph if net.graph.nodes[n]["type"] in ("xc:SpecialtyTown", "xc:RuralETown")
        and any(d == "xc:locatedIn" for *_, d in net.graph.out_edges(n, data="predicate")))
    with pytest.raises(NetworkError, match="layer=programme needs programme"):
        map_layer(net, "programme")


def test_a_neighbourhood_stops_at_its_deadline():
    net = network_from([(str(i), str(i + 1)) for i in range(200)])
    found = neighbours(net, "0", hops=6, limits=Limits(timeout=-1))   # already past
    assert found["truncated"] is True and found["nodes"] == []
    assert len(neighbours(net, "0", hops=6)["nodes"]) == 6


def test_concurrent_first_requests_build_one_network(release):
    from xiancheng.graph import network as module

    projection = Projection(inferred=True, collapse=False, evidence=True)
    module._CACHE.pop((release.id, projection), None)
    results = []
    threads = [threading.Thread(target=lambda: results.append(network_for(release, projection)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r is results[0] for r in results)
