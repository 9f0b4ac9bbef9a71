"""The scale benchmark suite: one command, one machine, one run, one table per question.

    python bench/suite.py --scales 10k,100k,1M [--stores oxigraph-memory,oxigraph-disk,rdflib]
                          [--runs 20] [--budget 5] [--timeout 900] [--markdown FILE]

For each scale it generates synthetic data (bench/synthetic.py; reused from --workdir if present),
then measures, each in a fresh process:

1. build → validate → reason, with the standard pipeline (rdflib Dataset, pyshacl, owlrl) and the
   fast one (Oxigraph bulk load, the shapes as SPARQL, the OWL-RL rules as SPARQL updates), and
   checks that both give the same verdict and the same inferred graph;
2. for each store (Oxigraph in memory, Oxigraph on disk, rdflib in memory): load time, resident
   memory per triple (RSS before and after loading, in the worker process) and disk per triple;
3. every competency query (queries/*.rq, IRIs moved to the synthetic base, parameters taken from
   the data) on each store: p50 and p99 of the time to run it and serialise the result as JSON;
4. HTTP throughput at concurrency 8 and 32 through the ``http_benchmark`` hook below, which
   bench/http_load.py provides (it drives Debian's wrk); "not run", and why, without wrk.

Targets at 1M triples: Oxigraph load under 10 s and under 500 bytes/triple; every competency query
p50 under 50 ms. The output is Markdown; docs/performance-scale.md keeps a run of it.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # import bench.* as a package: a bench/http.py must not shadow http
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402

STORES = ("oxigraph-memory", "oxigraph-disk", "rdflib")
TARGETS = {"scale": 1_000_000, "load_s": 10.0, "bytes_per_triple": 500, "query_p50_ms": 50.0}


# --- the data ------------------------------------------------------------------------------------

def dataset(scale: str, workdir: Path, seed: int = 1, regenerate: bool = False) -> tuple[Path, dict]:
    """The N-Quads file of one scale and its summary, generated unless already in ``workdir``."""
    path = workdir / f"synthetic-{scale}-seed{seed}.nq"
    meta = path.with_suffix(".json")
    if regenerate or not (path.is_file() and meta.is_file()):
        synthetic.write(synthetic.parse_scale(scale), path, seed)
    return path, json.loads(meta.read_text(encoding="utf-8"))


# --- running one measurement in its own process ---------------------------------------------------

def measure(worker: str, limit: float, **args) -> dict:
    """Run ``bench.measure`` WORKER in a fresh Python (stopped after ``limit`` seconds); its JSON
    result, or {"error": …}."""
    try:
        done = subprocess.run([sys.executable, "-m", "bench.measure", worker, json.dumps(args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {limit:.0f} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def pipeline(path: Path, summary: dict, timeout: float, standard: bool = True) -> dict:
    """Both pipelines on one file: {"standard": …, "fast": …}; writes the inferred graph beside it."""
    inferred = path.with_suffix(".inferred.nt")
    return {
        "fast": measure("pipeline-fast", timeout * 3, data=str(path), base=summary["base"],
                        inferred_out=str(inferred)),
        "standard": measure("pipeline-standard", timeout * 3, data=str(path), base=summary["base"],
                            timeout=timeout) if standard else {"error": "not run (--standard-max)"},
    }


def stores(path: Path, summary: dict, kinds, runs: int, budget: float, timeout: float,
           workdir: Path, names: list[str] | None = None, query_timeout: float = 120.0) -> dict:
    inferred = path.with_suffix(".inferred.nt")
    return {kind: measure("store", timeout, kind=kind, data=str(path), inferred=str(inferred),
                          base=summary["base"], params=summary["params"], workdir=str(workdir),
                          runs=runs, budget=budget, names=names, query_timeout=query_timeout)
            for kind in kinds}


def http_benchmark(data: Path, inferred: Path, base: str, queries: list[dict], *,
                   concurrency: tuple[int, ...] = (8, 32), seconds: float = 10.0,
                   workdir: Path, rdflib_endpoint: bool = True) -> list[dict] | str:
    """HTTP throughput and latency against this service, rdflib-endpoint and ``oxigraph serve``
    holding the same data — the hook for issue 3's load generator.

    ``bench/http_load.py`` (issue 3's load generator) provides it, with this same signature:

    * ``data``: the N-Quads file; ``inferred``: its inferred graph as N-Triples, to be loaded into
      the graph ``{base}graph/inferred`` (every server must hold both);
    * ``queries``: {"name", "sparql", "params"} for each competency query — SPARQL text whose IRIs
      are already under ``base``, and the parameter values (strings) for /queries/<name>;
    * ``concurrency``: the numbers of concurrent clients; ``seconds``: how long each level runs;
    * ``workdir``: where to put stores, logs and ports files;
    * ``rdflib_endpoint``: whether to run rdflib-endpoint too (``--rdflib-endpoint-max``).

    It returns one dict per server and concurrency: {"server": "xiancheng" | "rdflib-endpoint" |
    "oxigraph serve", "concurrency": int, "requests": int, "errors": int, "throughput": requests
    per second, "p50_ms": float, "p99_ms": float}. Here: those rows, or why it did not run.
    """
    try:
        module = importlib.import_module("bench.http_load")
    except ModuleNotFoundError as e:
        return f"not run (bench/http_load.py needs {e.name}: pip install -e '.[bench]')"
    if shutil.which("wrk") is None:
        return "not run (bench/http_load.py needs Debian's wrk: make system-deps)"
    return module.http_benchmark(data, inferred, base, queries, concurrency=concurrency,
                                 seconds=seconds, workdir=workdir, rdflib_endpoint=rdflib_endpoint)


def queries_for_http(summary: dict) -> list[dict]:
    """The competency queries for HTTP peers: parameters bound by VALUES blocks in the text (as
    bench/http_load.py does), so that every server runs the same text."""
    from bench.http_load import with_values
    from bench.measure import adapted_queries

    return [{"name": name, "sparql": with_values(sparql, bindings),
             "params": {k: summary["params"][k] for k in summary["params"] if f"?{k}" in sparql}}
            for name, sparql, bindings in adapted_queries(summary["base"], summary["params"])]


# --- tables ----------------------------------------------------------------------------------------

def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table, its columns aligned for reading in a terminal too."""
    cells = [[str(c) for c in headers]] + [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in cells[1:]])


