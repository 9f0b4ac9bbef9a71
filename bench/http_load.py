"""HTTP benchmark: this service against Oxigraph server and rdflib-endpoint, in one run on 127.0.0.1.

All three serve the same release (this service from its release directory, Oxigraph server from
``oxigraph load`` of its TriG, rdflib-endpoint from the same TriG, each with the union of the named
graphs as default graph) and get the same SPARQL text as GET requests, driven by ``wrk`` (Debian's
package; C, one Lua script) at each concurrency. Workloads:

* ``mix`` — the named competency queries with their example parameters (bound by a VALUES clause,
  so every server runs the same text), repeated as a client would: result caches may answer.
* ``mix-unique`` — the same, each request made unique by a SPARQL comment: no cache can answer.
* ``lookups`` — short lookups (the labels of each of the 129 divisions), repeated.
* ``aggregations`` — engine-bound GROUP BY queries over the whole dataset, each request unique.

Beside the peers runs ``flask-pyoxigraph`` (bench/flask_pyoxigraph.py): a bare Flask app answering
from pyoxigraph in the HTTP process under granian with the same HTTP workers and threads — no
safety, no cache. It is the floor for any Flask service on pyoxigraph on this machine, and shows
what the service's own work and its query worker processes add above it.

Before loading, each query's answer is checked to have the same number of rows on every server.
The added latency is measured at concurrency 1: the p50 of each competency query over HTTP
(unique requests) minus its p50 run in-process on pyoxigraph (query + JSON serialisation).
CPU seconds of each server's process tree and of wrk are reported, so the load generator's share
of the two cores is visible.

    python bench/http_load.py                      # the full run (about 20 minutes)
    python bench/http_load.py --quick              # 2 s per run
    python bench/http_load.py --markdown docs.md   # also write the tables as Markdown
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import ServerProcess, free_port, start_server  # noqa: E402

LUA = Path(__file__).resolve().parent / "wrk_requests.lua"
BIN = Path(sys.executable).parent
JSON_RESULTS = "application/sparql-results+json"
PREFIXES = ("PREFIX xc: <https://kg.xiancheng.example/def/>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX dcterms: <http://purl.org/dc/terms/>\n")
AGGREGATIONS = {
    "subject-degree": "SELECT ?s (COUNT(*) AS ?degree) WHERE { ?s ?p ?o } GROUP BY ?s "
                      "ORDER BY DESC(?degree) LIMIT 20",
    "degree-distribution": "SELECT ?degree (COUNT(*) AS ?subjects) WHERE { { SELECT ?s (COUNT(*) AS ?degree) "
                           "WHERE { ?s ?p ?o } GROUP BY ?s } } GROUP BY ?degree ORDER BY ?degree",
    "facts-per-graph-and-class": "SELECT ?g ?class (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                 "?s a ?class } GROUP BY ?g ?class ORDER BY DESC(?n) ?g ?class",
    "sources-per-class": PREFIXES + "SELECT ?class (COUNT(DISTINCT ?doc) AS ?documents) (COUNT(?e) AS ?evidence) "
                         "WHERE { ?s a ?class ; xc:evidence ?e . ?e dcterms:source ?doc } GROUP BY ?class "
                         "ORDER BY DESC(?evidence) ?class",
    "triples-per-graph": "SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) "
                         "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
}


# --- the servers ---------------------------------------------------------------------------------

@dataclass
class Peer:
    name: str
    server: ServerProcess
    path: str                      # the query endpoint's path

    def url(self, query: str) -> str:
        return self.path + "?" + urllib.parse.urlencode({"query": query})

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.server.process.pid)


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and all its descendants (from /proc)."""
    parents, times = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(p, 0.0) for p in tree)


