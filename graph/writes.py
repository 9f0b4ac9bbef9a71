"""The writer: one write at a time, checked, reasoned over, logged and made durable.

For every write (a SPARQL update or a Graph Store request):

1. the request is screened and parsed (graph.updates, graph.safeparse) before the writer's lock
   is taken;
2. its operations are applied to the working store, recording the net change (graph.updates);
3. graphs the caller may not change are refused: the inferred graph and the change log are the
   server's, and the ontology graph needs an admin;
4. the nodes the change can affect are validated against the shapes (graph.gate); a violation
   undoes everything and the caller gets the report;
5. the inferred graph is brought up to date (graph.incremental) and the change is logged as a
   PROV-O activity (graph.changelog);
6. the whole is committed: journal record, checkpoint, new version (graph.livestore).

Any failure before the commit undoes the change in the working store, so nothing is half done.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import changelog
from .gate import AssertedView, ShapeGate
from .incremental import Inferences
from .livestore import Change, LiveStore, graph_term
from .safeparse import ParseFailed, Sandbox
from .session import Session
from .updates import (Evaluator, UpdateError, local_select, parse_tsv_results,
                      screen_update, split_update)
from .validate import ValidationResult

ROLES = ("read", "write", "admin")


@dataclass(frozen=True)
class Agent:
    """Who writes: a token's name and role."""
    name: str
    role: str