def seconds(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def ratio(slow, fast) -> str:
    if slow is None or fast is None or fast <= 0:
        return "—"
    return f"{slow / fast:.1f}×"


def pipeline_table(results: dict) -> str:
    rows = []
    for scale, (summary, r) in results.items():
        std, fast = r["standard"], r["fast"]
        for step, label in (("build", "load N-Quads (rdflib Dataset / Oxigraph)"),
                            ("validate", "validate (pyshacl / SHACL as SPARQL)"),
                            ("reason", "reason (owlrl / rules as SPARQL)")):
            s = None if "error" in std else std.get(step)
            f = None if "error" in fast else fast.get(step)
            note = ""
            if step != "build" and "error" not in std and "error" not in fast:
                a, b = std.get(step + "_result"), fast.get(step + "_result")
                note = ("same result" if a == b else f"standard: {a}" if isinstance(a, str)
                        else f"DIFFERENT: {a} vs {b}")
            elif "error" in std and step == "build":
                note = f"standard: {std['error']}"
            if step == "validate" and "error" not in fast:
                note += f"; {'conforms' if fast['validate_result']['conforms'] else 'VIOLATIONS'}"
            if step == "reason" and "error" not in fast:
                note += f"; {fast['reason_result']['inferred']} inferred"
            rows.append([scale, summary["triples"], label, seconds(s), seconds(f), ratio(s, f), note.strip("; ")])
        total_s = None if "error" in std or any(std.get(k) is None for k in ("build", "validate", "reason")) \
            else std["build"] + std["validate"] + std["reason"]
        total_f = None if "error" in fast else fast["build"] + fast["validate"] + fast["reason"]
        rows.append([scale, summary["triples"], "**all three**", seconds(total_s), seconds(total_f),
                     ratio(total_s, total_f), ""])
    return table(["scale", "triples", "step", "standard s", "fast s", "speed-up", "check"], rows)


def store_table(results: dict) -> str:
    rows = []
    for scale, (summary, per_store) in results.items():
        base = per_store.get("oxigraph-memory", {})
        for kind, r in per_store.items():
            if "error" in r:
                rows.append([scale, kind, r["error"], "", "", "", ""])
                continue
            per_triple = r["memory"] / r["triples"]
            disk = f"{r['disk'] / r['triples']:.0f}" if "disk" in r else ""
            rows.append([scale, kind, r["triples"], seconds(r["load"]), seconds(r.get("compact")),
                         f"{per_triple:.0f}", disk,
                         ratio(r["load"], base.get("load")) if kind != "oxigraph-memory" else ""])
    return table(["scale", "store", "triples", "load s", "then compacted s", "RSS bytes/triple",
                  "disk bytes/triple", "load vs Oxigraph memory"], rows)


def query_tables(results: dict) -> str:
    out = []
    for scale, (summary, per_store) in results.items():
        kinds = [k for k, r in per_store.items() if "error" not in r]
        if not kinds:
            continue
        names = sorted(per_store[kinds[0]]["queries"])
        rows = []
        for name in names:
            row = [name, per_store[kinds[0]]["queries"][name]["rows"]]
            for kind in kinds:
                q = per_store[kind]["queries"][name]
                row.append(f"{q['p50'] * 1000:.1f} / {q['p99'] * 1000:.1f}" if q["p50"] is not None
                           else q["error"])
            if "rdflib" in kinds and "oxigraph-memory" in kinds:
                row.append(ratio(per_store["rdflib"]["queries"][name]["p50"],
                                 per_store["oxigraph-memory"]["queries"][name]["p50"]))
            rows.append(row)
        headers = ["query", "rows"] + [f"{k} p50 / p99 ms" for k in kinds]
        headers += ["rdflib ÷ Oxigraph p50"] if "rdflib" in kinds and "oxigraph-memory" in kinds else []
        out.append(f"**{scale}** ({summary['triples']} triples + inferred)\n\n" + table(headers, rows))
    return "\n\n".join(out)


def targets(pipe: dict, store_results: dict) -> str:
    lines = []
    for scale, (summary, per_store) in store_results.items():
        if not TARGETS["scale"] * 0.9 <= summary["triples"] <= TARGETS["scale"] * 1.5:
            continue
        for kind in ("oxigraph-memory", "oxigraph-disk"):
            r = per_store.get(kind)
            if not r or "error" in r:
                continue
            slow = [n for n, q in r["queries"].items()
                    if q["p50"] is None or q["p50"] * 1000 >= TARGETS["query_p50_ms"]]
            per_triple = r["memory"] / r["triples"]
            lines.append(f"- {scale}, {kind}: load {r['load']:.1f} s "
                         f"({'met' if r['load'] < TARGETS['load_s'] else 'MISSED'}: < {TARGETS['load_s']:.0f} s"
                         + (f"; then {r['compact']:.1f} s of compaction, "
                            f"{'within' if r['load'] + r['compact'] < TARGETS['load_s'] else 'over'} the target "
                            "with it" if r.get("compact") is not None else "") + "); "
                         f"{per_triple:.0f} bytes/triple in memory "
                         f"({'met' if per_triple < TARGETS['bytes_per_triple'] else 'MISSED'}: < {TARGETS['bytes_per_triple']}); "
                         f"query p50 < {TARGETS['query_p50_ms']:.0f} ms: "
                         + ("met by every query" if not slow else f"MISSED by {', '.join(sorted(slow))}"))
    return "\n".join(lines) or "- no scale of 1M triples was run"


def http_table(results: dict) -> str:
    out = []
    for scale, rows in results.items():
        if isinstance(rows, str):
            out.append(f"- {scale}: {rows}")
            continue
        by = {(r.get("workload"), r["server"], r["concurrency"]): r for r in rows}
        lines = []
        for r in rows:
            def peer(name, r=r):
                return by.get((r.get("workload"), name, r["concurrency"]), {}).get("throughput")
            lines.append([scale, r.get("workload", ""), r["server"], r["concurrency"], r["requests"],
                          r["errors"], f"{r['throughput']:.0f}", f"{r['p50_ms']:.1f}",
                          f"{r['p99_ms']:.1f}", ratio(r["throughput"], peer("rdflib-endpoint")),
                          ratio(r["throughput"], peer("oxigraph serve"))])
        out.append(table(["scale", "workload", "server", "concurrency", "requests", "errors", "req/s",
                          "p50 ms", "p99 ms", "÷ rdflib-endpoint", "÷ oxigraph serve"], lines))
    return "\n\n".join(out)


def machine() -> str:
    import pyoxigraph
    import rdflib

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{datetime.datetime.now().isoformat(timespec='minutes')}; {platform.machine()}, "
            f"{os.cpu_count()} cores; Python {platform.python_version()}, pyoxigraph "
            f"{pyoxigraph.__version__}, rdflib {rdflib.__version__}; load average {load}")


