"""Every export read back by networkx's own readers (pydot for DOT): the same nodes, edges and
attributes as the network written; and over HTTP with its media type and file name."""

from __future__ import annotations

import io
import json
from collections import Counter

import networkx as nx
import pydot
import pytest

from xiancheng.graph.exports import EXPORT_FORMATS, export, export_format, portable
from xiancheng.graph.network import Projection, network_for
from xiancheng.graph.network_explore import subgraph

from test_network import toy

# Attributes a reader adds of its own (ids, keys, display names), not part of the data.
ADDED = {
    "graphml": (set(), {"id"}),
    "gexf": (set(), {"id", "networkx_key"}),
    "cytoscape": ({"id", "value", "name"}, {"id", "source", "target", "key"}),
    "node-link": (set(), set()),
}


def read_back(fmt: str, data: bytes) -> nx.MultiDiGraph:
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(data))
    if fmt == "gexf":
        return nx.read_gexf(io.BytesIO(data))
    if fmt == "cytoscape":
        return nx.cytoscape_graph(json.loads(data))
    return nx.node_link_graph(json.loads(data), edges="edges")


def edge_bag(graph, drop=frozenset()) -> Counter:
    return Counter((u, v, tuple(sorted((k, val) for k, val in d.items() if k not in drop)))
                   for u, v, d in graph.edges(data=True))


def assert_same(fmt: str, written: nx.MultiDiGraph, data: bytes) -> None:
    expected = portable(written)
    graph = read_back(fmt, data)
    node_extra, edge_extra = ADDED[fmt]
    assert graph.is_directed()
    parallel = any(len(keys) > 1 for _, _, keys in _pairs(expected))
    assert graph.is_multigraph() or not parallel   # GraphML and GEXF readers make a DiGraph when they can
    assert graph.number_of_nodes() == expected.number_of_nodes()
    assert graph.number_of_edges() == expected.number_of_edges()
    for node, attrs in expected.nodes(data=True):
        got = {k: v for k, v in graph.nodes[node].items() if k not in node_extra}
        assert got == attrs, node
    assert edge_bag(graph, edge_extra) == edge_bag(expected)


def _pairs(graph):
    return ((u, v, graph.get_edge_data(u, v)) for u, v in set(graph.edges()))


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def dot_value(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def assert_same_dot(written: nx.MultiDiGraph, data: bytes) -> None:
    expected = portable(written)
    (dot,) = pydot.graph_from_dot_data(data.decode("utf-8"))
    nodes = {unquote(n.get_name()): {k: unquote(v) for k, v in n.get_attributes().items()}
             for n in dot.get_nodes() if n.get_name() not in ("node", "edge", "graph")}
    assert set(nodes) == set(expected.nodes)
    for node, attrs in expected.nodes(data=True):
        assert nodes[node] == {k: dot_value(v) for k, v in attrs.items()}, node
    edges = Counter()
    for e in dot.get_edges():
        attrs = {k: unquote(v) for k, v in e.get_attributes().items() if k not in ("key", "label")}
        edges[(unquote(e.get_source()), unquote(e.get_destination()), tuple(sorted(attrs.items())))] += 1
    assert sum(edges.values()) == expected.number_of_edges()
    assert edges == Counter((u, v, tuple(sorted((k, dot_value(x)) for k, x in d.items())))
                            for u, v, d in expected.edges(data=True))


PROJECTIONS = [Projection(), Projection(inferred=True, evidence=True), Projection(collapse=False, evidence=True)]


@pytest.mark.parametrize("projection", PROJECTIONS, ids=lambda p: "-".join(f"{k}={v}" for k, v in p.describe().items()))
@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_toy_network_reads_back_the_same(fmt, projection):
    net = toy(projection)
    data = export(net.graph, fmt)
    if fmt == "dot":
        assert_same_dot(net.graph, data)
    else:
        assert_same(fmt, net.graph, data)


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_shipped_network_and_a_focus_read_back_the_same(release, fmt):
    net = network_for(release)
    for graph in (net.graph, subgraph(net, "140522", radius=2)):
        data = export(graph, fmt)
        if fmt == "dot":
            assert_same_dot(graph, data)
        else:
            assert_same(fmt, graph, data)


def test_exports_carry_both_labels_and_the_type():
    net = toy()
    graph = read_back("gexf", export(net.graph, "gexf"))
    c1 = graph.nodes["https://kg.test.example/id/c1"]
    assert (c1["label"], c1["label_zh"], c1["label_en"], c1["type"]) == ("乙县", "乙县", "Yi County", "xc:County")
    cyto = json.loads(export(net.graph, "cytoscape"))
    assert {"nodes", "edges"} == set(cyto["elements"])
    assert all("id" in e["data"] for e in cyto["elements"]["edges"])


def test_mixed_attribute_types_are_made_uniform():
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b", obsValue=3)
    graph.add_edge("a", "b", obsValue=2.5)
    graph.add_edge("b", "c", batch="1", note=None)
    graph.add_edge("b", "c", batch=2)
    edges = [d for *_, d in portable(graph).edges(data=True)]
    assert [d.get("obsValue") for d in edges[:2]] == [3.0, 2.5]
    assert [d.get("batch") for d in edges[2:]] == ["1", "2"] and "note" not in edges[2]
    read = nx.read_graphml(io.BytesIO(export(graph, "graphml")))
    assert sorted(d["obsValue"] for *_, d in read.edges(data=True) if "obsValue" in d) == [2.5, 3.0]


def test_format_names_and_extensions():
    assert export_format("GraphML").name == "graphml"
    assert export_format("cyjs").name == "cytoscape" and export_format(".dot").name == "dot"
    with pytest.raises(KeyError, match="unknown export format 'png'"):
        export_format("png")


# --- over HTTP -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS.values()), ids=lambda f: f.name)
def test_http_export_has_media_type_and_file_name(client, release, fmt):
    response = client.get(f"/network/export.{fmt.extension}?iri=division/140522&radius=1")
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="xiancheng-{release.id}-division-140522.{fmt.extension}"')
    focus = subgraph(network_for(release), "140522", radius=1)
    if fmt.name == "dot":
        assert_same_dot(focus, response.data)
    else:
        assert_same(fmt.name, focus, response.data)


def test_http_export_of_the_whole_network(client, release):
    response = client.get("/network/export", query_string={"format": "node-link", "inferred": "true"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="xiancheng-{release.id}.json"'
    assert_same("node-link", network_for(release, Projection(inferred=True)).graph, response.data)


def test_http_export_refuses_unknown_formats_and_stray_filters(client):
    assert client.get("/network/export.png").status_code == 404
    assert client.get("/network/export?format=png").status_code == 400
    assert client.get("/network/export").status_code == 400
    response = client.get("/network/export.gexf?type=xc:County")
    assert response.status_code == 400 and "give iri" in response.get_json()["error"]["detail"]
