"""A remote SPARQL 1.1 store: any engine (Oxigraph server, Fuseki, Virtuoso, GraphDB, QLever) that
speaks the SPARQL 1.1 Protocol holds the data, and the service runs its queries there.

* ``Endpoint``: the HTTP client (httpx, one pool of keep-alive connections per process, explicit
  connect / read / pool timeouts): queries, updates and the Graph Store Protocol.
* ``RemoteStore``: the ``Store`` interface of graph/store.py over an endpoint.
* ``RemoteBackend``: the service's query backend (``run(job) -> Answer``, like the worker pool),
  enforcing the deadline and the row cap itself.

The dataset is always stated in the request (``default-graph-uri`` / ``named-graph-uri`` listing the
release's graphs, with or without the inferred one), so nothing depends on how the engine defines its
default graph. Failures of the store are told apart: unreachable (``StoreUnavailable``, 503), a
broken answer (``StoreFailed``, 502), too slow (``QueryTimeout``, 504).
"""

from __future__ import annotations

import re
import time
import httpx
import pyoxigraph as ox

from .screen import RefusedQuery, binding_groups, decode_codepoints, screen, tokens, where_group
from .store import QueryError, QueryResult, Store, to_rdflib
from .workers import (LABEL_FUNCTION, RDFS_LABEL, SKOS_PREF_LABEL, Answer, Busy, EngineQueryError, Job,
                      QueryTimeout, TooManyRows, choose_label, term_tuple)

RESULT_TYPES = {"JSON": "application/sparql-results+json", "XML": "application/sparql-results+xml",
                "CSV": "text/csv", "TSV": "text/tab-separated-values"}
# what engines actually send back for each (older ones answer JSON results as application/json)
ACCEPTED_REPLIES = {"application/sparql-results+json": {"application/json"},
                    "application/sparql-results+xml": {"application/xml", "text/xml"},
                    "application/n-triples": {"text/plain"}}
N_TRIPLES = "application/n-triples"
MAX_ANSWER_BYTES = 1 << 30


class RemoteStoreError(Exception):
    """The remote store failed; ``status`` and ``title`` say how to report it over HTTP."""
    status, title = 502, "Bad gateway"
    headers: dict = {}


class StoreUnavailable(RemoteStoreError):
    status, title = 503, "Store unavailable"
    headers = {"Retry-After": "5"}


class StoreFailed(RemoteStoreError):
    status, title = 502, "Store failed"


def _first_line(response: httpx.Response) -> str:
    text = response.text.strip().splitlines()
    return (text[0][:300] if text else response.reason_phrase) or str(response.status_code)


