"""Stores: one small interface (load, query, update, dump, count) and its implementations.

* ``OxigraphStore`` (pyoxigraph), in memory or on disk: the default for queries.
* ``RdflibStore`` (rdflib's memory store): pure Python; a second engine in tests.

Nothing else in the project imports an engine to query it.  Queries see, as their default graph,
the union of every graph (asserted and inferred); ``inference=False`` leaves the inferred graph out.
Parameters are passed as ``bindings`` and pre-bound by the engine (never spliced into the text).
"""

from __future__ import annotations

import gzip
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import XSD

from .formats import RDF_FORMATS, RESULT_FORMATS, Format
from .release import Release
from .screen import dataset_clause

# rdflib would otherwise fetch the documents a query names in FROM / FROM NAMED (including file:).
import rdflib.plugins.sparql as _rdflib_sparql  # noqa: E402

_rdflib_sparql.SPARQL_LOAD_GRAPHS = False


class QueryError(ValueError):
    """The query is malformed or cannot be evaluated; the message says why."""


@dataclass
class QueryResult:
    kind: str                      # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)     # rdflib terms (None when unbound)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)

    def bindings(self) -> list[dict]:
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def serialize(self, fmt: Format) -> bytes:
        """Serialise with rdflib (the Oxigraph store serialises natively instead)."""
        if self.kind == "graph":
            g = Graph()
            for t in self.triples:
                g.add(t)
            return g.serialize(format=fmt.rdflib, encoding="utf-8")
        from rdflib.query import Result

        result = Result("ASK" if self.kind == "ask" else "SELECT")
        if self.kind == "ask":
            result.askAnswer = bool(self.boolean)
        else:
            result.vars = [Variable(v) for v in self.variables]
            result.bindings = [{Variable(k): t for k, t in b.items()} for b in self.bindings()]
        as_json = result.serialize(format="json", encoding="utf-8")
        if fmt.name == "json":
            return as_json
        # rdflib lacks a TSV writer; pyoxigraph reads the JSON and writes every format the same way
        # as the Oxigraph store does.
        parsed = ox.parse_query_results(as_json, ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=getattr(ox.QueryResultsFormat, fmt.oxigraph))


class Store(ABC):
    name = "store"
    inferred_graph: str | None = None

    @abstractmethod
    def load(self, data: bytes, fmt: Format, graph: str | None = None) -> None: ...

    @abstractmethod
    def query(self, sparql: str, *, inference: bool = True, bindings: dict | None = None,
              default_graph: list[str] | None = None, named_graphs: list[str] | None = None
              ) -> QueryResult: ...

    @abstractmethod
    def update(self, sparql: str) -> None: ...

    @abstractmethod
    def dump(self, fmt: Format) -> bytes: ...

    @abstractmethod
    def count(self, graph: str | None = None) -> int: ...

    @abstractmethod
    def graphs(self) -> list[str]: ...

    def load_release(self, release: Release) -> None:
        with gzip.open(release.file("nquads")) as f:
            self.load(f.read(), RDF_FORMATS["nquads"])
        self.inferred_graph = release.graphs.get("inferred", {}).get("iri")

    def asserted_graphs(self) -> list[str]:
        return [g for g in self.graphs() if g != self.inferred_graph]


# --- Oxigraph ------------------------------------------------------------------------------------