def start_peers(release, names: list[str], workdir: Path, service_env: dict) -> list[Peer]:
    peers = []
    trig = str(release.file("trig"))
    ready = "?query=" + urllib.parse.quote("ASK {}")
    for name in names:
        port = free_port()
        log = workdir / f"{name}.log"
        if name.startswith("xiancheng"):
            env = {"XIANCHENG_DATA_DIR": str(release.path.parent.parent), "XIANCHENG_PORT": str(port),
                   **service_env}
            if name == "xiancheng-waitress":
                env.update({"XIANCHENG_SERVER": "waitress", "XIANCHENG_HTTP_WORKERS": "1"})
            server = start_server([sys.executable, "-m", "xiancheng", "serve"], port, log,
                                  "/sparql" + ready, env=env)
            peers.append(Peer(name, server, "/sparql"))
        elif name == "oxigraph":
            location = workdir / "oxigraph"
            subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", trig],
                           check=True, capture_output=True)
            server = start_server([str(BIN / "oxigraph"), "serve-read-only", "--location", str(location),
                                   "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                  port, log, "/query" + ready)
            peers.append(Peer(name, server, "/query"))
        elif name == "oxigraph-memory":  # the same engine in memory, loaded over HTTP
            server = start_server([str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}",
                                   "--union-default-graph"], port, log, "/query" + ready)
            request = urllib.request.Request(server.url + "/store", data=release.file("trig").read_bytes(),
                                             headers={"Content-Type": "application/trig"}, method="POST")
            urllib.request.urlopen(request, timeout=300).close()
            peers.append(Peer(name, server, "/query"))
        elif name == "flask-pyoxigraph":  # the floor: a bare Flask app, the query in-process
            from xiancheng.settings import SETTINGS
            threads = service_env.get("XIANCHENG_THREADS") or next(s.default for s in SETTINGS if s.name == "threads")
            server = start_server([sys.executable, "-m", "granian", "--interface", "wsgi", "--factory",
                                   "--workers", service_env.get("XIANCHENG_HTTP_WORKERS", "1"),
                                   "--blocking-threads", str(threads),
                                   "--host", "127.0.0.1", "--port", str(port), "flask_pyoxigraph:create_app"],
                                  port, log, "/sparql" + ready,
                                  env={"XIANCHENG_BARE_NQUADS": str(release.file("nquads")),
                                       "PYTHONPATH": str(Path(__file__).resolve().parent)})
            peers.append(Peer(name, server, "/sparql"))
        elif name == "rdflib-endpoint":
            server = start_server([str(BIN / "rdflib-endpoint"), "serve", trig, "--host", "127.0.0.1",
                                   "--port", str(port)], port, log, "/" + ready,
                                  timeout=180 + release.triples / 2_000)  # 1M triples: ~90 s here
            peers.append(Peer(name, server, "/"))
        else:
            raise SystemExit(f"unknown server {name}")
    return peers


# --- the workloads -------------------------------------------------------------------------------

@dataclass
class Workload:
    name: str
    queries: dict[str, str]        # label -> SPARQL
    unique: bool
    skip: tuple[str, ...] = ()     # servers left out of this workload


def with_values(text: str, bindings: dict) -> str:
    """The query with its parameters bound by VALUES blocks (any server can run it): the service's
    remote-store binding (graph.remote.with_values), at the start of the WHERE group and of each
    subquery's, which gives the same answers as the service's own pre-binding."""
    from xiancheng.graph.remote import with_values as bind
    from xiancheng.graph.workers import term_tuple

    return bind(text, {name: term_tuple(value) for name, value in bindings.items()})


def competency_queries(minter) -> dict[str, str]:
    from xiancheng.graph.queries import load_queries

    queries = {}
    for query in load_queries().values():
        example = {p.name: p.example for p in query.params if p.example}
        queries[query.name] = with_values(query.text, query.bindings(example, minter))
    return queries


def lookups(store) -> dict[str, str]:
    import pyoxigraph as ox

    divisions = sorted({q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode("https://kg.xiancheng.example/def/divisionCode"), None, None)})
    return {iri.rsplit("/", 1)[-1]: f"SELECT ?label WHERE {{ <{iri}> "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?label }" for iri in divisions}


def fetch(peer: Peer, query: str) -> dict:
    request = urllib.request.Request(peer.server.url + peer.url(query), headers={"Accept": JSON_RESULTS})
    try:
        with urllib.request.urlopen(request, timeout=900) as response:  # rdflib at 1M: minutes
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{peer.name} answered {e.code} to {query!r}: {e.read()[:500]!r}") from None


def check_answers(peers: list[Peer], workload: Workload, seen: dict) -> list[str]:
    """Each query must give the same number of rows everywhere; return the disagreements."""
    problems = []
    for label, query in workload.queries.items():
        counts = {}
        for p in peers:
            if p.name not in workload.skip:
                if (p.name, query) not in seen:
                    seen[p.name, query] = len(fetch(p, query)["results"]["bindings"])
                counts[p.name] = seen[p.name, query]
        if len(set(counts.values())) > 1:
            problems.append(f"{workload.name}/{label}: rows differ {counts}")
    return problems


# --- driving the load ----------------------------------------------------------------------------

