"""Writing a network (or a focus subgraph) for visualisation tools: GraphML (yEd, Gephi,
Cytoscape), GEXF (Gephi), Cytoscape.js JSON, networkx node-link JSON and Graphviz DOT.

Every format carries each node's IRI as its id, its labels in Chinese and English and its type,
and each edge's predicate and labels, with the attributes of collapsed designations and
observations. networkx writes GraphML, GEXF and the two JSON forms; pydot writes DOT.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    description: str


EXPORT_FORMATS = {f.name: f for f in [
    ExportFormat("graphml", "application/graphml+xml", "graphml", "GraphML (yEd, Gephi, Cytoscape)"),
    ExportFormat("gexf", "application/gexf+xml", "gexf", "GEXF 1.2 (Gephi)"),
    ExportFormat("cytoscape", "application/vnd.cytoscape.js+json", "cyjs", "Cytoscape.js elements JSON"),
    ExportFormat("node-link", "application/json", "json", "networkx node-link JSON"),
    ExportFormat("dot", "text/vnd.graphviz", "dot", "Graphviz DOT"),
]}
# Internal attributes that exports leave out (the CURIE forms are kept).
INTERNAL = {"type_iri", "predicate_iri"}


def export_format(name: str) -> ExportFormat:
    key = (name or "").lower().lstrip(".")
    for fmt in EXPORT_FORMATS.values():
        if key in (fmt.name, fmt.extension):
            return fmt
    raise KeyError(f"unknown export format {name!r}; use one of: {', '.join(EXPORT_FORMATS)}")


def portable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes every writer accepts: scalars only, one type per attribute name
    (integers and floats together become floats; any other mix becomes text), no ``None``."""
    kinds: dict[tuple, set] = {}
    for scope, items in (("node", graph.nodes(data=True)), ("edge", graph.edges(data=True))):
        for *_, data in items:
            for key, value in data.items():
                if value is not None and key not in INTERNAL:
                    kinds.setdefault((scope, key), set()).add(type(value))

    def convert(scope, data):
        out = {}
        for key, value in data.items():
            if value is None or key in INTERNAL:
                continue
            kind = kinds[(scope, key)]
            if kind == {bool} or kind == {int} or kind == {str} or kind == {float}:
                out[key] = value
            elif kind <= {int, float}:
                out[key] = float(value)
            else:
                out[key] = str(value)
        return out

    copy = nx.MultiDiGraph()
    copy.graph.update({k: str(v) for k, v in graph.graph.items() if v is not None})
    copy.add_nodes_from((n, convert("node", d)) for n, d in graph.nodes(data=True))
    copy.add_edges_from((u, v, k, convert("edge", d)) for u, v, k, d in graph.edges(keys=True, data=True))
    return copy


def to_graphml(graph: nx.MultiDiGraph) -> bytes:
    out = io.BytesIO()
    nx.write_graphml(portable(graph), out, encoding="utf-8")
    return out.getvalue()


def to_gexf(graph: nx.MultiDiGraph) -> bytes:
    out = io.BytesIO()
    nx.write_gexf(portable(graph), out, encoding="utf-8")
    return out.getvalue()


def cytoscape_elements(graph: nx.MultiDiGraph) -> dict:
    """Cytoscape.js JSON (``elements.nodes`` / ``elements.edges``, each ``{"data": …}``), as
    networkx's ``cytoscape_data`` writes it, with each node's ``name`` its label and an ``id``
    on each edge (Cytoscape.js needs one to add edges to a graph)."""
    graph = portable(graph)
    data = nx.cytoscape_data(graph)
    data["data"] = dict(data["data"])
    for node in data["elements"]["nodes"]:
        node["data"]["name"] = node["data"].get("label", node["data"]["id"])
    for edge in data["elements"]["edges"]:
        d = edge["data"]
        d["id"] = f"{d['source']}|{d['target']}|{d['key']}"
    return data


def to_cytoscape(graph: nx.MultiDiGraph) -> bytes:
    return json.dumps(cytoscape_elements(graph), ensure_ascii=False).encode("utf-8")


def to_node_link(graph: nx.MultiDiGraph) -> bytes:
    data = nx.node_link_data(portable(graph), edges="edges")
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def to_dot(graph: nx.MultiDiGraph) -> bytes:
    """DOT through pydot, with IRIs quoted as node ids (a bare ``:`` would be read as a port)
    and each node's Chinese label as its Graphviz ``label``."""
    import pydot

    graph = portable(graph)
    q = pydot.quote_id_if_necessary
    dot = pydot.Dot("xiancheng", graph_type="digraph", strict=False)
    for key, value in graph.graph.items():
        dot.set(key, q(str(value)))
    for node, data in graph.nodes(data=True):
        dot.add_node(pydot.Node(q(node), **{k: _dot_value(v) for k, v in data.items()}))
    for u, v, key, data in graph.edges(keys=True, data=True):
        attrs = {k: _dot_value(val) for k, val in data.items() if k != "label"}
        attrs["label"] = _dot_value(data.get("label_zh", data.get("predicate", "")))
        attrs["key"] = key
        dot.add_edge(pydot.Edge(q(u), q(v), **attrs))
    return dot.to_string().encode("utf-8")


def _dot_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


WRITERS = {"graphml": to_graphml, "gexf": to_gexf, "cytoscape": to_cytoscape,
           "node-link": to_node_link, "dot": to_dot}


def export(graph: nx.MultiDiGraph, fmt: str | ExportFormat) -> bytes:
    fmt = fmt if isinstance(fmt, ExportFormat) else export_format(fmt)
    return WRITERS[fmt.name](graph)


def file_name(fmt: ExportFormat, release_id: str, focus: str | None = None) -> str:
    stem = f"xiancheng-{release_id}"
    if focus:
        stem += "-" + "-".join(focus.rstrip("/").split("/")[-2:])
    return f"{stem}.{fmt.extension}"