class Endpoint:
    """An HTTP client of one SPARQL 1.1 server. Thread-safe; make one per process."""

    def __init__(self, query_url: str, update_url: str | None = None,
                 graph_store_url: str | None = None, user: str | None = None,
                 password: str | None = None, connections: int = 16, connect_timeout: float = 3.0,
                 timeout: float = 60.0):
        self.query_url = query_url
        self.update_url = update_url or None
        self.graph_store_url = graph_store_url or None
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        auth = httpx.BasicAuth(user, password or "") if user else None
        # trust_env=False: the store is a configured backend, never reached through a proxy that
        # the environment happens to name
        self.http = httpx.Client(
            auth=auth, trust_env=False, follow_redirects=False,
            transport=httpx.HTTPTransport(retries=1),   # one retry of a failed connect
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers={"User-Agent": "xiancheng-kg"})

    def describe(self) -> str:
        return self.query_url

    def close(self) -> None:
        self.http.close()

    def _timeouts(self, remaining: float) -> httpx.Timeout:
        return httpx.Timeout(remaining, connect=min(self.connect_timeout, remaining))

    def query(self, text: str, accept: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, deadline: float | None = None,
              max_lines: int | None = None) -> bytes:
        """POST a query (form-encoded, as every engine accepts) and read the answer until the
        deadline (seconds); ``max_lines`` stops reading a line-per-row answer early."""
        form = {"query": text}
        if default_graphs:
            form["default-graph-uri"] = list(default_graphs)
        if named_graphs:
            form["named-graph-uri"] = list(named_graphs)
        deadline = self.timeout if deadline is None else deadline
        end = time.monotonic() + deadline
        for attempt in (1, 2):
            try:
                return self._read(form, accept, end, deadline, max_lines)
            except httpx.RemoteProtocolError:
                # a kept-alive connection the server closed meanwhile (it restarted): queries are
                # safe to repeat, once
                if attempt == 2 or time.monotonic() >= end:
                    raise StoreFailed(f"the SPARQL store at {self.query_url} closed the connection "
                                      "without answering") from None
        raise AssertionError("unreachable")

    def _read(self, form, accept, end, deadline, max_lines) -> bytes:
        remaining = end - time.monotonic()
        try:
            with self.http.stream("POST", self.query_url, data=form, headers={"Accept": accept},
                                  timeout=self._timeouts(max(remaining, 0.001))) as response:
                if response.status_code != 200:
                    response.read()
                    raise self._error(response, deadline)
                self._check_type(response, accept)
                chunks, size, lines = [], 0, 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if max_lines is not None:
                        lines += chunk.count(b"\n")
                        if lines > max_lines:
                            raise TooManyRows(f"more than {max_lines}")
                    if size > MAX_ANSWER_BYTES:
                        raise TooManyRows(f"more than {MAX_ANSWER_BYTES >> 20} MiB of")
                    if time.monotonic() > end:
                        raise QueryTimeout(f"the store did not answer within {deadline:g} s; the "
                                           "query was abandoned")
                return b"".join(chunks)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise StoreUnavailable(f"the SPARQL store at {self.query_url} is not reachable; "
                                   "try again shortly") from None
        except httpx.PoolTimeout:
            raise Busy(f"no connection to the store became free within {deadline:g} s") from None
        except (httpx.ReadTimeout, httpx.WriteTimeout):
            raise QueryTimeout(f"the store did not answer within {deadline:g} s; the query was "
                               "abandoned") from None
        except (httpx.ReadError, httpx.WriteError) as e:
            raise StoreFailed(f"the connection to the SPARQL store at {self.query_url} broke: {e}") from None

    def _error(self, response: httpx.Response, deadline: float) -> Exception:
        status, detail = response.status_code, _first_line(response)
        if status == 400:
            return EngineQueryError(f"the store refused the query: {detail}")
        if status in (502, 503):
            return StoreUnavailable(f"the SPARQL store at {self.query_url} is unavailable "
                                    f"({status}): {detail}")
        if status == 504:
            return QueryTimeout(f"the store stopped the query ({detail})")
        if status in (401, 403):
            return StoreFailed(f"the SPARQL store at {self.query_url} refused the service's "
                               f"credentials ({status}); check the remote_user and remote_password settings")
        return StoreFailed(f"the SPARQL store at {self.query_url} answered {status}: {detail}")

    def _check_type(self, response: httpx.Response, accept: str) -> None:
        got = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if got != accept and got not in ACCEPTED_REPLIES.get(accept, ()):
            raise StoreFailed(f"the SPARQL store answered {got or 'no content type'}, not {accept}")

    # --- writes (xiancheng load) -------------------------------------------------------------

    def update(self, text: str) -> None:
        if not self.update_url:
            raise ValueError("no update URL configured (setting remote_update_url)")
        self._write("POST", self.update_url, content=text.encode("utf-8"),
                    headers={"Content-Type": "application/sparql-update"})

    def put_graph(self, graph: str, data: bytes, replace: bool) -> None:
        """Graph Store Protocol: PUT (replace) or POST (add) N-Triples into ``graph``."""
        if not self.graph_store_url:
            raise ValueError("no Graph Store Protocol URL configured (setting remote_graph_store_url)")
        self._write("PUT" if replace else "POST", self.graph_store_url, params={"graph": graph},
                    content=data, headers={"Content-Type": N_TRIPLES})

    def _write(self, method, url, **kwargs) -> None:
        try:
            response = self.http.request(method, url, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise StoreUnavailable(f"the SPARQL store at {url} is not reachable") from None
        except httpx.HTTPError as e:
            raise StoreFailed(f"writing to {url} failed: {e}") from None
        if response.status_code >= 300:
            raise StoreFailed(f"{method} {url} answered {response.status_code}: {_first_line(response)}")


# --- query text ---------------------------------------------------------------------------------

_VAR = re.compile(r"[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+")


def _term(value: tuple) -> str:
    """A bound value (graph.workers.term_tuple) as an N-Triples term, written by pyoxigraph."""
    kind = value[0]
    if kind == "iri":
        return str(ox.NamedNode(value[1]))          # validates the IRI: no '>', space or brace
    if kind == "literal":
        _, lexical, language, datatype = value
        if language:
            return str(ox.Literal(lexical, language=language))
        if datatype:
            return str(ox.Literal(lexical, datatype=ox.NamedNode(datatype)))
        return str(ox.Literal(lexical))             # escapes quotes, backslashes and line breaks
    raise EngineQueryError("a blank node cannot be a parameter of a query sent to a remote store")


def with_values(text: str, bindings: dict[str, tuple]) -> str:
    """The query with ``bindings`` as a VALUES block at the start of its outermost WHERE group and
    of each subquery's.

    The SPARQL 1.1 Protocol has no way to pass bindings, so they must travel in the query text.
    This is safe because none of it is user text: the values are RDF terms that the named query's
    parameter types have already validated (a minted IRI, a year, a bounded string), written by
    pyoxigraph's N-Triples serialiser, which validates IRIs and escapes quotes, backslashes and
    line breaks in literals, so a value cannot close its term early; variable names are checked
    against SPARQL's VARNAME; and the blocks go in at token boundaries found by the tokenizer that
    screened the query, never inside a string, IRI or comment. A VALUES block first in a group is
    joined with the rest of it, which gives the same answers as Oxigraph's pre-binding (which binds
    the variable everywhere in the query, subqueries included — a subquery is evaluated on its own,
    so the outer block alone would not reach it) wherever the variable is in scope throughout the
    group: the named queries; a test compares all of them.
    """
    if not bindings:
        return text
    names = list(bindings)
    for name in names:
        if not _VAR.fullmatch(name):
            raise EngineQueryError(f"invalid variable name {name!r}")
    block = (" VALUES (" + " ".join("?" + n for n in names) + ") { ("
             + " ".join(_term(bindings[n]) for n in names) + ") } ")
    decoded = decode_codepoints(text)
    offsets = binding_groups(decoded)
    if not offsets:
        raise EngineQueryError("the query has no WHERE group to bind parameters in")
    for offset in offsets:
        decoded = decoded[:offset] + block + decoded[offset:]
    return decoded


def calls_label_function(text: str) -> bool:
    """Does the query call xcf:label (an extension of the local engine a remote store lacks)?"""
    namespace, _, local = LABEL_FUNCTION.rpartition("/")
    decoded = decode_codepoints(text)
    if LABEL_FUNCTION in decoded:
        return True
    prefixes = set(re.findall(r"(?i)prefix\s+([^\s:]*):\s*<" + re.escape(namespace + "/") + r">", decoded))
    return any(t.kind == "pname" and t.value.partition(":")[0] in prefixes
               and t.value.partition(":")[2] == local for t in tokens(decoded))


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))