class WriteError(Exception):
    """A write that was not made; ``status`` is the HTTP status for the client."""
    status = 400
    title = "Write refused"

    def __init__(self, detail: str, title: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if title:
            self.title = title


class WriteInvalid(WriteError):
    status, title = 400, "Invalid update"


class WriteForbidden(WriteError):
    status, title = 403, "Forbidden"


class GraphNotFound(WriteError):
    status, title = 404, "No such graph"


class WriteRejected(WriteError):
    """The change violates the shapes; ``result`` holds the validation report."""
    status, title = 422, "Violates the shapes"

    def __init__(self, result: ValidationResult):
        super().__init__(result.text(20))
        self.result = result


class WriteTooLarge(WriteError):
    status, title = 422, "Update too large"


class WriteNotSaved(WriteError):
    status, title = 503, "Not saved"


class WriteBusy(WriteError):
    status, title = 503, "Busy"


class WriteTimeout(WriteError):
    status, title = 504, "Update timeout"


@dataclass
class WriteResult:
    version: int
    data_version: str
    added: int = 0
    removed: int = 0
    graphs: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    change: str | None = None      # the IRI of the change-log activity

    def to_json(self) -> dict:
        return {"version": self.data_version, "added": self.added, "removed": self.removed,
                "graphs": self.graphs, "created": self.created, "change": self.change}


class Writer:
    def __init__(self, live: LiveStore, base_iri: str, backend=None, sandbox: Sandbox | None = None,
                 gate: ShapeGate | None = None, wait: float = 30.0, max_rows: int = 100_000,
                 max_length: int = 100_000, max_depth: int = 64):
        self.live = live
        self.base = base_iri if base_iri.endswith("/") else base_iri + "/"
        self.backend = backend              # a LiveBackend: WHERE clauses run in query workers
        self.sandbox = sandbox or Sandbox()
        self.gate = gate or ShapeGate()
        self.wait = wait
        self.max_rows, self.max_length, self.max_depth = max_rows, max_length, max_depth
        graphs = live.meta.get("graphs", {})
        self.inferred = live.meta.get("inferred_graph") or f"{self.base}graph/inferred"
        self.ontology = graphs.get("ontology", f"{self.base}graph/ontology")
        self.changes = changelog.changes_graph(self.base)
        self.hidden = {self.inferred, self.changes}
        self.inferences = Inferences(self.inferred, self.ontology, {self.changes})
        self._lock = threading.Lock()

    # --- the kinds of write ------------------------------------------------------------------

    def update(self, text: str, agent: Agent, base_iri: str | None = None,
               using: list[str] | None = None, using_named: list[str] | None = None) -> WriteResult:
        """Carry out a SPARQL 1.1 update."""
        try:
            screen_update(text, self.max_length, self.max_depth)
            self.sandbox.check_update(text, base_iri)
            ops = split_update(text)
        except (UpdateError, ParseFailed) as e:
            raise WriteInvalid(_short(str(e))) from None

        def body(session: Session) -> None:
            Evaluator(session, self._select(session, base_iri), base_iri, using, using_named).run(ops)
        return self._transaction(agent, text, body)

    def put_graph(self, graph: str, nquads: bytes, agent: Agent) -> WriteResult:
        """Replace a graph ('' is the default graph) with the parsed document."""
        quads = _into(nquads, graph)

        def body(session: Session) -> None:
            if session.exists(graph):
                session.clear(graph)
            elif graph:
                session.create(graph)
            session.add(quads)
        return self._transaction(agent, f"PUT {_name(graph)} ({len(quads)} triples)", body)

    def post_graph(self, graph: str, nquads: bytes, agent: Agent) -> WriteResult:
        """Add the parsed document to a graph (created if need be)."""
        quads = _into(nquads, graph)

        def body(session: Session) -> None:
            if graph and not session.exists(graph):
                session.create(graph)
            session.add(quads)
        return self._transaction(agent, f"POST {_name(graph)} ({len(quads)} triples)", body)

    def delete_graph(self, graph: str, agent: Agent) -> WriteResult:
        def body(session: Session) -> None:
            if not session.exists(graph):
                raise GraphNotFound(f"there is no graph <{graph}>")
            session.drop(graph)
        return self._transaction(agent, f"DELETE {_name(graph)}", body)

    # --- the transaction ------------------------------------------------------------------------

    def _select(self, session: Session, base_iri: str | None):
        """Run WHERE clauses in a query worker on a snapshot of the store as it is at that point
        of the request (its deadline and row cap apply); in this process without a backend."""
        if self.backend is None:
            return local_select(self.live.primary, base_iri)
        from .workers import EngineQueryError, Job, QueryTimeout, TooManyRows

        scratch = session.snapshots    # released when the request ends

        def select(text, default, named):
            if session.dirty:
                scratch.append(self.live.scratch_snapshot())
                session.dirty = False
            prologue = f"BASE <{base_iri}>\n" if base_iri else ""
            job = Job(prologue + text, "select", result_format="TSV", default_graph=default,
                      named_graphs=named, dataset_clause=default is None and named is None,
                      max_rows=self.max_rows)
            try:
                if scratch:
                    answer = self.backend.run_on(scratch[-1], job)
                else:
                    answer = self.backend.run(job)
            except EngineQueryError as e:
                raise WriteInvalid(_short(str(e))) from None
            except QueryTimeout as e:
                raise WriteTimeout(f"the WHERE clause {e}; narrow it") from None
            except TooManyRows as e:
                raise WriteTooLarge(f"the WHERE clause has {e.args[0]} solutions; the limit is "
                                    f"{self.max_rows} (setting max_rows): split the update") from None
            return parse_tsv_results(answer.data)
        return select

    def _authorise(self, change: Change, agent: Agent) -> None:
        for graph in sorted(change.graphs()):
            if graph in self.hidden:
                raise WriteForbidden(f"the graph <{graph}> is maintained by the server (inferences, "
                                     "change log) and cannot be written; leave it out of the update")
            if graph == self.ontology and agent.role != "admin":
                raise WriteForbidden(f"changing the ontology graph <{graph}> needs an admin token")

    def _transaction(self, agent: Agent, request: str, body) -> WriteResult:
        if agent.role not in ("write", "admin"):
            raise WriteForbidden(f"the token '{agent.name}' may only read; writing needs a write token")
        if not self._lock.acquire(timeout=self.wait):
            raise WriteBusy(f"another write held the store for {self.wait:g} s; try again")
        session = None
        try:
            if self.live.broken:
                self.live.recover()
            self.live.refresh()
            session = Session(self.live.primary, self.hidden)
            return self._write(session, agent, request, body)
        finally:
            for path in session.snapshots if session else ():
                self.live.release(path)
            self._lock.release()
            self.live.collect()

    def _write(self, session: Session, agent: Agent, request: str, body) -> WriteResult:
        started = _now()
        try:
            try:
                body(session)
            except UpdateError as e:
                raise WriteInvalid(_short(str(e))) from None
            asserted = session.change()
            self._authorise(asserted, agent)
            if not asserted:
                return WriteResult(self.live.version, self.live.data_version)
            view = AssertedView(self.live.primary, self.hidden)
            result = self.gate.check(asserted, view, full=self.ontology in asserted.graphs())
            if not result.conforms:
                raise WriteRejected(result)
            session.apply(self.inferences.update(asserted, self.live.primary))
            version = self.live.version + 1
            data_version = f"{self.live.meta['seed']}+{version}"
            session.add(changelog.record(self.base, version, agent.name, request, asserted,
                                         started, _now(), data_version))
            total = session.change()
        except BaseException:
            session.rollback()
            raise
        try:   # from here on the write is never undone: recover() finishes it if need be
            self.live.commit(total, {"agent": agent.name, "time": started.isoformat()})
        except OSError as e:
            raise WriteNotSaved(f"the write could not be saved ({e.strerror}); it may or may not "
                                "be in the store: check X-Data-Version") from None
        return WriteResult(version, data_version, len(asserted.added), len(asserted.removed),
                           sorted(_name(g) for g in asserted.graphs()), sorted(asserted.created),
                           f"{self.base}id/change/{version}")

    def close(self) -> None:
        self.sandbox.close()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _name(graph: str) -> str:
    return f"<{graph}>" if graph else "the default graph"


def _short(message: str, limit: int = 400) -> str:
    """Oxigraph's syntax errors list every character class it expected; keep the start."""
    message = " ".join(message.split())
    return message if len(message) <= limit else message[:limit] + " …"


def _into(nquads: bytes, graph: str) -> list:
    target = graph_term(graph)
    return [ox.Quad(q.subject, q.predicate, q.object, target)
            for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)] if nquads else []