@dataclass
class Run:
    workload: str
    concurrency: int
    server: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cores: float
    wrk_cores: float
    extra: dict = field(default_factory=dict)


def wrk(peer: Peer, queries: list[str], unique: bool, concurrency: int, seconds: float,
        workdir: Path) -> dict:
    requests_file = workdir / f"requests-{peer.name}.txt"
    requests_file.write_text("\n".join(peer.url(q) for q in queries) + "\n")
    threads = max(1, min(2, concurrency))
    env = {**os.environ, "WRK_REQUESTS": str(requests_file), "WRK_UNIQUE": "1" if unique else "0",
           "WRK_ACCEPT": JSON_RESULTS}
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_server = peer.cpu_seconds()
    started = time.monotonic()
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds:g}s", "--timeout", "60s",
                          "-s", str(LUA), peer.server.url], env=env, capture_output=True, text=True,
                         check=True)
    wall = time.monotonic() - started
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = peer.cpu_seconds() - before_server
    wrk_cpu = (after_children.ru_utime + after_children.ru_stime
               - before_children.ru_utime - before_children.ru_stime)
    match = re.search(r"^WRK_RESULT (\{.*\})$", out.stdout, re.M)
    if not match:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    result = json.loads(match.group(1))
    result.update(wall=wall, server_cpu=server_cpu, wrk_cpu=wrk_cpu)
    return result


