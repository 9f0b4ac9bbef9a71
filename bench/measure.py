"""The measurements of the benchmark suite, one function each. ``bench/suite.py`` runs each in a
fresh process (``python -m bench.measure KIND ARGS-JSON``), so that memory is measured from a clean
start and a step that runs too long can be stopped; each prints one JSON object on its last line.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ONTOLOGY, INFERRED = "graph/ontology", "graph/inferred"


def rss() -> int:
    """Resident memory of this process, in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def digest(triples) -> str:
    """A digest of a set of triples (rdflib terms), independent of order and engine."""
    lines = sorted(" ".join(t.n3() for t in triple) for triple in triples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


# --- build → validate → reason ------------------------------------------------------------------

def _in_child(fn, timeout: float):
    """Run ``fn`` in a forked child; (seconds, result), or (None, 'stopped after …') past ``timeout``."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def run():
        start = time.perf_counter()
        try:
            result = fn()
            child.send((time.perf_counter() - start, result))
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            child.send((None, f"error: {e}"))
    worker = ctx.Process(target=run, daemon=True)
    worker.start()
    child.close()
    if parent.poll(timeout):
        seconds, result = parent.recv()
        worker.join()
        return seconds, result
    worker.kill()
    worker.join()
    return None, f"stopped after {timeout:.0f} s"


def pipeline_standard(data: str, base: str, timeout: float) -> dict:
    """The current pipeline on the N-Quads file: rdflib Dataset, pyshacl, owlrl (focused)."""
    from rdflib import Dataset

    from xiancheng.graph.build import BuiltDataset
    from xiancheng.graph.namespaces import Minter
    from xiancheng.graph.reason import reason
    from xiancheng.graph.validate import validate_dataset

    start = time.perf_counter()
    dataset = Dataset()
    dataset.parse(data, format="nquads")
    built = BuiltDataset(dataset, Minter(base))
    for g in dataset.graphs():
        if str(g.identifier).startswith(base + "graph/"):
            built.graphs[str(g.identifier).rsplit("/", 1)[1]] = g.identifier
    out = {"build": time.perf_counter() - start, "triples": len(dataset)}

    def validate():
        result = validate_dataset(built)
        return {"conforms": result.conforms, "violations": len(result.violations)}

    def infer():
        inferred = reason(built)
        return {"inferred": len(inferred), "digest": digest(inferred)}

    for step, fn in (("validate", validate), ("reason", infer)):
        seconds, result = _in_child(fn, timeout)
        out[step] = seconds
        out[step + "_result"] = result
    return out


def pipeline_fast(data: str, base: str, inferred_out: str) -> dict:
    """The scalable pipeline: Oxigraph bulk load, SHACL as SPARQL, rules as SPARQL updates.
    Writes the inferred graph as N-Triples to ``inferred_out`` for the store measurements."""
    import pyoxigraph as ox

    from xiancheng.graph.fastreason import infer_store
    from xiancheng.graph.fastvalidate import validate_store
    from xiancheng.graph.store import OxigraphStore

    store = OxigraphStore()
    start = time.perf_counter()
    store.engine.bulk_load(path=data, format=ox.RdfFormat.N_QUADS)
    out = {"build": time.perf_counter() - start, "triples": len(store.engine)}
    start = time.perf_counter()
    result = validate_store(store)
    out["validate"] = time.perf_counter() - start
    out["validate_result"] = {"conforms": result.conforms, "violations": len(result.violations)}
    ontology, inferred = base + ONTOLOGY, base + INFERRED
    start = time.perf_counter()
    count = infer_store(store, ontology, [g for g in store.graphs() if g != ontology], inferred)
    out["reason"] = time.perf_counter() - start
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{inferred}> {{ ?s ?p ?o }} }}").triples
    out["reason_result"] = {"inferred": count, "digest": digest(triples)}
    store.engine.dump(inferred_out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(inferred))
    return out


# --- stores: load time, memory, competency queries ---------------------------------------------

def adapted_queries(base: str, params: dict) -> list[tuple[str, str, dict]]:
    """The competency queries with their IRIs moved to ``base`` and parameters from ``params``:
    (name, SPARQL, bindings as rdflib terms)."""
    from xiancheng.graph.namespaces import DEFAULT_BASE, Minter
    from xiancheng.graph.queries import load_queries

    minter, adapted = Minter(base), []
    for name, query in sorted(load_queries().items()):
        text = query.text
        for part in ("id/", "graph/"):
            text = text.replace(DEFAULT_BASE + part, base + part)
        values = {p.name: params[p.name] for p in query.params if p.name in params}
        adapted.append((name, text, query.bindings(values, minter)))
    return adapted


def _open(kind: str, workdir: str):
    from xiancheng.graph.store import OxigraphStore, RdflibStore

    if kind == "oxigraph-memory":
        return OxigraphStore(), None
    if kind == "oxigraph-disk":
        path = tempfile.mkdtemp(prefix="oxigraph-", dir=workdir)
        return OxigraphStore(path), path
    if kind == "rdflib":
        return RdflibStore(), None
    raise ValueError(f"unknown store {kind}")


def _load(kind: str, store, data: str, inferred: str, base: str) -> None:
    if kind == "oxigraph-disk":  # as `xiancheng load` does it: parallel bulk loads (graph.ondisk)
        import pyoxigraph as ox

        from xiancheng.graph.ondisk import parallel_bulk_load

        with open(data, "rb") as quads:
            parallel_bulk_load(store.engine, quads)
        with open(inferred, "rb") as triples:
            parallel_bulk_load(store.engine, triples, ox.RdfFormat.N_TRIPLES,
                               to_graph=ox.NamedNode(base + INFERRED))
        store.engine.flush()
    elif kind == "oxigraph-memory":
        import pyoxigraph as ox

        store.engine.bulk_load(path=data, format=ox.RdfFormat.N_QUADS)
        store.engine.bulk_load(path=inferred, format=ox.RdfFormat.N_TRIPLES,
                               to_graph=ox.NamedNode(base + INFERRED))
        store.engine.flush()
    else:
        from rdflib import URIRef

        store.engine.parse(data, format="nquads")
        store.engine.graph(URIRef(base + INFERRED)).parse(inferred, format="nt")
    store.inferred_graph = base + INFERRED


def _run_query(kind: str, store, sparql: str, bindings: dict) -> bytes:
    """Run a query and serialise its result as SPARQL JSON, as a client receives it."""
    from xiancheng.graph.formats import RDF_FORMATS, RESULT_FORMATS

    if kind.startswith("oxigraph"):
        return store.query_serialized(sparql, RESULT_FORMATS["json"], RDF_FORMATS["turtle"],
                                      bindings=bindings)[1]
    return store.query(sparql, bindings=bindings).serialize(RESULT_FORMATS["json"])


def store_benchmark(kind: str, data: str, inferred: str, base: str, params: dict,
                    workdir: str, runs: int = 20, budget: float = 5.0, names: list | None = None,
                    query_timeout: float = 120.0) -> dict:
    """Load the data (and its inferred graph) into one store; time the load, measure the memory
    (and the disk) it takes, then time the competency queries (all, or ``names``): ``runs`` runs after one
    warm-up, or fewer once ``budget`` seconds are spent on that query. rdflib runs each query in a
    forked child stopped after ``query_timeout`` seconds (warm-up included)."""
    queries = [q for q in adapted_queries(base, params) if names is None or q[0] in names]  # imports first
    gc.collect()
    before = rss()
    store, path = _open(kind, workdir)
    try:
        start = time.perf_counter()
        _load(kind, store, data, inferred, base)
        out = {"load": time.perf_counter() - start}
        if kind == "oxigraph-disk":  # then compacted, as `xiancheng load` does before serving it
            start = time.perf_counter()
            store.engine.optimize()
            out["compact"] = time.perf_counter() - start
        gc.collect()
        out["memory"] = rss() - before
        out["triples"] = store.count()
        if path:
            out["disk"] = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
        out["queries"] = {}
        for name, sparql, bindings in queries:
            def timed_runs():
                rows = _run_query(kind, store, sparql, bindings)  # warm-up
                times, spent = [], 0.0
                while len(times) < runs and (spent < budget or len(times) < 1):
                    start = time.perf_counter()
                    _run_query(kind, store, sparql, bindings)
                    times.append(time.perf_counter() - start)
                    spent += times[-1]
                return times, len(json.loads(rows).get("results", {}).get("bindings", []))
            if kind == "rdflib":  # a query cannot be stopped in rdflib: run it in a forked child
                _, outcome = _in_child(timed_runs, query_timeout)
            else:
                outcome = timed_runs()
            if isinstance(outcome, str):
                out["queries"][name] = {"runs": 0, "p50": None, "p99": None, "rows": None, "error": outcome}
                continue
            times, rows = outcome
            out["queries"][name] = {"runs": len(times), "p50": statistics.median(times),
                                    "p99": percentile(times, 0.99), "rows": rows}
        return out
    finally:
        store = None  # close it (an on-disk store releases its lock)
        if path:
            shutil.rmtree(path, ignore_errors=True)


KINDS = {"pipeline-standard": pipeline_standard, "pipeline-fast": pipeline_fast,
         "store": store_benchmark}


def main() -> None:
    kind, args = sys.argv[1], json.loads(sys.argv[2])
    result = KINDS[kind](**args)
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
