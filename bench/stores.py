"""Measure the three stores the service can run on, in one run on this machine:

* first load: a query worker loading the release into memory; a bulk load into the on-disk store;
  `xiancheng load` pushing to an Oxigraph server (Graph Store Protocol);
* restart: what a restarted query worker spends before it can answer (in memory: the whole load
  again; on disk: opening the store read-only);
* memory of one query worker after running every named query (RSS and PSS, from /proc);
* the named queries through each store's query path (median of 5 runs, summed over all queries).

    python bench/stores.py [--copies N]

``--copies N`` enlarges the release N times (copy N > 0 has every IRI under the base moved under …/cN/), to see
how the figures grow; the shipped release has about 14,000 triples.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def enlarged(release, copies: int, target: Path):
    """The release plus ``copies - 1`` copies of its data, every resource of copy N renamed under
    …/id/cN/ (same graphs, same ontology): a bench input, not a real release."""
    from collections import Counter

    from xiancheng.graph.release import open_release

    if copies <= 1:
        return release
    lines = gzip.decompress(release.file("nquads").read_bytes()).splitlines(keepends=True)
    ids = b"https://kg.xiancheng.example/id/"
    seen, counts = set(), Counter()
    target.mkdir(parents=True)
    with gzip.open(target / "dataset.nq.gz", "wb", compresslevel=1) as out:
        for i in range(copies):
            for line in lines:
                if not line.strip():
                    continue
                if i:
                    line = line.replace(ids, ids + f"c{i}/".encode()).replace(b"_:", f"_:c{i}x".encode())
                if line in seen:  # the ontology's own triples are the same in every copy
                    continue
                seen.add(line)
                out.write(line)
                counts[line.rsplit(b" ", 2)[-2][1:-1].decode()] += 1
    graphs = {name: dict(g, triples=counts[g["iri"]]) for name, g in release.graphs.items()}
    meta = dict(release.meta, id=f"{release.id}-x{copies}", graphs=graphs)
    (target / "release.json").write_text(json.dumps(meta))
    return open_release(target)


def memory(pid: int) -> tuple[int, int]:
    rss = pss = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("Pss:"):
            pss = int(line.split()[1]) * 1024
    return rss, pss


def named_jobs():
    from xiancheng.graph.namespaces import Minter
    from xiancheng.graph.queries import load_queries
    from xiancheng.graph.workers import Job, term_tuple

    jobs = []
    for query in load_queries().values():
        bindings = query.bindings({p.name: p.example for p in query.params if p.example}, Minter())
        jobs.append(Job(query.text, "select", result_format="JSON",
                        bindings={k: term_tuple(v) for k, v in bindings.items()}))
    return jobs


def run_all(backend, jobs, runs=5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for job in jobs:
            backend.run(job)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker_figures(source: dict, jobs) -> dict:
    from xiancheng.graph.workers import WorkerPool

    start = time.perf_counter()
    pool = WorkerPool(source, size=1, deadline=120, startup_timeout=600)
    ready = time.perf_counter() - start
    try:
        queries = run_all(pool, jobs)
        worker = pool._idle.queue[0]
        rss, pss = memory(worker.process.pid)
    finally:
        pool.close()
    return {"ready": ready, "queries": queries, "rss": rss, "pss": pss}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()

    from servers import start_oxigraph
    from xiancheng.graph.ondisk import OnDiskStore
    from xiancheng.graph.push import push_release
    from xiancheng.graph.release import make_release
    from xiancheng.graph.remote import Endpoint, RemoteBackend

    work = Path(tempfile.mkdtemp(prefix="xiancheng-bench-stores-"))
    try:
        release = enlarged(make_release(work / "releases"), args.copies, work / "big")
        jobs = named_jobs()
        rows = []
        print(f"release {release.id}: {release.triples:,} triples", file=sys.stderr)

        memory_source = {"nquads": str(release.file("nquads")),
                         "inferred_graph": release.graphs["inferred"]["iri"]}
        mem = worker_figures(memory_source, jobs)
        rows.append(("memory", mem["ready"], mem["ready"], mem["rss"], mem["pss"], mem["queries"]))

        ondisk = OnDiskStore(work / "store")
        steps = []
        start = time.perf_counter()
        build = ondisk.load(release, progress=lambda name: steps.append((name, time.perf_counter())))
        load = time.perf_counter() - start
        steps.append(("end", time.perf_counter()))
        phases = {a[0]: b[1] - a[1] for a, b in zip(steps, steps[1:])}
        import pyoxigraph as ox

        start = time.perf_counter()
        opened = ox.Store.read_only(str(build.location))
        bool(opened.query("ASK { ?s ?p ?o }"))
        reopen = time.perf_counter() - start
        del opened
        disk = worker_figures(ondisk.worker_source(), jobs)
        rows.append(("disk", load, disk["ready"], disk["rss"], disk["pss"], disk["queries"]))
        disk_bytes = build.size_bytes()

        server = start_oxigraph(work / "oxigraph", work / "oxigraph.log")
        try:
            endpoint = Endpoint(server.url + "/query", graph_store_url=server.url + "/store",
                                timeout=600)
            start = time.perf_counter()
            push_release(endpoint, release)
            push = time.perf_counter() - start
            backend = RemoteBackend(endpoint, release, deadline=120)
            start = time.perf_counter()
            backend.ready()
            reopen = time.perf_counter() - start
            queries = run_all(backend, jobs)
            rss, pss = memory(server.process.pid)
            rows.append(("remote (Oxigraph server)", push, reopen, rss, pss, queries))
            backend.close()
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{release.triples:,} triples; on-disk store {disk_bytes / 2**20:.1f} MiB "
          f"({disk_bytes / release.triples:.0f} bytes/triple); its first load: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items())
          + f"; opening it read-only and answering a first query: {reopen * 1000:.0f} ms\n")
    print("| store | first load | restart until ready | RSS | PSS | bytes/triple (RSS) | "
          f"{len(jobs)} named queries |")
    print("|---|---|---|---|---|---|---|")
    for name, load, ready, rss, pss, queries in rows:
        print(f"| {name} | {load:.2f} s | {ready:.2f} s | {rss / 2**20:.0f} MiB | {pss / 2**20:.0f} MiB "
              f"| {rss / release.triples:.0f} | {queries * 1000:.0f} ms |")
    print("\nThe remote row's memory is the Oxigraph server's process (the service holds no data); "
          "its restart is the service's first query to the store.")


if __name__ == "__main__":
    main()
