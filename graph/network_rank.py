"""Questions about the whole network: centrality rankings within a type, communities and
connected components with their members, and entities similar to one another by what they share.

Measures are computed on the network's undirected simple view (a knowledge graph's edge
directions are a matter of wording: "led by" and "leads" state one fact), once per network, and
memoised; a computation that outlasts the deadline goes on in the background (``TooLong``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import networkx as nx

from .network import X, Network, NetworkError, curie
from .network_explore import Limits

MEASURES = ("degree", "betweenness", "pagerank")
# Above this many nodes betweenness is estimated from a sample of this many sources.
EXACT_BETWEENNESS_NODES = 5000


def _measure(network: Network, measure: str, limits: Limits) -> tuple[dict, bool]:
    graph = network.undirected
    if measure == "betweenness":
        n = graph.number_of_nodes()
        sample = None if n <= EXACT_BETWEENNESS_NODES else EXACT_BETWEENNESS_NODES // 5
        scores = network.memo(("betweenness",), lambda: nx.betweenness_centrality(
            graph, k=sample, normalized=True, seed=0), limits.timeout)
        return scores, sample is not None
    if measure == "pagerank":
        return network.memo(("pagerank",), lambda: nx.pagerank(graph, alpha=0.85),
                            limits.timeout), False
    return dict(graph.degree()), False


def centrality(network: Network, measure: str = "degree", type: str | None = None,
               neighbour_type: str | None = None, limit: int = 20,
               limits: Limits = Limits()) -> dict:
    """Entities (of ``type``) ranked by ``measure``. For degree, ``neighbour_type`` counts only
    the neighbours of that type: programmes by the counties they reach, counties by the
    programmes they take part in."""
    if measure not in MEASURES:
        raise NetworkError(f"unknown measure {measure!r}; use one of: {', '.join(MEASURES)}")
    cls = network.resolve_type(type) if type else None
    other = network.resolve_type(neighbour_type) if neighbour_type else None
    if other is not None and measure != "degree":
        raise NetworkError("neighbour_type applies to the degree measure only")
    _check_limit(limit, limits)
    candidates = [n for n in network.graph if cls is None or network.is_a(n, cls)]
    if other is not None:
        graph = network.undirected
        scores = {n: sum(1 for m in graph[n] if network.is_a(m, other)) for n in candidates}
        approximate = False
    else:
        scores, approximate = _measure(network, measure, limits)
    ranked = sorted(candidates, key=lambda n: (-scores[n], network.graph.nodes[n]["label"]))
    return {
        "measure": measure, "type": curie(cls) if cls else None,
        "neighbour_type": curie(other) if other else None, "approximate": approximate,
        "candidates": len(candidates),
        "ranking": [{"rank": i + 1, "score": scores[n], **network.summary(n)}
                    for i, n in enumerate(ranked[:limit])],
    }


def _check_limit(limit: int, limits: Limits) -> None:
    if not isinstance(limit, int) or limit < 1:
        raise NetworkError("limit must be a whole number of at least 1")
    if limit > limits.max_nodes:
        raise NetworkError(f"limit={limit} is too large: at most {limits.max_nodes} "
                           "(setting network_max_nodes)")


def _groups(network: Network, method: str, resolution: float, seed: int, limits: Limits):
    graph = network.undirected
    if method == "components":
        return network.memo(("components",), lambda: list(nx.connected_components(graph)),
                            limits.timeout), None
    if method == "louvain":
        def louvain():
            found = nx.community.louvain_communities(graph, resolution=resolution, seed=seed)
            return found, nx.community.modularity(graph, found, resolution=resolution)
        return network.memo(("louvain", resolution, seed), louvain, limits.timeout)
    raise NetworkError(f"unknown method {method!r}; use louvain or components")


def communities(network: Network, method: str = "louvain", min_size: int = 1, limit: int = 50,
                members: int = 100, resolution: float = 1.0, seed: int = 0,
                limits: Limits = Limits()) -> dict:
    """Communities (Louvain, networkx) or connected components, largest first, each with its
    size, the count of each type in it and its members (most connected first)."""
    if not 0 < resolution <= 10:
        raise NetworkError("resolution must be above 0 and at most 10")
    _check_limit(limit, limits)
    _check_limit(members, limits)
    groups, modularity = _groups(network, method, resolution, seed, limits)
    degree = network.undirected.degree
    kept = sorted((g for g in groups if len(g) >= min_size),
                  key=lambda g: (-len(g), min(network.graph.nodes[n]["label"] for n in g)))
    out = []
    for i, group in enumerate(kept[:limit]):
        ordered = sorted(group, key=lambda n: (-degree[n], network.graph.nodes[n]["label"]))
        types = Counter(network.graph.nodes[n]["type"] for n in group)
        out.append({"id": i, "size": len(group), "types": dict(types.most_common()),
                    "members": [network.summary(n) for n in ordered[:members]],
                    "truncated": len(group) > members})
    return {"method": method, "count": len(kept), "groups": out,
            **({"modularity": modularity, "resolution": resolution, "seed": seed}
               if method == "louvain" else {})}


# --- similarity ----------------------------------------------------------------------------------

FEATURE_KINDS = ("programme", "classification", "industry")
DESIGNATED = (X + "designatedUnder", X + "participatesIn")


def features(network: Network, node: str) -> set[tuple[str, str]]:
    """What an entity has that others may share: the programmes it is designated under (or takes
    part in), the categories those designations give it (classifications), and the industries
    of the specialty towns and e-towns located in it (or its own)."""
    graph = network.graph
    found = set()
    for _, target, data in graph.out_edges(node, data=True):
        if data["predicate_iri"] in DESIGNATED:
            found.add(("programme", target))
            for category in str(data.get("category", "")).split():
                found.add(("classification", category))
        elif data["predicate_iri"] == X + "industry":
            found.add(("industry", target))
    for town, _, predicate in graph.in_edges(node, data="predicate_iri"):
        if predicate == X + "locatedIn":
            for _, industry, p in graph.out_edges(town, data="predicate_iri"):
                if p == X + "industry":
                    found.add(("industry", industry))
    return found


def similar(network: Network, focus: str, type: str | None = None, limit: int = 10,
            kinds: list[str] | None = None, limits: Limits = Limits()) -> dict:
    """Entities of the focus's type (or ``type``) ranked by what they share with it: the
    Adamic–Adar score over shared programmes, classifications and industries (a thing shared by
    few counts more than one shared by many), with the shared things listed."""
    focus = network.resolve(focus)
    if not network.projection.collapse:
        raise NetworkError("similarity reads designations as edges: use collapse=true")
    _check_limit(limit, limits)
    kinds = kinds or list(FEATURE_KINDS)
    for kind in kinds:
        if kind not in FEATURE_KINDS:
            raise NetworkError(f"unknown kind {kind!r}; use: {', '.join(FEATURE_KINDS)}")
    cls = network.resolve_type(type) if type else network.graph.nodes[focus]["type_iri"]
    candidates = [n for n in network.graph if network.is_a(n, cls)]
    if focus not in candidates:
        candidates.append(focus)
    having: dict[tuple, set] = defaultdict(set)
    of: dict[str, set] = {}
    for node in candidates:
        of[node] = {f for f in features(network, node) if f[0] in kinds}
        for feature in of[node]:
            having[feature].add(node)
    mine = of[focus]
    scored = []
    for node in candidates:
        shared = mine & of[node]
        if node == focus or not shared:
            continue
        score = sum(1 / math.log(len(having[f])) for f in shared)
        scored.append((-score, -len(shared), network.graph.nodes[node]["label"], node, shared))
    scored.sort()
    return {
        "focus": network.summary(focus), "type": curie(cls), "kinds": kinds,
        "features": [_feature(network, f, len(having[f])) for f in sorted(mine)],
        "similar": [{**network.summary(node), "score": -score, "shared_count": len(shared),
                     "jaccard": len(shared) / len(mine | of[node]),
                     "shared": [_feature(network, f, len(having[f])) for f in sorted(shared)]}
                    for score, _, _, node, shared in scored[:limit]],
    }


def _feature(network: Network, feature: tuple[str, str], count: int) -> dict:
    kind, iri = feature
    about = network.summary(iri) if iri in network.graph else {"id": iri, "label": iri}
    return {"kind": kind, **about, "shared_by": count}
