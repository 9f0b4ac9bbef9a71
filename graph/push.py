"""Pushing a release into a remote SPARQL store (``xiancheng load``), in batches.

Two ways, whichever the store offers: the Graph Store Protocol (each graph emptied by a PUT, then
filled by POSTs of N-Triples) or SPARQL Update (``DROP SILENT GRAPH``, then ``INSERT DATA`` with one
``GRAPH`` block per graph). Blank nodes are scoped to one request in both protocols, so the triples
that mention a blank node are held back and sent together at the end (per graph with the Graph Store
Protocol, all in one update otherwise); in this project's releases they are a few dozen triples of
the ontology (OWL lists and cube structures).

A failed batch stops the load with the store's answer; running it again starts over (every graph
is emptied first), so a load never leaves duplicates. While a load runs, readers of the store see
the graphs half-filled: load a new release into a store that is not being served, then switch.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from typing import Callable, Iterable

import pyoxigraph as ox

from .remote import Endpoint

BATCH = 50_000


def push_release(endpoint: Endpoint, release, *, method: str | None = None, batch: int = BATCH,
                 progress: Callable[[int], None] | None = None) -> str:
    """Replace the release's graphs in the store with the release's data; returns the method."""
    method = method or ("gsp" if endpoint.graph_store_url else "update")
    graphs = [g["iri"] for g in release.graphs.values()]
    if method == "gsp":
        for graph in graphs:
            endpoint.put_graph(graph, b"", replace=True)
    elif method == "update":
        endpoint.update(" ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in graphs))
    else:
        raise ValueError(f"unknown load method '{method}' (use gsp or update)")
    with gzip.open(release.file("nquads")) as data:
        push_quads(endpoint, ox.parse(data, format=ox.RdfFormat.N_QUADS), method=method,
                   batch=batch, progress=progress)
    return method


def push_quads(endpoint: Endpoint, quads: Iterable[ox.Quad], *, method: str | None = None,
               batch: int = BATCH, progress: Callable[[int], None] | None = None) -> int:
    """Add ``quads`` (all in named graphs) to the store in batches of ``batch`` triples."""
    method = method or ("gsp" if endpoint.graph_store_url else "update")
    send = _send_gsp if method == "gsp" else _send_update
    report = progress or (lambda n: None)
    pending: dict[str, list[ox.Triple]] = defaultdict(list)
    blank: dict[str, list[ox.Triple]] = defaultdict(list)
    blank_graphs: dict[str, str] = {}
    size = total = 0
    for quad in quads:
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise ValueError("the remote store is loaded graph by graph: every triple must be in a "
                             "named graph")
        graph = quad.graph_name.value
        terms = (quad.subject, quad.object)
        if any(isinstance(t, ox.BlankNode) for t in terms):
            for t in terms:
                if isinstance(t, ox.BlankNode) and blank_graphs.setdefault(t.value, graph) != graph \
                        and method == "gsp":
                    raise ValueError(f"blank node _:{t.value} is used in two graphs; the Graph Store "
                                     "Protocol cannot keep it one node: load with --method update")
            blank[graph].append(quad.triple)
            continue
        pending[graph].append(quad.triple)
        size += 1
        if size >= batch:
            send(endpoint, pending)
            total += size
            report(size)
            pending, size = defaultdict(list), 0
    if size:
        send(endpoint, pending)
        total += size
        report(size)
    held_back = sum(map(len, blank.values()))
    if held_back:
        send(endpoint, blank)
        total += held_back
        report(held_back)
    return total


def _send_gsp(endpoint: Endpoint, triples: dict[str, list[ox.Triple]]) -> None:
    for graph, items in triples.items():
        endpoint.put_graph(graph, ox.serialize(items, format=ox.RdfFormat.N_TRIPLES), replace=False)


def _send_update(endpoint: Endpoint, triples: dict[str, list[ox.Triple]]) -> None:
    # Terms are written by pyoxigraph in N-Triples syntax, which is also SPARQL syntax (IRIs
    # validated, literals escaped); nothing here is spliced from user input.
    parts = ["INSERT DATA {"]
    for graph, items in triples.items():
        parts.append(f"GRAPH {ox.NamedNode(graph)} {{")
        parts.extend(f"{t.subject} {t.predicate} {t.object} ." for t in items)
        parts.append("}")
    parts.append("}")
    endpoint.update("\n".join(parts))