# --- xcf:label on a remote store ------------------------------------------------------------------
# The local engine computes xcf:label in the query workers. A remote store has no such function, so
# a call in a SELECT's projection — ``(xcf:label(?x) AS ?name)`` or ``(xcf:label(?x, "en") AS ?n)``
# — is taken out of the query sent, and its values are filled in afterwards from the labels of the
# IRIs in the answer (one more request, with those IRIs in VALUES). Any other use gets 400.

_LABEL_BATCH = 200


def _label_call_pattern(text: str) -> re.Pattern:
    namespace, _, local = LABEL_FUNCTION.rpartition("/")
    names = [re.escape(f"<{LABEL_FUNCTION}>")]
    names += [re.escape(f"{prefix}:{local}") for prefix in
              set(re.findall(r"(?i)prefix\s+([^\s:]*):\s*<" + re.escape(namespace + "/") + r">", text))]
    return re.compile(r"\(\s*(?:" + "|".join(names) + r")\s*\(\s*[?$](\w+)\s*"
                      r"(?:,\s*([\"'])([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)\2\s*)?\)\s+AS\s+[?$](\w+)\s*\)", re.I)


def split_label_calls(text: str) -> tuple[str, list[tuple[str, str | None, str]], list[str]]:
    """(the query without its projected xcf:label calls, the calls as (variable, language or None,
    output variable), the variables of the new projection that the client did not ask for).
    EngineQueryError if xcf:label is used anywhere else."""
    decoded = decode_codepoints(text)
    start = where_group(decoded)
    match = re.search(r"(?i)\bSELECT\b", decoded)
    if start is None or match is None or match.start() > start:
        raise EngineQueryError(LABEL_UNSUPPORTED)
    head, body = decoded[:start], decoded[start:]
    calls = [(m.group(1), m.group(3), m.group(4)) for m in _label_call_pattern(decoded).finditer(head)]
    projected = set(re.findall(r"[?$](\w+)", _label_call_pattern(decoded).sub(" ", head[match.end():])))
    added = []
    for variable, _, _ in calls:
        if variable not in projected and variable not in added:
            added.append(variable)
    replaced = iter(f" ?{v} " if v in added and v not in seen else " "
                    for v, seen in _first_uses(calls))
    head = _label_call_pattern(decoded).sub(lambda m: next(replaced), head)
    rewritten = head + body
    if calls_label_function(rewritten) or not calls:
        raise EngineQueryError(LABEL_UNSUPPORTED)
    return rewritten, calls, added


