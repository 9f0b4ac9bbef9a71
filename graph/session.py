"""The writer's working store during one request: changes applied as they are made, their net
effect recorded (what the shapes gate, the reasoner, the change log and the journal see), and
everything undone if the request fails."""

from __future__ import annotations

import pyoxigraph as ox

from .livestore import Change, graph_name, graph_term


class Session:
    """The writer's working store during one request: applies changes, records their net effect
    (``change()``) and can undo them (``rollback()``)."""

    def __init__(self, store: ox.Store, hidden: set[str] = frozenset()):
        self.store = store
        self.hidden = set(hidden)     # graphs that ALL and NAMED leave out (maintained by the server)
        self._change = Change()
        self._existed: dict[str, bool] = {}
        self.dirty = False            # changed since the last snapshot was taken
        self.snapshots: list = []     # snapshots taken for this request (graph.writes)

    def exists(self, graph: str) -> bool:
        return graph == "" or self.store.contains_named_graph(ox.NamedNode(graph))

    def _note(self, graph: str) -> None:
        if graph and graph not in self._existed:
            self._existed[graph] = self.exists(graph)

    def add(self, quads) -> None:
        new = [q for q in set(quads) if q not in self.store]
        for q in new:
            self._note(graph_name(q.graph_name))
            if q in self._change.removed:
                self._change.removed.discard(q)
            else:
                self._change.added.add(q)
        if new:
            self.store.extend(new)
            self.dirty = True

    def remove(self, quads) -> None:
        for q in set(quads):
            if q in self.store:
                self._note(graph_name(q.graph_name))
                if q in self._change.added:
                    self._change.added.discard(q)
                else:
                    self._change.removed.add(q)
                self.store.remove(q)
                self.dirty = True

    def quads(self, graph: str) -> list:
        return list(self.store.quads_for_pattern(None, None, None, graph_term(graph)))

    def clear(self, graph: str) -> None:
        self.remove(self.quads(graph))

    def create(self, graph: str) -> None:
        self._note(graph)
        self.store.add_graph(ox.NamedNode(graph))
        self.dirty = True

    def drop(self, graph: str) -> None:
        self.clear(graph)
        if graph:
            self._note(graph)
            self.store.remove_graph(ox.NamedNode(graph))
            self.dirty = True

    def named_graphs(self) -> list[str]:
        """The named graphs that ALL and NAMED mean: every one but the server's own."""
        return sorted(g.value for g in self.store.named_graphs() if g.value not in self.hidden)

    def all_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def change(self) -> Change:
        c = self._change
        created = {g for g, existed in self._existed.items() if not existed and self.exists(g)}
        dropped = {g for g, existed in self._existed.items() if existed and not self.exists(g)}
        return Change(set(c.removed), set(c.added), created, dropped)

    def apply(self, change: Change) -> None:
        """Apply a change computed elsewhere (the inferences, the change log)."""
        self.remove(change.removed)
        for g in change.dropped:
            self.drop(g)
        for g in change.created:
            self.create(g)
        self.add(change.added)

    def rollback(self) -> None:
        change = self.change()
        for q in self._change.added:
            self.store.remove(q)
        for g in change.dropped:
            self.store.add_graph(ox.NamedNode(g))
        if self._change.removed:
            self.store.extend(self._change.removed)
        for g in change.created:
            if self.store.contains_named_graph(ox.NamedNode(g)):
                self.store.remove_graph(ox.NamedNode(g))
        self._change, self._existed = Change(), {}
