"""Questions about one entity or a pair: search by label, neighbours within k hops, the subgraph
around a focus, and the k shortest paths between two entities with each step explained in words.

Every function takes a :class:`~.network.Network` and returns plain data (dicts and lists, ready
for JSON); bad input raises :class:`~.network.NetworkError`. Searches are bounded by a node cap
and, for paths, a deadline checked between paths (``shortest_simple_paths`` finds them one at a
time, shortest first).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import networkx as nx

from .network import X, Network, NetworkError, TooLong, curie

# Edge attributes shown in an explanation, in this order (the rest stay in the edge's data).
DETAIL_KEYS = ["batch", "designationYear", "designationDate", "category", "obsValue",
               "unitOfMeasure", "refPeriod", "role"]
ORG_ROLE = "http://www.w3.org/ns/org#role"


@dataclass
class Limits:
    """Bounds on one request: hops, paths, nodes and edges returned, seconds spent."""
    max_hops: int = 6
    max_paths: int = 20
    max_nodes: int = 2000
    max_edges: int = 10000
    timeout: float = 5.0


class Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self.end


def check_hops(hops: int, limits: Limits, what: str = "hops") -> int:
    if not isinstance(hops, int) or hops < 1:
        raise NetworkError(f"{what} must be a whole number of at least 1")
    if hops > limits.max_hops:
        raise NetworkError(f"{what}={hops} is too large: at most {limits.max_hops} "
                           "(setting network_max_hops)")
    return hops


def edge_data(network: Network, u: str, v: str, key, data: dict) -> dict:
    out = {"id": f"{u}|{v}|{key}", "source": u, "target": v}
    out.update((k, val) for k, val in data.items() if k != "predicate_iri")
    return out


# --- search --------------------------------------------------------------------------------------

def search(network: Network, text: str, types: list[str] | None = None, limit: int = 20) -> list[dict]:
    """Entities whose label (Chinese or English, or an alternative label), code or IRI contains
    ``text``; exact matches first, then prefixes, then shorter labels."""
    needle = (text or "").strip().lower()
    if not needle:
        raise NetworkError("give the text to search for (q=…)")
    classes = [network.resolve_type(t) for t in types or []]
    found = []
    for node, data in network.graph.nodes(data=True):
        if classes and not any(network.is_a(node, c) for c in classes):
            continue
        names = [data["label_zh"], data["label_en"], data.get("code", ""),
                 *network.alt_labels.get(node, ())]
        best = None
        for name in names:
            name = str(name).lower()
            if needle == name:
                rank = 0
            elif name.startswith(needle):
                rank = 1
            elif needle in name:
                rank = 2
            else:
                continue
            best = rank if best is None else min(best, rank)
        if best is None and node.lower().endswith(needle):
            best = 3
        if best is not None:
            found.append((best, len(data["label"]), data["label"], node))
    found.sort()
    return [network.summary(node) for *_, node in found[:limit]]


# --- neighbours and subgraphs --------------------------------------------------------------------

def _allowed(network: Network, predicates: list[str] | None):
    return {network.resolve_predicate(p) for p in predicates} if predicates else None


def _steps(network: Network, node: str, direction: str, allowed):
    graph = network.graph
    if direction in ("out", "both"):
        for _, other, predicate in graph.out_edges(node, data="predicate_iri"):
            if allowed is None or predicate in allowed:
                yield other
    if direction in ("in", "both"):
        for other, _, predicate in graph.in_edges(node, data="predicate_iri"):
            if allowed is None or predicate in allowed:
                yield other


def neighbourhood(network: Network, focus: str, hops: int = 1, types: list[str] | None = None,
                  predicates: list[str] | None = None, direction: str = "both",
                  limits: Limits = Limits()) -> tuple[dict[str, int], bool]:
    """Nodes within ``hops`` of ``focus`` (following only ``predicates`` if given, in
    ``direction``) with their distance, keeping only ``types`` if given; and whether the node
    cap or the deadline cut the search short."""
    focus = network.resolve(focus)
    check_hops(hops, limits)
    if direction not in ("out", "in", "both"):
        raise NetworkError(f"direction must be out, in or both, not {direction!r}")
    allowed = _allowed(network, predicates)
    classes = [network.resolve_type(t) for t in types or []]
    distance = {focus: 0}
    kept: dict[str, int] = {}
    frontier = [focus]
    truncated = False
    deadline = Deadline(limits.timeout)
    for depth in range(1, hops + 1):
        following = []
        for node in frontier:
            if deadline.expired():
                return kept, True
            for other in _steps(network, node, direction, allowed):
                if other in distance:
                    continue
                distance[other] = depth
                following.append(other)
                if not classes or any(network.is_a(other, c) for c in classes):
                    kept[other] = depth
                    if len(kept) >= limits.max_nodes:
                        return kept, True
        frontier = following
        if not frontier:
            break
    return kept, truncated


def _edges_among(network: Network, nodes: set, allowed, limit: int) -> tuple[list[tuple], bool]:
    edges = []
    for u in nodes:
        for _, v, key, data in network.graph.out_edges(u, keys=True, data=True):
            if v in nodes and (allowed is None or data["predicate_iri"] in allowed):
                if len(edges) >= limit:
                    return edges, True
                edges.append((u, v, key, data))
    return edges, False


def neighbours(network: Network, focus: str, hops: int = 1, types: list[str] | None = None,
               predicates: list[str] | None = None, direction: str = "both",
               limits: Limits = Limits()) -> dict:
    """The focus, its neighbours within ``hops`` (each with its distance) and the edges among
    them."""
    focus = network.resolve(focus)
    kept, truncated = neighbourhood(network, focus, hops, types, predicates, direction, limits)
    allowed = _allowed(network, predicates)
    edges, cut = _edges_among(network, set(kept) | {focus}, allowed, limits.max_edges)
    nodes = sorted(kept, key=lambda n: (kept[n], network.graph.nodes[n]["type"],
                                        network.graph.nodes[n]["label"]))
    return {
        "focus": network.summary(focus), "hops": hops, "direction": direction,
        "nodes": [{**network.summary(n), "distance": kept[n]} for n in nodes],
        "edges": [edge_data(network, *e) for e in edges],
        "truncated": truncated or cut,
    }


def subgraph(network: Network, focus: str, radius: int = 1, types: list[str] | None = None,
             predicates: list[str] | None = None, limits: Limits = Limits()) -> nx.MultiDiGraph:
    """The part of the network around ``focus``: the nodes within ``radius`` (of ``types``) and
    every edge among them (of ``predicates``), as a networkx graph with all attributes."""
    focus = network.resolve(focus)
    kept, _ = neighbourhood(network, focus, radius, types, predicates, "both", limits)
    nodes = set(kept) | {focus}
    allowed = _allowed(network, predicates)
    edges, _ = _edges_among(network, nodes, allowed, limits.max_edges)
    sub = nx.MultiDiGraph(**network.graph.graph, focus=focus, radius=radius)
    sub.add_nodes_from((n, network.graph.nodes[n]) for n in nodes)
    sub.add_edges_from((u, v, key, data) for u, v, key, data in edges)
    return sub


# --- paths ---------------------------------------------------------------------------------------

def _detail(network: Network, key: str, value, lang: str) -> str:
    vocabulary = network.vocabulary
    name = vocabulary.label(ORG_ROLE if key == "role" else X + key, lang)
    shown = []
    for part in str(value).split(" "):
        if part in network.graph:
            shown.append(network.graph.nodes[part]["label_" + lang])
        elif (X + part) in vocabulary.labels:
            shown.append(vocabulary.label(X + part, lang))
        else:
            shown.append(part)
    return f"{name}: {'、'.join(shown) if lang == 'zh' else ', '.join(shown)}"


def details(network: Network, data: dict, lang: str) -> str:
    return "; ".join(_detail(network, k, data[k], lang) for k in DETAIL_KEYS if k in data)


def _phrase(network: Network, data: dict, forward: bool, lang: str) -> tuple[str, str]:
    """The words of one step and its arrow: ``—led by→`` forward; backward the declared inverse
    (``—leads→``) if the ontology has one, else the predicate with the arrow turned (``←led by—``)."""
    label = data["label_" + lang]
    if forward:
        return label, "—{}→"
    inverse = network.vocabulary.inverses.get(data["predicate_iri"])
    if inverse:
        return network.vocabulary.label(inverse, lang), "—{}→"
    return label, "←{}—"


def explain_step(network: Network, u: str, v: str, allowed=None) -> dict:
    """How ``u`` and ``v`` are linked: the main edge (asserted before inferred, forward before
    backward) in words, and every other edge between them."""
    graph = network.graph
    candidates = [(True, u, v, k, d) for k, d in graph.get_edge_data(u, v, default={}).items()]
    candidates += [(False, v, u, k, d) for k, d in graph.get_edge_data(v, u, default={}).items()]
    candidates = [c for c in candidates if allowed is None or c[4]["predicate_iri"] in allowed]
    candidates.sort(key=lambda c: (c[4]["inferred"], not c[0], c[4]["predicate"]))
    forward, source, target, key, data = candidates[0]
    step = {"from": u, "to": v, "predicate": data["predicate"],
            "direction": "forward" if forward else "backward",
            "edge": edge_data(network, source, target, key, data),
            "alternatives": [edge_data(network, s, t, k, d) for _, s, t, k, d in candidates[1:]]}
    for lang in ("zh", "en"):
        words, arrow = _phrase(network, data, forward, lang)
        extra = details(network, data, lang)
        step["phrase_" + lang] = words
        step["arrow_" + lang] = arrow.format(words)
        step["text_" + lang] = (f"{graph.nodes[u]['label_' + lang]} {arrow.format(words)} "
                                f"{graph.nodes[v]['label_' + lang]}" + (f" ({extra})" if extra else ""))
    return step


def explain_path(network: Network, path: list[str], allowed=None) -> dict:
    steps = [explain_step(network, u, v, allowed) for u, v in zip(path, path[1:])]
    out = {"length": len(steps), "nodes": [network.summary(n) for n in path], "steps": steps}
    for lang in ("zh", "en"):
        text = network.graph.nodes[path[0]]["label_" + lang]
        for step, node in zip(steps, path[1:]):
            text += f" {step['arrow_' + lang]} {network.graph.nodes[node]['label_' + lang]}"
        out["text_" + lang] = text
    return out


def paths(network: Network, source: str, target: str, k: int = 3, max_hops: int | None = None,
          predicates: list[str] | None = None, limits: Limits = Limits()) -> dict:
    """The ``k`` shortest simple paths between two entities (edges followed in either
    direction), each no longer than ``max_hops``, each step explained in Chinese and English."""
    source, target = network.resolve(source), network.resolve(target)
    if not isinstance(k, int) or k < 1:
        raise NetworkError("k must be a whole number of at least 1")
    if k > limits.max_paths:
        raise NetworkError(f"k={k} is too large: at most {limits.max_paths} paths "
                           "(setting network_max_paths)")
    max_hops = check_hops(max_hops if max_hops is not None else limits.max_hops, limits, "max_hops")
    if source == target:
        raise NetworkError("the two entities are the same; give two different ones")
    allowed = _allowed(network, predicates)
    whole = view = network.undirected
    if allowed is not None:
        view = nx.subgraph_view(whole, filter_edge=lambda a, b: bool(whole[a][b]["predicates"] & allowed))
    deadline = Deadline(limits.timeout)
    found, complete, reason = [], True, None
    try:
        for path in nx.shortest_simple_paths(view, source, target):
            if len(path) - 1 > max_hops:
                break
            found.append(explain_path(network, path, allowed))
            if len(found) == k:
                break
            if deadline.expired():
                complete, reason = False, f"stopped at the deadline of {limits.timeout:g} s"
                break
    except nx.NetworkXNoPath:
        pass
    if not found and not complete:
        raise TooLong(f"no path found within {limits.timeout:g} s (setting network_timeout)")
    return {"from": network.summary(source), "to": network.summary(target), "k": k,
            "max_hops": max_hops, "paths": found, "complete": complete,
            **({"reason": reason} if reason else {}),
            **({"predicates": sorted(curie(p) for p in allowed)} if allowed else {})}