def _first_uses(calls):
    seen: set[str] = set()
    for variable, _, _ in calls:
        yield variable, set(seen)
        seen.add(variable)


LABEL_UNSUPPORTED = ("while the data lives in a remote store, xcf:label works only in a SELECT's "
                     "projection, as (xcf:label(?x) AS ?name) or (xcf:label(?x, \"en\") AS ?name); "
                     "elsewhere use rdfs:label with FILTER(lang(?label) = \"zh\")")


# --- the Store interface ------------------------------------------------------------------------

class RemoteStore(Store):
    """The ``Store`` interface over a remote SPARQL 1.1 server."""

    name = "remote"

    def __init__(self, endpoint: Endpoint, release=None):
        self.endpoint = endpoint
        self.release_graphs: list[str] | None = None
        if release is not None:
            self.attach(release)

    def attach(self, release) -> None:
        """Query the graphs of ``release`` (already loaded into the store)."""
        self.release_graphs = [g["iri"] for g in release.graphs.values()]
        self.inferred_graph = release.graphs.get("inferred", {}).get("iri")

    def load(self, data: bytes, fmt, graph: str | None = None) -> None:
        from .push import push_quads

        quads = ox.parse(data, format=getattr(ox.RdfFormat, fmt.oxigraph))
        if not fmt.dataset:
            if not graph:
                raise ValueError("the remote store keeps triples in named graphs: give graph=")
            quads = (ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph)) for q in quads)
        push_quads(self.endpoint, quads)

    def load_release(self, release) -> None:
        from .push import push_release

        push_release(self.endpoint, release)
        self.attach(release)

    def _graphs(self) -> list[str]:
        return self.release_graphs if self.release_graphs is not None else self.graphs()

    def query(self, sparql, *, inference=True, bindings=None, default_graph=None,
              named_graphs=None) -> QueryResult:
        try:
            screened = screen(sparql, max_length=10**9, max_depth=10**9)
        except RefusedQuery as e:
            raise QueryError(str(e)) from None
        text = with_values(sparql, {k: term_tuple(v) for k, v in (bindings or {}).items()})
        if default_graph is not None or named_graphs is not None:
            default, named = default_graph, named_graphs or self._graphs()
        elif screened.from_graphs or screened.from_named_graphs:
            default = named = None
        else:
            everything = self._graphs()
            default = everything if inference else [g for g in everything if g != self.inferred_graph]
            named = everything
        graph_form = screened.form in ("construct", "describe")
        try:
            data = self.endpoint.query(text, N_TRIPLES if graph_form else RESULT_TYPES["JSON"],
                                       default_graphs=default, named_graphs=named)
        except EngineQueryError as e:
            raise QueryError(str(e)) from None
        if graph_form:
            return QueryResult("graph", triples=[(to_rdflib(t.subject), to_rdflib(t.predicate),
                                                  to_rdflib(t.object))
                                                 for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)])
        result = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(result))
        variables = [v.value for v in result.variables]
        return QueryResult("select", variables,
                           [tuple(to_rdflib(s[v]) for v in variables) for s in result])

    def _select(self, text: str) -> ox.QuerySolutions:
        return ox.parse_query_results(self.endpoint.query(text, RESULT_TYPES["JSON"]),
                                      ox.QueryResultsFormat.JSON)

    def update(self, sparql: str) -> None:
        try:
            self.endpoint.update(sparql)
        except StoreFailed as e:
            raise QueryError(str(e)) from None

    def dump(self, fmt) -> bytes:
        rows = self._select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        quads = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]
        if fmt.dataset:
            return ox.serialize(quads, format=getattr(ox.RdfFormat, fmt.oxigraph))
        return ox.serialize([q.triple for q in quads], format=getattr(ox.RdfFormat, fmt.oxigraph))

    def counts(self) -> dict[str, int]:
        """Triples per named graph, in one query."""
        rows = self._select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {r["g"].value: int(r["n"].value) for r in rows}

    def count(self, graph: str | None = None) -> int:
        where = f"GRAPH {_iri(graph)} {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        rows = list(self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
        return int(rows[0]["n"].value) if rows else 0

    def graphs(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))


