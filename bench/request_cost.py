"""What a first-time SPARQL request costs in the HTTP process, stage by stage.

The WSGI app is called in-process (no HTTP server, no client) with unique requests for one
competency query, so that no cache answers, three ways:

* with its real query worker (the query runs in another process, as when serving);
* with an engine that answers at once (the worker's answer to the same query, replayed): what is
  left is this process's own work (``--wait S``: the engine first blocks S seconds, as waiting
  for a worker does, which shows what a blocking wait costs on the machine);
* the same, with each hook and step timed by ``time.perf_counter`` (the authentication, budget,
  hardening and metrics hooks, flask-cors, decoding the query string, the screen, content
  negotiation, the result-cache key).

It prints the p50 wall time and the CPU time per request of each way, then the stages. The
query's own p50 on pyoxigraph in-process is printed too, for the added latency.

    python bench/request_cost.py [--query press-conference] [--requests 1500] [--data-dir var]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:   # run as a script: `bench` is importable from the checkout
    sys.path.insert(0, str(ROOT))


def environs(text: str, n: int, tag: str) -> list[dict]:
    from werkzeug.test import EnvironBuilder

    return [EnvironBuilder(path="/sparql", query_string="query=" + quote(f"{text}\n#{tag}{i}"),
                           headers={"Accept": "application/sparql-results+json"}).get_environ()
            for i in range(n)]


def run(app, envs: list[dict]) -> tuple[float, float]:
    """p50 wall ms and CPU ms per request of answering ``envs`` one after the other."""
    times = []
    cpu = time.process_time()
    for environ in envs:
        status = []
        start = time.perf_counter()
        b"".join(app(environ, lambda s, h, exc=None: status.append(s)))
        times.append(time.perf_counter() - start)
        if not status[0].startswith("200"):
            raise RuntimeError(f"the service answered {status[0]}")
    return statistics.median(times) * 1000, (time.process_time() - cpu) / len(envs) * 1000


def innermost(backend):
    """The query backend under the metering wrappers, and the wrapper that holds it."""
    holder = None
    while True:
        for attribute in ("backend", "inner"):
            inner = getattr(type(backend), attribute, None) is None and backend.__dict__.get(attribute)
            if inner:
                holder, backend = (backend, attribute), inner
                break
        else:
            return holder, backend


class Replay:
    """An engine that answers with a recorded answer: at once, or after blocking ``wait`` s."""

    def __init__(self, answer, real, wait: float = 0.0):
        self.answer, self.real, self.wait = answer, real, wait

    def run(self, job, deadline=None):
        if self.wait:
            time.sleep(self.wait)
        return self.answer

    def __getattr__(self, name):
        return getattr(self.real, name)


def timed(table: dict, label: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            table[label] = table.get(label, 0.0) + time.perf_counter() - start
    return wrapper


def instrument(app, table: dict) -> None:
    from xiancheng.service import core, hardening, sparql

    for funcs in list(app.before_request_funcs.values()) + list(app.after_request_funcs.values()):
        for i, f in enumerate(funcs):
            name = f.__qualname__.replace(".<locals>", "")
            funcs[i] = timed(table, f"hook {f.__module__.rsplit('.', 1)[-1]}.{name}", f)
    hardening.strict_pairs = timed(table, "  decoding the query string", hardening.strict_pairs)
    core.Service.screen = timed(table, "screen", core.Service.screen)
    sparql.choose = timed(table, "content negotiation (format)", sparql.choose)
    sparql.language = timed(table, "content negotiation (language)", sparql.language)
    sparql.base_iri = timed(table, "base IRI", sparql.base_iri)
    core.cache_key = timed(table, "result-cache key", core.cache_key)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--query", default="press-conference", help="a named competency query")
    parser.add_argument("--requests", type=int, default=1500, help="requests per way")
    parser.add_argument("--data-dir", help="use this data directory (default: the settings')")
    parser.add_argument("--wait", type=float, default=0.0,
                        help="the replayed engine blocks this many seconds before answering, as "
                             "waiting for a query worker does (what a blocking wait costs here)")
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    from bench.http_load import competency_queries
    from xiancheng.graph.workers import Job
    from xiancheng.service import create_app
    from xiancheng.settings import load_settings

    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    app = create_app(load_settings(access_log=False, query_budget=0, query_workers=1, **overrides))
    service = app.extensions["xiancheng"]
    text = competency_queries(service.minter)[args.query]
    n = args.requests

    store = ox.Store()
    store.bulk_load(gzip.decompress(service.release.file("nquads").read_bytes()), ox.RdfFormat.N_QUADS)
    engine = []
    for i in range(max(20, n // 5)):
        start = time.perf_counter()
        store.query(f"{text}\n#{i}", use_default_graph_as_union=True).serialize(
            format=ox.QueryResultsFormat.JSON)
        engine.append(time.perf_counter() - start)
    engine_p50 = statistics.median(engine) * 1000
    del store

    run(app, environs(text, 100, "warm"))
    real_wall, real_cpu = run(app, environs(text, n, "real"))
    (holder, attribute), pool = innermost(service.backend)
    setattr(holder, attribute, Replay(pool.run(Job(text, "select")), pool, args.wait))
    run(app, environs(text, 100, "warm-replay"))
    replay_wall, replay_cpu = run(app, environs(text, n, "replay"))
    table: dict[str, float] = {}
    instrument(app, table)
    timed_wall, timed_cpu = run(app, environs(text, n, "timed"))
    setattr(holder, attribute, pool)
    pool.close()

    print(f"{args.query}: {n} unique requests each way; release {service.release.id}")
    print(f"pyoxigraph in-process (query and JSON): p50 {engine_p50:.3f} ms\n")
    print("| way | p50 ms | CPU ms per request (this process) |")
    print("|---|---:|---:|")
    print(f"| with the query worker | {real_wall:.3f} (+{real_wall - engine_p50:.3f} over pyoxigraph) "
          f"| {real_cpu:.3f} |")
    way = f"an engine that answers after blocking {args.wait * 1000:g} ms" if args.wait else \
        "an engine that answers at once"
    print(f"| {way} | {replay_wall:.3f} | {replay_cpu:.3f} |")
    print(f"| the same, stages timed | {timed_wall:.3f} | {timed_cpu:.3f} |\n")
    print(f"| stage ({way}) | ms per request |")
    print("|---|---:|")
    for label, seconds in sorted(table.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {seconds / n * 1000:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
