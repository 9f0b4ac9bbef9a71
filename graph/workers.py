"""Queries in worker processes, with a deadline that really stops the work.

Neither engine can be stopped from a thread (and pyoxigraph ignores signals while it works), and a
pathological query can crash the engine's process. So each worker is a process holding its own
Oxigraph store; the pool sends a query to an idle worker and waits until the deadline. Past it, the
worker is killed and replaced; if the worker dies, it is replaced and the query reported as having
crashed it. Other workers keep serving meanwhile.

Results come back serialised in the requested format. The row cap is exact: a result no longer
in bytes than the cap in rows cannot exceed it (every row takes a byte at least); a longer one is
parsed back and counted.

The worker imports only pyoxigraph (not rdflib), so a replacement starts in a fraction of a second.
"""

from __future__ import annotations

import gzip
import multiprocessing
import pickle
import queue
import select
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

LABEL_FUNCTION = "https://kg.xiancheng.example/def/function/label"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
FALLBACK_LANGUAGES = ("zh", "en")


class QueryTimeout(Exception):
    """The query ran past its deadline and was stopped."""


class WorkerCrashed(Exception):
    """The engine's process died while running the query."""


class TooManyRows(Exception):
    """The result has more rows than allowed."""


class Busy(Exception):
    """No worker became free before the deadline."""


class EngineQueryError(ValueError):
    """The engine rejected the query (syntax or evaluation error)."""


@dataclass
class Job:
    query: str
    form: str                            # select, ask, construct or describe
    result_format: str = "JSON"          # a pyoxigraph QueryResultsFormat name
    graph_format: str = "TURTLE"         # a pyoxigraph RdfFormat name
    inference: bool = True
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    bindings: dict[str, tuple] = field(default_factory=dict)  # see term_tuple()
    language: str | None = None
    max_rows: int = 100_000
    dataset_clause: bool = False         # the query has FROM / FROM NAMED
    base_iri: str | None = None          # resolves relative IRIs (the endpoint's URL)
    snapshot: str | None = None          # an on-disk store to read instead (a checkpoint of the
                                         # writable store, graph.livestore); the worker switches to it


@dataclass
class Answer:
    kind: str
    data: bytes
    rows: int | None = None
    seconds: float = 0.0