def to_rdflib(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


class OxigraphStore(Store):
    name = "oxigraph"

    def __init__(self, path: Path | str | None = None, read_only: bool = False):
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            self._store = ox.Store(str(path))
        self.path = path

    @property
    def engine(self) -> ox.Store:
        return self._store

    def load(self, data: bytes, fmt: Format, graph: str | None = None) -> None:
        kwargs = {"to_graph": ox.NamedNode(graph)} if graph else {}
        self._store.bulk_load(data, getattr(ox.RdfFormat, fmt.oxigraph), **kwargs)

    def _execute(self, sparql, inference, bindings, default_graph, named_graphs):
        kwargs = {}
        if default_graph is None and named_graphs is None and any(dataset_clause(sparql)):
            pass  # the query's FROM / FROM NAMED define its dataset (the union flag would override them)
        elif default_graph:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        elif inference:
            kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in self.asserted_graphs()]
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except (SyntaxError, RuntimeError) as e:  # parse errors; evaluation errors
            raise QueryError(str(e)) from None

    def query(self, sparql, *, inference=True, bindings=None, default_graph=None,
              named_graphs=None) -> QueryResult:
        result = self._execute(sparql, inference, bindings, default_graph, named_graphs)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [tuple(to_rdflib(s[v]) for v in variables) for s in result]
            return QueryResult("select", variables, rows)
        return QueryResult("graph", triples=[(to_rdflib(t.subject), to_rdflib(t.predicate),
                                              to_rdflib(t.object)) for t in result])

    def query_serialized(self, sparql, result_fmt: Format, graph_fmt: Format, *, inference=True,
                         bindings=None, default_graph=None, named_graphs=None) -> tuple[str, bytes]:
        """Run a query and serialise its result in the engine; returns (kind, bytes)."""
        result = self._execute(sparql, inference, bindings, default_graph, named_graphs)
        if isinstance(result, ox.QueryBoolean):
            return "ask", result.serialize(format=getattr(ox.QueryResultsFormat, result_fmt.oxigraph))
        if isinstance(result, ox.QuerySolutions):
            return "select", result.serialize(format=getattr(ox.QueryResultsFormat, result_fmt.oxigraph))
        return "graph", result.serialize(format=getattr(ox.RdfFormat, graph_fmt.oxigraph))

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as e:
            raise QueryError(str(e)) from None

    def dump(self, fmt: Format) -> bytes:
        if fmt.dataset:
            return self._store.dump(format=getattr(ox.RdfFormat, fmt.oxigraph))
        return self._store.dump(format=getattr(ox.RdfFormat, fmt.oxigraph), from_graph=ox.DefaultGraph())

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())


# --- rdflib --------------------------------------------------------------------------------------

class RdflibStore(Store):
    name = "rdflib"

    def __init__(self):
        self._dataset = Dataset(default_union=True)

    @property
    def engine(self) -> Dataset:
        return self._dataset

    def load(self, data: bytes, fmt: Format, graph: str | None = None) -> None:
        if fmt.dataset:
            self._dataset.parse(data=data, format=fmt.rdflib)
        else:
            target = self._dataset.graph(URIRef(graph)) if graph else self._dataset.default_graph
            target.parse(data=data, format=fmt.rdflib)

    def _target(self, inference, default_graph):
        if default_graph:
            return ReadOnlyGraphAggregate([self._dataset.graph(URIRef(g)) for g in default_graph])
        if inference:
            return self._dataset
        return ReadOnlyGraphAggregate([self._dataset.graph(URIRef(g)) for g in self.asserted_graphs()])

    def query(self, sparql, *, inference=True, bindings=None, default_graph=None,
              named_graphs=None) -> QueryResult:
        if named_graphs:
            raise QueryError("the rdflib store does not restrict named graphs")
        target = self._target(inference, default_graph)
        try:
            result = target.query(sparql, initBindings={Variable(k): v for k, v in (bindings or {}).items()})
        except Exception as e:  # rdflib raises pyparsing and other errors for bad queries
            raise QueryError(str(e)) from None
        if result.type == "ASK":
            return QueryResult("ask", boolean=bool(result.askAnswer))
        if result.type == "SELECT":
            variables = [str(v) for v in result.vars]
            rows = [tuple(row[i] for i in range(len(variables))) for row in result]
            return QueryResult("select", variables, rows)
        return QueryResult("graph", triples=list(result.graph))

    def update(self, sparql: str) -> None:
        try:
            self._dataset.update(sparql)
        except Exception as e:
            raise QueryError(str(e)) from None

    def dump(self, fmt: Format) -> bytes:
        if fmt.dataset:
            return self._dataset.serialize(format=fmt.rdflib, encoding="utf-8")
        g = Graph()
        for triple in self._dataset.triples((None, None, None)):
            g.add(triple)
        return g.serialize(format=fmt.rdflib, encoding="utf-8")

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return sum(len(self._dataset.graph(URIRef(g))) for g in self.graphs())
        return len(self._dataset.graph(URIRef(graph)))

    def graphs(self) -> list[str]:
        return sorted(str(g.identifier) for g in self._dataset.graphs()
                      if isinstance(g.identifier, URIRef) and len(g)
                      and str(g.identifier) != "urn:x-rdflib:default")


STORES = {"oxigraph": OxigraphStore, "rdflib": RdflibStore}


def open_store(kind: str = "oxigraph", **kwargs) -> Store:
    try:
        return STORES[kind](**kwargs)
    except KeyError:
        raise ValueError(f"unknown store '{kind}' (use one of: {', '.join(STORES)})") from None
