"""The knowledge graph as a network: a projection of a release into a networkx ``MultiDiGraph``.

* **Nodes** are the entities: every typed IRI under the data namespace (``<base>id/``), with its
  type, Chinese and English labels, code and coordinates as attributes. Terms of the ontology's
  vocabularies (division levels, statuses, …) are not nodes but attributes of the nodes that use
  them; geometries give the coordinates; concept schemes and source-graph descriptions are left out.
* **Edges** are the object properties between entities, each with its predicate (a CURIE), the
  predicate's labels from the ontology, the named graph (source) that states it and whether it is
  inferred.
* ``collapse=True`` turns the n-ary nodes — designations, observations, memberships and evidence —
  into direct edges carrying their attributes: 阳城县 —designated under→ 省级海绵城市建设示范 with
  ``batch``, ``designationYear``, ``category`` …; 山西省 —indicator→ 县城污水处理率 with ``obsValue``,
  ``unitOfMeasure``, ``refPeriod``; a person —member of→ a department with ``role``.
* ``inferred=True`` adds the edges of the inferred graph (part-of closure, inverses, participation);
  ``evidence=True`` adds provenance edges (an entity —source→ the document that states it).

A network is built once per release and projection and kept in a small cache
(:func:`network_for`). Nothing here imports Flask.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict, defaultdict
from concurrent.futures import Future
from dataclasses import dataclass

import networkx as nx

from .namespaces import DEFAULT_BASE
from .network_terms import X, Vocabulary, curie, local_name  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Projection:
    """Which network: with inferred edges, with n-ary nodes collapsed, with provenance edges."""
    inferred: bool = False
    collapse: bool = True
    evidence: bool = False

    def describe(self) -> dict:
        return {"inferred": self.inferred, "collapse": self.collapse, "evidence": self.evidence}


class NetworkError(ValueError):
    """A question the network cannot answer as asked; ``status`` is the HTTP status it means."""
    status = 400


class UnknownEntity(NetworkError):
    status = 404


class TooLong(NetworkError):
    """The computation did not finish within the deadline."""
    status = 504


class Network:
    """A projected network with what the questions need: the graph, the vocabulary, an
    undirected simple view for paths and rankings, and computed measures (memoised)."""

    def __init__(self, graph: nx.MultiDiGraph, vocabulary: Vocabulary, projection: Projection,
                 release_id: str, base: str, alt_labels: dict):
        self.graph = graph
        self.vocabulary = vocabulary
        self.projection = projection
        self.release_id = release_id
        self.base = base
        self.alt_labels = alt_labels
        self._undirected: nx.Graph | None = None
        self._memo: dict = {}
        self._lock = threading.Lock()
        self.types: dict[str, int] = defaultdict(int)
        for _, cls in graph.nodes(data="type_iri"):
            for ancestor in vocabulary.ancestors(cls):
                self.types[ancestor] += 1
        self.predicates: dict[str, int] = defaultdict(int)
        for *_, predicate in graph.edges(data="predicate_iri"):
            self.predicates[predicate] += 1

    # --- looking things up ------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """The node named by ``ref``: its IRI, its path (``/id/division/140522``), the part after
        ``id/`` (``division/140522``) or a division code."""
        ref = (ref or "").strip()
        if not ref:
            raise NetworkError("no entity given: pass an IRI such as "
                               f"{self.base}id/division/140522")
        candidates = [ref, self.base + ref.lstrip("/"), self.base + "id/" + ref.lstrip("/")]
        if ref.isdigit():
            candidates.append(f"{self.base}id/division/{ref}")
        for candidate in candidates:
            if candidate in self.graph:
                return candidate
        raise UnknownEntity(f"no entity {ref!r} in the network of release {self.release_id}; "
                            "use the search to find an IRI")

    def resolve_type(self, ref: str) -> str:
        return self._resolve_term(ref, self.types, "type")

    def resolve_predicate(self, ref: str) -> str:
        return self._resolve_term(ref, self.predicates, "predicate")

    def _resolve_term(self, ref: str, known: dict, what: str) -> str:
        ref = (ref or "").strip()
        for iri in known:
            if ref in (iri, curie(iri), local_name(iri)):
                return iri
        listed = ", ".join(sorted(curie(i) for i in known))
        raise NetworkError(f"unknown {what} {ref!r}; the network has: {listed}")

    def is_a(self, node: str, cls: str) -> bool:
        return cls in self.vocabulary.ancestors(self.graph.nodes[node]["type_iri"])

    def path(self, iri: str) -> str | None:
        """The path of ``iri`` on this service (its page), if it is under the base."""
        return "/" + iri[len(self.base):] if iri.startswith(self.base) else None

    def summary(self, node: str) -> dict:
        data = self.graph.nodes[node]
        out = {"id": node, "label": data["label"], "label_zh": data["label_zh"],
               "label_en": data["label_en"], "type": data["type"], "type_zh": data["type_zh"],
               "type_en": data["type_en"], "path": self.path(node)}
        for key in ("code", "lat", "lon"):
            if key in data:
                out[key] = data[key]
        return out

    def describe(self) -> dict:
        v = self.vocabulary
        return {
            "release": self.release_id, "projection": self.projection.describe(),
            "nodes": self.graph.number_of_nodes(), "edges": self.graph.number_of_edges(),
            "types": [{"type": curie(t), "label_zh": v.label(t, "zh"), "label_en": v.label(t, "en"),
                       "nodes": n} for t, n in sorted(self.types.items(), key=lambda x: -x[1])],
            "predicates": [{"predicate": curie(p), "label_zh": v.label(p, "zh"),
                            "label_en": v.label(p, "en"), "edges": n}
                           for p, n in sorted(self.predicates.items(), key=lambda x: -x[1])],
        }

    # --- derived views and memoised measures --------------------------------------------------

    @property
    def undirected(self) -> nx.Graph:
        """A simple undirected view: one edge per pair of nodes linked in either direction, with
        the set of predicates that link them (for paths, components and rankings)."""
        if self._undirected is None:
            with self._lock:
                if self._undirected is None:
                    simple = nx.Graph()
                    simple.add_nodes_from(self.graph)
                    for u, v, predicate in self.graph.edges(data="predicate_iri"):
                        if u == v:
                            continue
                        if simple.has_edge(u, v):
                            simple[u][v]["predicates"].add(predicate)
                        else:
                            simple.add_edge(u, v, predicates={predicate})
                    self._undirected = simple
        return self._undirected

    def memo(self, key, compute, timeout: float | None = None):
        """``compute()`` once per network (in a background thread), waiting at most ``timeout``
        seconds for it; past that ``TooLong`` — the computation goes on and a later call gets
        its result."""
        with self._lock:
            future = self._memo.get(key)
            if future is None:
                future = self._memo[key] = Future()
                threading.Thread(target=_fulfil, args=(future, compute), daemon=True,
                                 name=f"network-{key}").start()
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            raise TooLong(f"computing {key[0] if isinstance(key, tuple) else key} takes longer "
                          f"than {timeout:g} s; it goes on in the background: retry in a while"
                          ) from None


def _fulfil(future: Future, compute) -> None:
    try:
        future.set_result(compute())
    except BaseException as e:  # handed to whoever waits for it
        future.set_exception(e)


def build_network(nquads: bytes, projection: Projection = Projection(), **options) -> Network:
    """Project N-Quads into a network (graph.network_build.build_network)."""
    from .network_build import build_network as build

    return build(nquads, projection, **options)


# --- the cache -----------------------------------------------------------------------------------

_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
_BUILDING: dict = {}      # key -> the lock held while that network is being built
_CACHE_SIZE = 8


def _cached(key):
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key], None
        return None, _BUILDING.setdefault(key, threading.Lock())


def network_for(release, projection: Projection = Projection()) -> Network:
    """The network of ``release`` (a graph.release.Release), built on first use and cached by
    release id and projection. Requests for a network being built wait for it; others do not."""
    key = (release.id, projection)
    network, building = _cached(key)
    if network is not None:
        return network
    with building:
        network, _ = _cached(key)
        if network is not None:
            return network
        with gzip.open(release.file("nquads")) as f:
            data = f.read()
        network = build_network(data, projection, base=release.meta.get("base", DEFAULT_BASE),
                                graph_names={g["iri"]: name for name, g in release.graphs.items()},
                                release_id=release.id)
        with _CACHE_LOCK:
            _CACHE[key] = network
            _BUILDING.pop(key, None)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return network