def term_tuple(term) -> tuple:
    """An rdflib term as a picklable tuple the worker turns into a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, BNode):
        return ("bnode", str(term))
    if isinstance(term, Literal):
        return ("literal", str(term), term.language, str(term.datatype) if term.datatype else None)
    raise TypeError(f"cannot bind {term!r}")


# --- inside the worker ---------------------------------------------------------------------------

def _ox_term(t):
    import pyoxigraph as ox

    if t[0] == "iri":
        return ox.NamedNode(t[1])
    if t[0] == "bnode":
        return ox.BlankNode(t[1])
    if t[2]:
        return ox.Literal(t[1], language=t[2])
    return ox.Literal(t[1], datatype=ox.NamedNode(t[3])) if t[3] else ox.Literal(t[1])


def _solution_rows(data: bytes, fmt, max_rows: int) -> int | None:
    """Raise TooManyRows if the serialised solutions hold more than ``max_rows`` rows. Every row
    takes at least one byte in every format, so a short result needs no counting (None); a long
    one is parsed back and counted."""
    import pyoxigraph as ox

    if len(data) <= max_rows:
        return None
    rows = sum(1 for _ in ox.parse_query_results(data, fmt))
    if rows > max_rows:
        raise TooManyRows(rows)
    return rows


def _triple_count(data: bytes, fmt, max_rows: int) -> int | None:
    """The same for a graph result (every triple takes at least one byte in every format)."""
    import pyoxigraph as ox

    if len(data) <= max_rows:
        return None
    triples = sum(1 for _ in ox.parse(data, format=fmt))
    if triples > max_rows:
        raise TooManyRows(triples)
    return triples


def choose_label(labels: dict, language: str | None):
    """xcf:label's choice among a resource's labels by language tag: the one asked for, else zh,
    else en (FALLBACK_LANGUAGES), else any; None if there are none."""
    for lang in [language, *FALLBACK_LANGUAGES]:
        if lang and lang in labels:
            return labels[lang]
    return next(iter(labels.values()), None)


class _Engine:
    """What a worker process holds: the store, its graphs, and a label index."""

    def __init__(self, source: dict):
        import pyoxigraph as ox

        self.ox = ox
        self.source = source
        if source.get("store_path"):
            self.store = ox.Store.read_only(source["store_path"])
        else:
            self.store = ox.Store()
            data = Path(source["nquads"]).read_bytes()
            if source["nquads"].endswith(".gz"):
                data = gzip.decompress(data)
            self.store.bulk_load(data, ox.RdfFormat.N_QUADS)
        inferred = source.get("inferred_graph")
        self.asserted = [g for g in self.store.named_graphs()
                         if not (isinstance(g, ox.NamedNode) and g.value == inferred)]
        self.labels: dict[str, dict[str, object]] = {}
        for predicate in (SKOS_PREF_LABEL, RDFS_LABEL):  # rdfs:label wins where both exist
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
                if isinstance(quad.object, ox.Literal) and quad.object.language:
                    self.labels.setdefault(quad.subject.value, {})[quad.object.language] = quad.object

    def use(self, snapshot: str) -> None:
        """Read ``snapshot`` from now on (a newer checkpoint: it holds the latest writes)."""
        if snapshot != self.source.get("store_path"):
            self.store = None  # close the old checkpoint before opening the new one
            self.__init__({**self.source, "store_path": snapshot})

    def label_function(self, default_language):
        def label(term, language=None):
            entry = self.labels.get(getattr(term, "value", None))
            return choose_label(entry or {}, language.value if language is not None else default_language)
        return label

    def run(self, job: Job) -> Answer:
        ox = self.ox
        start = time.perf_counter()
        if job.snapshot:
            self.use(job.snapshot)
        kwargs = {"custom_functions": {ox.NamedNode(LABEL_FUNCTION): self.label_function(job.language)}}
        if job.base_iri:
            kwargs["base_iri"] = job.base_iri
        if job.default_graph is not None or job.named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or []]
        elif not job.dataset_clause:
            if job.inference:
                kwargs["use_default_graph_as_union"] = True
            else:
                kwargs["default_graph"] = self.asserted
        if job.bindings:
            kwargs["substitutions"] = {ox.Variable(k): _ox_term(v) for k, v in job.bindings.items()}
        try:
            result = self.store.query(job.query, **kwargs)
            if isinstance(result, ox.QueryBoolean):
                data = result.serialize(format=getattr(ox.QueryResultsFormat, job.result_format))
                return Answer("ask", data, None, time.perf_counter() - start)
            if isinstance(result, ox.QuerySolutions):
                fmt = getattr(ox.QueryResultsFormat, job.result_format)
                data = result.serialize(format=fmt)
                rows = _solution_rows(data, fmt, job.max_rows)
                return Answer("select", data, rows, time.perf_counter() - start)
            fmt = getattr(ox.RdfFormat, job.graph_format)
            data = result.serialize(format=fmt)
            rows = _triple_count(data, fmt, job.max_rows)
            return Answer("graph", data, rows, time.perf_counter() - start)
        except (SyntaxError, RuntimeError, ValueError) as e:
            raise EngineQueryError(str(e)) from None


def _send(conn, message) -> None:
    """Pickle plainly: Connection.send's ForkingPickler copies the reducer table on every call
    (about 0.03 ms each way), and jobs and answers need none of its reducers."""
    conn.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))


def _recv(conn):
    return pickle.loads(conn.recv_bytes())


def _worker_main(conn, source: dict) -> None:
    engine = _Engine(source)
    _send(conn, ("ready", None))
    while True:
        try:
            job = _recv(conn)
        except (EOFError, KeyboardInterrupt):
            return
        try:
            _send(conn, ("ok", engine.run(job)))
        except TooManyRows as e:
            _send(conn, ("too-many-rows", e.args[0]))
        except EngineQueryError as e:
            _send(conn, ("query-error", str(e)))
        except Exception as e:  # anything else the engine raises: report it, keep serving
            _send(conn, ("engine-error", f"{type(e).__name__}: {e}"))


# --- in the server -------------------------------------------------------------------------------

class _Worker:
    def __init__(self, ctx, source: dict, startup_timeout: float):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, source), daemon=True,
                                   name="xiancheng-query-worker")
        self.process.start()
        child.close()
        self.poller = select.poll()  # waiting on one poll object is cheaper than conn.poll()
        self.poller.register(self.conn.fileno(), select.POLLIN)
        if not self.conn.poll(startup_timeout):
            self.kill()
            raise RuntimeError("a query worker did not start in time")
        try:
            status, _ = _recv(self.conn)
        except EOFError:
            self.kill()
            raise RuntimeError(f"a query worker exited while starting (exit code "
                               f"{self.process.exitcode}); see its error output") from None
        assert status == "ready"

    def ready(self, seconds: float) -> bool:
        """Whether an answer (or the end of the pipe) arrived within ``seconds``."""
        while True:
            try:
                return bool(self.poller.poll(max(0, int(seconds * 1000) + 1)))
            except InterruptedError:  # pragma: no cover - retried by Python since 3.5
                continue

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """``size`` worker processes serving queries on the same data, each with a deadline."""

    def __init__(self, source: dict, size: int = 2, deadline: float = 10.0,
                 start_method: str = "spawn", startup_timeout: float = 60.0):
        self.source = source
        self.size = size
        self.deadline = deadline
        self.startup_timeout = startup_timeout
        self._ctx = multiprocessing.get_context(start_method)
        # the most recently used worker first: its process and data are still warm in the CPU
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._closed = False
        self.stats = {"queries": 0, "timeouts": 0, "crashes": 0, "replaced": 0}
        for _ in range(size):
            self._idle.put(self._start())

    @classmethod
    def for_release(cls, release, **kwargs) -> "WorkerPool":
        inferred = release.graphs.get("inferred", {}).get("iri")
        return cls({"nquads": str(release.file("nquads")), "inferred_graph": inferred}, **kwargs)

    def _start(self) -> _Worker:
        return _Worker(self._ctx, self.source, self.startup_timeout)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self.stats["replaced"] += 1
        if not self._closed:
            self._idle.put(self._start())

    def run(self, job: Job, deadline: float | None = None) -> Answer:
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        deadline = self.deadline if deadline is None else deadline
        end = time.monotonic() + deadline
        try:
            worker = self._idle.get(timeout=deadline)
        except queue.Empty:
            raise Busy(f"no query worker became free within {deadline:g} s") from None
        self.stats["queries"] += 1
        try:
            _send(worker.conn, job)
            if not worker.ready(end - time.monotonic()):
                self.stats["timeouts"] += 1
                self._replace(worker)
                raise QueryTimeout(f"the query ran for more than {deadline:g} s and was stopped")
            status, payload = _recv(worker.conn)
        except (EOFError, OSError, BrokenPipeError):
            self.stats["crashes"] += 1
            self._replace(worker)
            raise WorkerCrashed("the query engine failed while running this query; "
                                "the query was stopped and the engine restarted") from None
        self._idle.put(worker)
        if status == "ok":
            return payload
        if status == "too-many-rows":
            raise TooManyRows(payload)
        if status == "engine-error":
            raise WorkerCrashed(f"the query engine failed while running this query ({payload})")
        raise EngineQueryError(payload)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