def settle(peer: Peer, limit: float = 600.0) -> None:
    """Wait until the server has finished the requests a run left queued (a slow server keeps
    working after wrk stops), so that it does not slow the next run."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        before = peer.cpu_seconds()
        time.sleep(0.5)
        if peer.cpu_seconds() - before < 0.05:
            return


def measure(peer: Peer, workload: Workload, concurrency: int, seconds: float, workdir: Path) -> Run:
    settle(peer)
    r = wrk(peer, list(workload.queries.values()), workload.unique, concurrency, seconds, workdir)
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    if r["requests"] < 2 * concurrency:  # too slow for a timed run to count: time a whole pass
        settle(peer)
        return full_pass(peer, workload, concurrency)
    return Run(workload.name, concurrency, peer.name, r["requests"] / (r["duration_us"] / 1e6),
               r["p50_us"] / 1000, r["p99_us"] / 1000, errors, r["server_cpu"] / r["wall"],
               r["wrk_cpu"] / r["wall"])


def full_pass(peer: Peer, workload: Workload, concurrency: int) -> Run:
    """For a server too slow to finish requests within a timed run: send each query of the
    workload once (at most 32 of them), ``concurrency`` at a time, and time the whole pass."""
    from concurrent.futures import ThreadPoolExecutor

    queries = list(workload.queries.values())[:32]
    unique = iter(range(10**9))

    def one(query):
        text = f"{query}\n#{next(unique)}" if workload.unique else query
        started = time.monotonic()
        fetch(peer, text)
        return time.monotonic() - started

    before = peer.cpu_seconds()
    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        times = sorted(pool.map(one, queries))
    wall = time.monotonic() - started
    return Run(workload.name, concurrency, peer.name, len(queries) / wall,
               statistics.median(times) * 1000, times[int(0.99 * (len(times) - 1))] * 1000, 0,
               (peer.cpu_seconds() - before) / wall, 0.0, {"full_pass": len(queries)})


def http_benchmark(data: Path, inferred: Path, base: str, queries: list[dict], *,
                   concurrency: tuple[int, ...] = (8, 32), seconds: float = 10.0,
                   workdir: Path, rdflib_endpoint: bool = True) -> list[dict]:
    """The HTTP part of the scale suite (bench/suite.py): this service, Oxigraph server and
    (unless ``rdflib_endpoint`` is false) rdflib-endpoint holding ``data`` (N-Quads) and
    ``inferred`` (N-Triples, loaded into the graph ``{base}graph/inferred``), driven with the
    competency queries (``queries``: name, sparql) at each concurrency, repeated (``mix``) and made
    unique (``mix-unique``). One dict per server, workload and concurrency (see the hook's docstring
    in bench/suite.py). At 1M triples rdflib-endpoint takes about 90 s to load and 1.8 GB, and
    some queries take it minutes each: it is then timed over whole passes (``full_pass``), which
    makes this part take hours (the suite runs it up to ``--rdflib-endpoint-max``, 100k)."""
    from xiancheng.graph.release import release_from_quads

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    inferred_graph = f"<{base}graph/inferred>"
    quads = Path(data).read_bytes()
    extra = b"".join(line.rstrip(b" .\n") + b" " + inferred_graph.encode() + b" .\n"
                     for line in Path(inferred).read_bytes().splitlines() if line.strip())
    release = release_from_quads(workdir / "data" / "releases", quads + extra,
                                 {"inferred": f"{base}graph/inferred"}, base=base)
    names = ["xiancheng", "oxigraph"] + (["rdflib-endpoint"] if rdflib_endpoint else [])
    # every wrk connection comes from 127.0.0.1, one client to the per-client query budget: off,
    # as Oxigraph server has none (this measures throughput, not that policy)
    peers = start_peers(release, names, workdir, {"XIANCHENG_HTTP_WORKERS": "2", "XIANCHENG_QUERY_BUDGET": "0",
                                                  "XIANCHENG_QUERY_TIMEOUT": "60",
                                                  "XIANCHENG_ACCESS_LOG": "false"})
    try:
        texts = {q["name"]: q["sparql"] for q in queries}
        rows = []
        for unique in (False, True):
            workload = Workload("mix-unique" if unique else "mix", texts, unique)
            problems = check_answers(peers, workload, {})
            if problems:
                raise RuntimeError("the servers disagree: " + "; ".join(problems))
            for c in concurrency:
                for peer in peers:
                    run = measure(peer, workload, c, seconds, workdir)
                    rows.append({"server": {"oxigraph": "oxigraph serve"}.get(peer.name, peer.name),
                                 "workload": workload.name, "concurrency": c,
                                 "requests": round(run.rps * seconds), "errors": run.errors,
                                 "throughput": run.rps, "p50_ms": run.p50_ms, "p99_ms": run.p99_ms})
        return rows
    finally:
        for peer in peers:
            peer.server.stop()


def in_process_p50(store, query: str, seconds: float) -> float:
    """p50 in ms of running ``query`` (made unique each time) on pyoxigraph and writing JSON."""
    import pyoxigraph as ox

    times, n, end = [], 0, time.monotonic() + seconds
    while time.monotonic() < end or n < 20:
        n += 1
        text = f"{query}\n#{n}"
        start = time.perf_counter()
        store.query(text, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def added_latency(peers: list[Peer], store, queries: dict[str, str], seconds: float,
                  workdir: Path, rounds: int) -> dict[str, dict]:
    """Per query: in-process p50 and, per server, HTTP p50 at concurrency 1 (unique requests)."""
    table = {}
    for label, query in queries.items():
        row: dict[str, float] = {}
        for _ in range(rounds):  # interleaved; the least disturbed p50 of each is kept
            p50 = in_process_p50(store, query, seconds / 2)
            row["pyoxigraph"] = min(row.get("pyoxigraph", p50), p50)
            for peer in peers:
                if peer.name == "rdflib-endpoint":
                    continue
                settle(peer)
                p50 = wrk(peer, [query], True, 1, seconds, workdir)["p50_us"] / 1000
                row[peer.name] = min(row.get(peer.name, p50), p50)
                if peer.name.startswith("xiancheng"):  # the same query repeated: the cache answers
                    p50 = wrk(peer, [query], False, 1, seconds / 2, workdir)["p50_us"] / 1000
                    key = f"{peer.name} repeated"
                    row[key] = min(row.get(key, p50), p50)
        table[label] = row
    return table


# --- reporting -----------------------------------------------------------------------------------

def runs_table(runs: list[Run]) -> str:
    lines = ["| workload | concurrency | server | requests/s | p50 ms | p99 ms | errors | server cores | wrk cores |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        server = f"{r.server} (one pass of {r.extra['full_pass']})" if r.extra.get("full_pass") else r.server
        rps = f"{r.rps:,.0f}" if r.rps >= 10 else f"{r.rps:.2f}"
        lines.append(f"| {r.workload} | {r.concurrency} | {server} | {rps} | {r.p50_ms:.2f} | "
                     f"{r.p99_ms:.2f} | {r.errors} | {r.server_cores:.2f} | {r.wrk_cores:.2f} |")
    return "\n".join(lines)


def ratio(runs: list[Run], workload: str, concurrency: int, server: str, peer: str,
          peer_workload: str | None = None) -> float | None:
    ours = next((r for r in runs if (r.workload, r.concurrency, r.server) == (workload, concurrency, server)), None)
    theirs = next((r for r in runs if (r.workload, r.concurrency, r.server)
                   == (peer_workload or workload, concurrency, peer)), None)
    if ours is None or theirs is None or theirs.rps == 0:
        return None
    return ours.rps / theirs.rps


def targets(runs: list[Run], latency: dict, ours: str, concurrencies: list[int]) -> list[str]:
    lines = ["| target | concurrency | measured | met |", "|---|---:|---:|---|"]

    def add(label, c, value, goal, fmt):
        if value is not None:
            lines.append(f"| {label} | {c} | {fmt.format(value)} | {'yes' if goal(value) else 'NO'} |")

    for c in concurrencies:
        add("mix: ≥ 10× rdflib-endpoint", c, ratio(runs, "mix", c, ours, "rdflib-endpoint"), lambda v: v >= 10, "{:.1f}×")
        add("mix-unique: ≥ 10× rdflib-endpoint (its mix)", c,
            ratio(runs, "mix-unique", c, ours, "rdflib-endpoint", "mix"), lambda v: v >= 10, "{:.1f}×")
        add("lookups: ≥ 0.5× Oxigraph server", c, ratio(runs, "lookups", c, ours, "oxigraph"), lambda v: v >= 0.5, "{:.2f}×")
        add("aggregations: ≥ 0.9× Oxigraph server", c, ratio(runs, "aggregations", c, ours, "oxigraph"),
            lambda v: v >= 0.9, "{:.2f}×")
        add("lookups: ≥ 0.5× Oxigraph server in memory", c, ratio(runs, "lookups", c, ours, "oxigraph-memory"),
            lambda v: v >= 0.5, "{:.2f}×")
        add("aggregations: ≥ 0.9× Oxigraph server in memory", c,
            ratio(runs, "aggregations", c, ours, "oxigraph-memory"), lambda v: v >= 0.9, "{:.2f}×")
    if latency:
        added = [row[ours] - row["pyoxigraph"] for row in latency.values() if ours in row]
        if added:
            add("p50 added over pyoxigraph ≤ 1 ms (median of the queries)", 1, statistics.median(added),
                lambda v: v <= 1.0, "{:.2f} ms")
            add("p50 added over pyoxigraph ≤ 1 ms (worst query)", 1, max(added), lambda v: v <= 1.0, "{:.2f} ms")
        floor = [row["flask-pyoxigraph"] - row["pyoxigraph"] for row in latency.values() if "flask-pyoxigraph" in row]
        if floor:
            lines.append(f"| (for reference: added by a bare Flask + pyoxigraph app, median) | 1 | "
                         f"{statistics.median(floor):.2f} ms | |")
    return lines


def latency_table(latency: dict, servers: list[str]) -> str:
    lines = ["| query | pyoxigraph in-process p50 ms | " + " | ".join(f"{s} p50 ms (added)" for s in servers) + " |",
             "|---|---:|" + "---:|" * len(servers)]
    for label, row in latency.items():
        cells = [f"{row[s]:.2f} (+{row[s] - row['pyoxigraph']:.2f})" for s in servers if s in row]
        lines.append(f"| {label} | {row['pyoxigraph']:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each load run")
    parser.add_argument("--quick", action="store_true", help="2 s runs (a first look)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--workloads", nargs="+", default=["mix", "mix-unique", "lookups", "aggregations"])
    parser.add_argument("--servers", nargs="+",
                        default=["xiancheng", "oxigraph", "oxigraph-memory", "flask-pyoxigraph", "rdflib-endpoint"],
                        help="xiancheng (granian), xiancheng-waitress, oxigraph (on disk, as `oxigraph load` "
                             "makes it), oxigraph-memory, flask-pyoxigraph (a bare Flask app on pyoxigraph "
                             "under granian: bench/flask_pyoxigraph.py), rdflib-endpoint")
    parser.add_argument("--http-workers", type=int, default=2, help="this service's HTTP worker processes")
    parser.add_argument("--query-workers", type=int, default=2, help="query processes per HTTP worker")
    parser.add_argument("--rounds", type=int, default=2,
                        help="measure each run this many times, interleaved, and keep the best")
    parser.add_argument("--no-latency", action="store_true", help="skip the added-latency measurement")
    parser.add_argument("--data-dir", help="use this data directory's current release (default: build one)")
    parser.add_argument("--markdown", help="write the tables to this file too")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args(argv)
    seconds = 2.0 if args.quick else args.seconds

    def stop(signum, frame):  # stop the servers on SIGTERM too
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk; `make system-deps`)")

    import gzip

    import pyoxigraph as ox

    from xiancheng.graph.namespaces import Minter
    from xiancheng.graph.release import current_release, make_release

    workdir = Path(tempfile.mkdtemp(prefix="xiancheng-bench-"))
    if args.data_dir:
        release = current_release(Path(args.data_dir) / "releases")
    else:
        print("building a release…", file=sys.stderr)
        release = make_release(workdir / "data" / "releases")
    store = ox.Store()
    store.bulk_load(gzip.decompress(release.file("nquads").read_bytes()), ox.RdfFormat.N_QUADS)
    minter = Minter(release.meta["base"])
    mix = competency_queries(minter)
    all_workloads = {
        "mix": Workload("mix", mix, unique=False),
        # rdflib-endpoint caches no results, so its "mix" figure stands for both (a pass takes minutes)
        "mix-unique": Workload("mix-unique", mix, unique=True, skip=("rdflib-endpoint",)),
        "lookups": Workload("lookups", lookups(store), unique=False),
        # rdflib-endpoint takes 0.6-6 s over each of these (docs/performance.md): left out for time
        "aggregations": Workload("aggregations", AGGREGATIONS, unique=True, skip=("rdflib-endpoint",)),
    }
    workloads = [all_workloads[w] for w in args.workloads]
    service_env = {"XIANCHENG_SERVER": "granian", "XIANCHENG_HTTP_WORKERS": str(args.http_workers),
                   "XIANCHENG_QUERY_WORKERS": str(args.query_workers), "XIANCHENG_QUERY_TIMEOUT": "60",
                   "XIANCHENG_QUERY_BUDGET": "0", "XIANCHENG_ACCESS_LOG": "false"}
    print(f"release {release.id} ({release.triples} triples); {os.cpu_count()} cores; "
          f"runs of {seconds:g} s; work files in {workdir}", file=sys.stderr)
    load_start = f"{os.getloadavg()[0]:.1f}"
    peers = start_peers(release, args.servers, workdir, service_env)
    ours = next((p.name for p in peers if p.name.startswith("xiancheng")), None)
    runs: list[Run] = []
    latency: dict = {}
    try:
        seen: dict = {}
        problems = [p for w in workloads for p in check_answers(peers, w, seen)]
        for problem in problems:
            print("WARNING:", problem, file=sys.stderr)
        for workload in workloads:
            for concurrency in args.concurrency:
                best: dict[str, Run] = {}
                for round_ in range(args.rounds):  # interleaved, so that outside load hits all alike
                    for peer in [p for p in peers if p.name not in workload.skip]:
                        if round_ and peer.name == "rdflib-endpoint":
                            continue  # 100 times slower: one round tells, and each takes minutes
                        run = measure(peer, workload, concurrency, seconds, workdir)
                        print(f"{workload.name:13s} c={concurrency:<3d} {peer.name:18s} {run.rps:9,.2f} req/s  "
                              f"p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:8.2f} ms  errors {run.errors}  "
                              f"cores: server {run.server_cores:.2f}, wrk {run.wrk_cores:.2f}", file=sys.stderr)
                        if peer.name not in best or run.rps > best[peer.name].rps:
                            best[peer.name] = run
                        best[peer.name].errors = max(best[peer.name].errors, run.errors)
                runs.extend(best[p.name] for p in peers if p.name in best)
        if not args.no_latency:
            latency = added_latency(peers, store, mix, min(seconds, 2.0), workdir, args.rounds)
    finally:
        for peer in peers:
            peer.server.stop()
    servers = [n for p in peers if p.name != "rdflib-endpoint"
               for n in ([p.name, f"{p.name} repeated"] if p.name.startswith("xiancheng") else [p.name])]
    report = [f"Release {release.id}, {release.triples} triples; {os.cpu_count()} cores shared by the servers "
              f"and wrk; {seconds:g} s per run, best of {args.rounds} interleaved rounds (rdflib-endpoint: one); this service: "
              f"granian, {args.http_workers} HTTP workers × {args.query_workers} query workers. Load average "
              f"of the machine (other processes included) at the start and end: {load_start} → "
              f"{os.getloadavg()[0]:.1f}.", "", runs_table(runs), ""]
    if latency:
        report += [latency_table(latency, servers), ""]
    if ours:
        report += targets(runs, latency, ours, args.concurrency)
    if problems:
        report += ["", "Answers that differed between servers:", *[f"* {p}" for p in problems]]
    text = "\n".join(report)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"release": release.id, "runs": [r.__dict__ for r in runs],
                                               "latency": latency, "problems": problems}, indent=2))
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if any(r.errors for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