# --- the command ------------------------------------------------------------------------------------

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="10k,100k,1M", help="comma-separated: 10k, 100k, 1M, 5M …")
    parser.add_argument("--stores", default=",".join(STORES), help="comma-separated: " + ", ".join(STORES))
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each query (after a warm-up)")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds of runs per query at most")
    parser.add_argument("--queries", default="", help="comma-separated names of the queries to time (default: all)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a standard step may take")
    parser.add_argument("--rdflib-max", default="1M", help="largest scale loaded into rdflib")
    parser.add_argument("--rdflib-endpoint-max", default="100k",
                        help="largest scale rdflib-endpoint is run at in the HTTP part (at 1M one pass of "
                             "the competency queries takes it minutes, so the HTTP part takes hours)")
    parser.add_argument("--standard-max", default="1M", help="largest scale the standard pipeline runs at")
    parser.add_argument("--query-timeout", type=float, default=120.0,
                        help="seconds an rdflib query may take (warm-up and runs) before it is stopped")
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: pipeline, stores, http")
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    parser.add_argument("--markdown", help="also write the report to this file")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    started = time.perf_counter()
    header = f"Machine: {machine()}"
    print(header, flush=True)

    pipe, per_store, http = {}, {}, {}
    for scale in args.scales.split(","):
        start = time.perf_counter()
        path, summary = dataset(scale, workdir, args.seed, args.regenerate)
        print(f"\n[{scale}] {summary['triples']} triples in {path} ({time.perf_counter() - start:.1f} s)",
              file=sys.stderr, flush=True)
        if "pipeline" not in skip or not path.with_suffix(".inferred.nt").is_file():
            pipe[scale] = (summary, pipeline(path, summary, args.timeout, synthetic.parse_scale(scale)
                                             <= synthetic.parse_scale(args.standard_max)))
            print(f"[{scale}] pipeline done", file=sys.stderr, flush=True)
        if "stores" not in skip:
            kinds = [k for k in args.stores.split(",") if k != "rdflib"
                     or synthetic.parse_scale(scale) <= synthetic.parse_scale(args.rdflib_max)]
            per_store[scale] = (summary, stores(path, summary, kinds, args.runs, args.budget,
                                                args.timeout * 4, workdir,
                                                [n for n in args.queries.split(",") if n] or None,
                                                args.query_timeout))
            print(f"[{scale}] stores done", file=sys.stderr, flush=True)
        if "http" not in skip:
            http[scale] = http_benchmark(path, path.with_suffix(".inferred.nt"), summary["base"],
                                         queries_for_http(summary), seconds=args.http_seconds,
                                         workdir=workdir, rdflib_endpoint=synthetic.parse_scale(scale)
                                         <= synthetic.parse_scale(args.rdflib_endpoint_max))

    report = [f"# Scale benchmark\n\n`python bench/suite.py {' '.join(argv if argv is not None else sys.argv[1:])}`"
              f"\n\n{header}; finished with load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} after {time.perf_counter() - started:.0f} s."]
    if pipe:
        report.append("## Build → validate → reason\n\n" + pipeline_table(pipe))
    if per_store:
        report.append("## Stores: load and memory\n\n" + store_table(per_store))
        report.append("## Competency queries (time to run and serialise as JSON)\n\n" + query_tables(per_store))
        report.append("## Targets at 1M triples\n\n" + targets(pipe, per_store))
    if http:
        report.append("## HTTP (concurrency 8 and 32)\n\n" + http_table(http))
    text = "\n\n".join(report) + "\n"
    print("\n" + text)
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