def check_release(store: RemoteStore, release) -> list[str]:
    """What differs between the store and ``release`` (graph by graph); empty if it holds it."""
    held = store.counts()
    return [f"{name}: {held.get(g['iri'], 0)} triples in the store, {g['triples']} in release {release.id}"
            for name, g in release.graphs.items() if held.get(g["iri"], 0) != g["triples"]]


# --- the service's query backend ----------------------------------------------------------------

class RemoteBackend:
    """Runs the service's queries on a remote store (``run(job) -> Answer``, like WorkerPool)."""

    kind = "remote"

    def __init__(self, endpoint: Endpoint, release, deadline: float = 10.0,
                 union_default_graph: bool = False):
        self.endpoint = endpoint
        self.deadline = deadline
        # the store's default graph is already the union of its graphs (oxigraph serve
        # --union-default-graph, Fuseki's unionDefaultGraph): listing the graphs is then
        # unnecessary, and about 3 times slower on Oxigraph server
        self.union_default_graph = union_default_graph
        self.graphs = [g["iri"] for g in release.graphs.values()]
        inferred = release.graphs.get("inferred", {}).get("iri")
        self.asserted = [g for g in self.graphs if g != inferred]
        self.stats = {"queries": 0, "timeouts": 0, "unavailable": 0, "failed": 0}

    def _dataset(self, job: Job) -> tuple[list[str] | None, list[str] | None]:
        if job.default_graph is not None or job.named_graphs is not None:
            return job.default_graph, job.named_graphs
        if job.dataset_clause or (job.inference and self.union_default_graph):
            return None, None
        return (self.graphs if job.inference else self.asserted), self.graphs

    def run(self, job: Job, deadline: float | None = None) -> Answer:
        deadline = self.deadline if deadline is None else deadline
        if calls_label_function(job.query):
            if job.form != "select":
                raise EngineQueryError(LABEL_UNSUPPORTED)
            return self._run_with_labels(job, deadline)
        text = with_values(job.query, job.bindings)
        default, named = self._dataset(job)
        start = time.perf_counter()
        self.stats["queries"] += 1
        graph_form = job.form in ("construct", "describe")
        accept = N_TRIPLES if graph_form else RESULT_TYPES[job.result_format]
        # answers with a line per row (plus TSV's header) are cut off as soon as they pass the cap
        max_lines = (job.max_rows if graph_form else
                     job.max_rows + 1 if job.result_format == "TSV" else None)
        try:
            data = self.endpoint.query(text, accept, default_graphs=default, named_graphs=named,
                                       deadline=deadline, max_lines=max_lines)
        except TooManyRows:
            raise TooManyRows(f"more than {job.max_rows}") from None
        except QueryTimeout:
            self.stats["timeouts"] += 1
            raise
        except StoreUnavailable:
            self.stats["unavailable"] += 1
            raise
        except StoreFailed:
            self.stats["failed"] += 1
            raise
        if graph_form:
            rows = _lines(data)
            if job.graph_format != "N_TRIPLES":
                data = ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES),
                                    format=getattr(ox.RdfFormat, job.graph_format))
            return Answer("graph", data, rows, time.perf_counter() - start)
        if job.form == "ask":
            return Answer("ask", data, None, time.perf_counter() - start)
        rows = _count_rows(data, job.result_format, job.max_rows)
        return Answer("select", data, rows, time.perf_counter() - start)

    def _run_with_labels(self, job: Job, deadline: float) -> Answer:
        """A SELECT that projects xcf:label calls: the query without them, then the labels of the
        IRIs it found, put together as the local engine would have answered."""
        import json
        from dataclasses import replace

        started = time.perf_counter()
        query, calls, added = split_label_calls(job.query)
        answer = self.run(replace(job, query=query, result_format="JSON"), deadline)
        results = json.loads(answer.data)
        iris = sorted({row[v]["value"] for row in results["results"]["bindings"]
                       for v, _, _ in calls if row.get(v, {}).get("type") == "uri"})
        labels: dict[str, dict] = {}
        for i in range(0, len(iris), _LABEL_BATCH):
            remaining = deadline - (time.perf_counter() - started)
            if remaining <= 0:
                raise QueryTimeout(f"the query ran past its deadline of {deadline:g} s")
            values = " ".join(_iri(iri) for iri in iris[i:i + _LABEL_BATCH])
            found = self.run(Job(query=f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?l "
                                       f"FILTER(?p IN (<{SKOS_PREF_LABEL}>, <{RDFS_LABEL}>) && isLiteral(?l)) }}",
                                 form="select", inference=job.inference, default_graph=job.default_graph,
                                 named_graphs=job.named_graphs, max_rows=job.max_rows), remaining)
            rows = json.loads(found.data)["results"]["bindings"]
            for row in sorted(rows, key=lambda r: r["p"]["value"] == RDFS_LABEL):  # rdfs:label wins
                labels.setdefault(row["s"]["value"], {})[row["l"].get("xml:lang")] = row["l"]
        head = [v for v in results["head"]["vars"] if v not in added]
        for _, _, output in calls:
            if output not in head:
                head.append(output)
        order = {v: i for i, v in enumerate(head)}
        bindings = []
        for row in results["results"]["bindings"]:
            for variable, language, output in calls:
                term = row.get(variable)
                label = (choose_label(labels.get(term["value"], {}), language or job.language)
                         if term and term.get("type") == "uri" else None)
                if label is not None:
                    row[output] = label
            bindings.append({k: row[k] for k in sorted(row, key=lambda k: order.get(k, len(order)))
                             if k in order})
        data = json.dumps({"head": {"vars": head}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
        if job.result_format != "JSON":
            data = ox.parse_query_results(data, ox.QueryResultsFormat.JSON).serialize(
                format=getattr(ox.QueryResultsFormat, job.result_format))
        return Answer("select", data, len(bindings), time.perf_counter() - started)

    def ready(self, timeout: float = 2.0) -> None:
        """Raise unless the store answers a trivial query within ``timeout``."""
        self.endpoint.query("ASK {}", RESULT_TYPES["JSON"], deadline=timeout)

    def close(self) -> None:
        self.endpoint.close()


def _count_rows(data: bytes, fmt: str, max_rows: int) -> int:
    """Rows of a SELECT answer in ``fmt``; ``TooManyRows`` past ``max_rows``."""
    if fmt == "TSV":
        rows = len(data.splitlines()) - 1
    elif fmt == "CSV":
        import csv
        import io

        rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) - 1
    else:
        try:
            solutions = ox.parse_query_results(data, getattr(ox.QueryResultsFormat, fmt))
        except SyntaxError as e:
            raise StoreFailed(f"the store's answer is not valid {fmt} results: {e}") from None
        rows = 0
        for _ in solutions:
            rows += 1
            if rows > max_rows:
                break
    if rows > max_rows:
        raise TooManyRows(rows if fmt in ("TSV", "CSV") else f"more than {max_rows}")
    return max(rows, 0)


def _lines(ntriples: bytes) -> int:
    return sum(1 for line in ntriples.splitlines() if line.strip() and not line.startswith(b"#"))


def endpoint_from_settings(settings) -> Endpoint:
    return Endpoint(settings.remote_query_url, settings.remote_update_url,
                    settings.remote_graph_store_url, settings.remote_user, settings.remote_password,
                    connections=settings.remote_connections,
                    connect_timeout=settings.remote_connect_timeout,
                    timeout=max(settings.query_timeout, 60.0))

