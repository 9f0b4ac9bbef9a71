"""SPARQL 1.1 Update, evaluated so that the writer knows exactly what each request changes.

Oxigraph runs an update in one call and does not say what it changed, but a write must be checked
against the shapes (on the nodes it touches), reasoned over and logged before it commits. So a
request is split into its operations (``split_update``) and each is evaluated by Oxigraph in
pieces whose effect is known:

* ``INSERT DATA`` / ``DELETE DATA``: run on an empty in-memory store, which then holds the quads;
* ``DELETE/INSERT … WHERE`` and ``DELETE WHERE``: the WHERE clause runs as a SELECT — in a query
  worker, with its deadline and row cap, on a snapshot of the store as it is at that point of the
  request — and the templates are instantiated by Oxigraph on an empty store from the solutions
  (passed as VALUES; blank nodes as placeholder IRIs mapped back);
* ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``, ``MOVE``, ``COPY``: graph operations, done as Oxigraph
  does them (ADD/MOVE/COPY as DROP SILENT of the target, copy, DROP of the source).

Each operation is applied to the writer's working store (a ``Session`` records the net change and
can undo it) before the next runs, as the specification requires. ``LOAD`` and ``SERVICE`` are
refused before anything runs. The whole request is parsed by Oxigraph first (graph.safeparse), so
the splitter only ever sees valid updates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from .livestore import graph_term
from .session import Session
from .screen import CHAIN_KEYWORDS, CHAIN_OPERATORS, RefusedQuery, decode_codepoints, tokens


class UpdateError(ValueError):
    """The update cannot be carried out; the message says why (a 400 for the client)."""


# --- screening ---------------------------------------------------------------------------------

def screen_update(text: str, max_length: int, max_depth: int, max_chain: int = 2_000) -> None:
    """Refuse LOAD, SERVICE, deep nesting and long chains. The text is screened with SPARQL's
    codepoint escapes applied (so that ``\\u004cOAD`` is caught too)."""
    if len(text) > max_length:
        raise UpdateError(f"the update is {len(text)} characters long; the limit is {max_length}")
    try:
        decoded = decode_codepoints(text)
    except RefusedQuery as e:
        raise UpdateError(str(e)) from None
    depth = chain = 0
    for token in tokens(decoded):
        kind, value = token.kind, token.value
        if kind == "open":
            depth += 1
            if depth > max_depth:
                raise UpdateError(f"the update nests brackets more than {max_depth} deep; simplify it")
        elif kind == "close":
            depth -= 1
        elif kind == "word":
            word = value.lower()
            if word == "load":
                raise UpdateError("LOAD is not allowed: the server never fetches documents; send the "
                                  "data with PUT or POST /store instead")
            if word == "service":
                raise UpdateError("SERVICE is not allowed: the server never calls other services")
            if word in CHAIN_KEYWORDS:
                chain += 1
        elif kind == "other" and value in CHAIN_OPERATORS:
            chain += 0.5 if value in "|&" else 1
        if chain > max_chain:
            raise UpdateError(f"the update chains more than {max_chain} operators and clauses; split it")


# --- splitting ---------------------------------------------------------------------------------

@dataclass
class Operation:
    kind: str                      # insert-data, delete-data, modify, clear, drop, create, add, move, copy
    prologue: str                  # the BASE and PREFIX declarations in force
    silent: bool = False
    data: str = ""                 # QuadData of INSERT/DELETE DATA, with its braces
    delete: str | None = None      # template of DELETE, without braces
    insert: str | None = None
    where: str = ""                # GroupGraphPattern, with braces
    with_graph: str | None = None  # IRI token text
    using: list[str] = field(default_factory=list)
    using_named: list[str] = field(default_factory=list)
    target: str = ""               # clear/drop/create: GRAPH iri, DEFAULT, NAMED or ALL
    source: str = ""               # add/move/copy: iri token text or DEFAULT
    destination: str = ""


@dataclass
class _Item:
    kind: str      # word, iri, pname, group, other
    text: str


def _items(text: str) -> list[_Item]:
    """Significant tokens at the top level; each top-level {...} becomes one group item."""
    items: list[_Item] = []
    depth, start = 0, 0
    for token in tokens(text):
        kind = token.kind
        if kind == "comment":
            continue
        if kind == "open" and token.value == "{":
            if depth == 0:
                start = token.start
            depth += 1
        elif kind == "close" and token.value == "}":
            depth -= 1
            if depth == 0:
                items.append(_Item("group", text[start:token.end]))
        elif depth == 0:
            items.append(_Item(kind, token.value))
    return items


class _Cursor:
    def __init__(self, items: list[_Item]):
        self.items, self.i = items, 0

    def peek(self, word: str | None = None) -> _Item | None:
        item = self.items[self.i] if self.i < len(self.items) else None
        if word is not None:
            return item if item is not None and item.kind == "word" and item.text.upper() == word else None
        return item

    def take(self, word: str | None = None) -> _Item | None:
        item = self.peek(word)
        if item is not None:
            self.i += 1
        return item

    def expect(self, kind: str) -> str:
        item = self.take()
        if item is None or item.kind not in kind.split("|"):
            raise UpdateError(f"could not read the update near {item.text if item else 'its end'!r}")
        return item.text

    def iri(self) -> str:
        return self.expect("iri|pname")

    def graph_or_default(self) -> str:
        if self.take("DEFAULT"):
            return "DEFAULT"
        self.take("GRAPH")
        return self.iri()


def split_update(text: str) -> list[Operation]:
    """The operations of a (syntactically valid) update, in order. The pieces are passed to
    Oxigraph as written: it reads codepoint escapes inside strings and IRIs itself."""
    cur = _Cursor(_items(text))
    prologue, ops = "", []
    while cur.peek() is not None:
        item = cur.take()
        word = item.text.upper() if item.kind == "word" else None
        if item.kind == "other" and item.text == ";":
            continue
        if word == "BASE":
            prologue += f"BASE {cur.iri()}\n"
            continue
        if word == "PREFIX":
            name = cur.expect("pname")
            prologue += f"PREFIX {name} {cur.iri()}\n"
            continue
        op = Operation("", prologue)
        if word in ("CLEAR", "DROP", "CREATE"):
            op.kind = word.lower()
            op.silent = bool(cur.take("SILENT"))
            if cur.take("GRAPH"):
                op.target = cur.iri()
            else:
                op.target = cur.expect("word").upper()
        elif word in ("ADD", "MOVE", "COPY"):
            op.kind = word.lower()
            op.silent = bool(cur.take("SILENT"))
            op.source = cur.graph_or_default()
            cur.take("TO")
            op.destination = cur.graph_or_default()
        elif word == "INSERT" and cur.take("DATA"):
            op.kind, op.data = "insert-data", cur.expect("group")
        elif word == "DELETE" and cur.take("DATA"):
            op.kind, op.data = "delete-data", cur.expect("group")
        elif word == "DELETE" and cur.take("WHERE"):
            group = cur.expect("group")
            op.kind, op.delete, op.where = "modify", group[1:-1], group
        elif word in ("WITH", "DELETE", "INSERT"):
            op.kind = "modify"
            if word == "WITH":
                op.with_graph = cur.iri()
                word = cur.expect("word").upper()
            if word == "DELETE":
                op.delete = cur.expect("group")[1:-1]
                if cur.take("INSERT"):
                    op.insert = cur.expect("group")[1:-1]
            elif word == "INSERT":
                op.insert = cur.expect("group")[1:-1]
            while cur.take("USING"):
                (op.using_named if cur.take("NAMED") else op.using).append(cur.iri())
            if not cur.take("WHERE"):
                raise UpdateError("expected WHERE")
            op.where = cur.expect("group")
        else:
            raise UpdateError(f"could not read the update near {item.text!r}")
        ops.append(op)
    return ops


# A SELECT runner: (query text, default graphs, named graphs) -> (variables, rows of terms). None
# for both graph lists means the store's own dataset (its default graph and every named graph).
Select = Callable[[str, list[str] | None, list[str] | None], tuple[list[str], list[tuple]]]

_PLACEHOLDER = f"urn:x-xiancheng-blank-{uuid.uuid4().hex}:"


def _term_text(term) -> str:
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.BlankNode):
        return f"<{_PLACEHOLDER}{term.value}>"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    raise UpdateError(f"the update binds a variable to {term}, which cannot be used in a template")


def _unplaceholder(term):
    if isinstance(term, ox.NamedNode) and term.value.startswith(_PLACEHOLDER):
        return ox.BlankNode(term.value[len(_PLACEHOLDER):])
    return term


class Evaluator:
    """Carries out operations on a session. ``select`` runs WHERE clauses (in a query worker on a
    snapshot, in the service); ``using``/``using_named`` are the protocol's using-graph-uri and
    using-named-graph-uri parameters."""

    def __init__(self, session: Session, select: Select, base_iri: str | None = None,
                 using: list[str] | None = None, using_named: list[str] | None = None):
        self.session = session
        self.select = select
        self.base_iri = base_iri
        self.using = using or []
        self.using_named = using_named or []
        self._resolved: dict[tuple[str, str], str] = {}

    def run(self, ops: list[Operation]) -> None:
        if (self.using or self.using_named) and any(op.using or op.using_named or op.with_graph
                                                    for op in ops):
            raise UpdateError("the update has USING, USING NAMED or WITH, and the request has "
                              "using-graph-uri or using-named-graph-uri: give the dataset one way")
        for op in ops:
            getattr(self, "_" + op.kind.replace("-", "_"))(op)

    # --- helpers -------------------------------------------------------------------------------

    def _oxigraph(self, store: ox.Store, text: str) -> None:
        try:
            store.update(text, base_iri=self.base_iri)
        except (SyntaxError, ValueError, OSError, RuntimeError) as e:
            raise UpdateError(str(e)) from None

    def iri(self, op: Operation, token: str) -> str:
        """The absolute IRI an IRI token of ``op`` stands for (prefixes and BASE applied)."""
        key = (op.prologue, token)
        if key not in self._resolved:
            try:
                result = ox.Store().query(f"{op.prologue}SELECT ?x WHERE {{ BIND({token} AS ?x) }}",
                                          base_iri=self.base_iri)
                self._resolved[key] = next(iter(result))["x"].value
            except (SyntaxError, ValueError, StopIteration, TypeError) as e:
                raise UpdateError(f"{token} is not a valid IRI here: {e}") from None
        return self._resolved[key]

    def _graph_arg(self, op: Operation, token: str) -> str:
        return "" if token == "DEFAULT" else self.iri(op, token)

    def _data(self, op: Operation) -> set:
        scratch = ox.Store()
        self._oxigraph(scratch, f"{op.prologue}INSERT DATA {op.data}")
        return set(scratch)

    def _instantiate(self, op: Operation, template: str | None, variables, rows, default: str) -> set:
        if not template or not template.strip() or not rows:
            return set()
        values = " ".join(f"({' '.join(_term_text(t) for t in row)})" for row in rows)
        head = " ".join(f"?{v}" for v in variables)
        scratch = ox.Store()
        self._oxigraph(scratch, f"{op.prologue}INSERT {{ {template}\n}} WHERE {{ VALUES ({head}) {{ {values} }} }}")
        target = graph_term(default)
        quads = set()
        for q in scratch:
            g = target if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
            quads.add(ox.Quad(_unplaceholder(q.subject), q.predicate, _unplaceholder(q.object), g))
        return quads

    # --- the operations --------------------------------------------------------------------------

    def _insert_data(self, op: Operation) -> None:
        self.session.add(self._data(op))

    def _delete_data(self, op: Operation) -> None:
        self.session.remove(self._data(op))

    def _modify(self, op: Operation) -> None:
        if self.using or self.using_named:
            default, named = list(self.using), list(self.using_named)
        elif op.using or op.using_named:
            default = [self.iri(op, t) for t in op.using]
            named = [self.iri(op, t) for t in op.using_named]
        elif op.with_graph:
            default, named = [self.iri(op, op.with_graph)], self.session.all_graphs()
        else:
            default = named = None
        where = f"{op.prologue}SELECT * WHERE {op.where}"
        variables, rows = self.select(where, default, named)
        target = self.iri(op, op.with_graph) if op.with_graph else ""
        deleted = self._instantiate(op, op.delete, variables, rows, target)
        inserted = self._instantiate(op, op.insert, variables, rows, target)
        self.session.remove(deleted)
        self.session.add(inserted)

    def _targets(self, op: Operation) -> list[str]:
        target = op.target
        if target == "DEFAULT":
            return [""]
        if target == "NAMED":
            return self.session.named_graphs()
        if target == "ALL":
            return [""] + self.session.named_graphs()
        graph = self.iri(op, target)
        if not self.session.exists(graph):
            if op.silent:
                return []
            raise UpdateError(f"the graph <{graph}> does not exist")
        return [graph]

    def _clear(self, op: Operation) -> None:
        for graph in self._targets(op):
            self.session.clear(graph)

    def _drop(self, op: Operation) -> None:
        for graph in self._targets(op):
            self.session.drop(graph)

    def _create(self, op: Operation) -> None:
        graph = self.iri(op, op.target)
        if self.session.exists(graph):
            if op.silent:
                return
            raise UpdateError(f"the graph <{graph}> already exists")
        self.session.create(graph)

    def _copy_quads(self, source: str, destination: str) -> None:
        term = graph_term(destination)
        self.session.add(ox.Quad(q.subject, q.predicate, q.object, term)
                         for q in self.session.quads(source))

    def _add(self, op: Operation) -> None:
        source, destination = self._graph_arg(op, op.source), self._graph_arg(op, op.destination)
        if source != destination:
            self._copy_quads(source, destination)

    def _copy(self, op: Operation) -> None:
        source, destination = self._graph_arg(op, op.source), self._graph_arg(op, op.destination)
        if source != destination:
            if self.session.exists(destination):
                self.session.drop(destination)
            self._copy_quads(source, destination)

    def _move(self, op: Operation) -> None:
        source, destination = self._graph_arg(op, op.source), self._graph_arg(op, op.destination)
        if source == destination:
            return
        if not self.session.exists(source) and not op.silent:
            raise UpdateError(f"the graph <{source}> does not exist")
        if self.session.exists(destination):   # as Oxigraph: even when a SILENT source is missing
            self.session.drop(destination)
        if self.session.exists(source):
            self._copy_quads(source, destination)
            self.session.drop(source)


def local_select(store: ox.Store, base_iri: str | None = None) -> Select:
    """A ``Select`` that queries ``store`` in this process (tests, and the command line)."""
    def select(text, default, named):
        kwargs = {}
        if default is not None or named is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named or []]
        result = store.query(text, base_iri=base_iri, **kwargs)
        variables = [v.value for v in result.variables]
        return variables, [tuple(s[v] for v in variables) for s in result]
    return select


def parse_tsv_results(data: bytes) -> tuple[list[str], list[tuple]]:
    """(variables, rows) from SPARQL TSV results (what the query workers send)."""
    result = ox.parse_query_results(data, ox.QueryResultsFormat.TSV)
    variables = [v.value for v in result.variables]
    return variables, [tuple(s[v] for v in variables) for s in result]

