"""Load test: 32 concurrent clients mixing queries, page views, graph reads and writes against a
real server (waitress) on 127.0.0.1, for a bounded time (locust, as a library).

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/loadtest.py --minutes 3 --users 32

It builds (or reuses) a release in a temporary data directory, gives each simulated client a read
token of its own (the query budget is per client, as on the Wikidata Query Service) and the
writers a write token, starts ``xiancheng serve``, runs the mix, samples the memory of the whole
server process tree, and at the end checks that every write that was answered 200 is in the
store. It prints a table and exits non-zero if any request failed, any acknowledged write is
missing, or memory grew more than 10% from the middle third of the run to the last.

Resource pages, search and the network API (exploration) are included where the server offers
them (each candidate URL is tried once before the run).
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402
from locust import HttpUser, constant, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = ["141182", "140105", "140212", "140525", "140802", "141024", "140602", "140981"]
WRITE_IDS = itertools.count()
ACKNOWLEDGED: list[int] = []
STATE: dict = {}

QUERIES = [
    "PREFIX xc: <https://kg.xiancheng.example/def/> SELECT ?type (COUNT(?x) AS ?n) WHERE {{ ?x a ?type }} "
    "GROUP BY ?type ORDER BY DESC(?n) LIMIT {limit}",
    "PREFIX xc: <https://kg.xiancheng.example/def/> PREFIX xcf: <https://kg.xiancheng.example/def/function/> "
    "SELECT ?d (xcf:label(?d) AS ?name) WHERE {{ ?d xc:divisionCode \"{code}\" }}",
    "PREFIX xc: <https://kg.xiancheng.example/def/> SELECT ?p ?o WHERE {{ "
    "<https://kg.xiancheng.example/id/division/{code}> ?p ?o }} LIMIT {limit}",
    "PREFIX xc: <https://kg.xiancheng.example/def/> ASK {{ <https://kg.xiancheng.example/id/division/{code}> "
    "xc:partOf <https://kg.xiancheng.example/id/division/140000> }}",
]
NAMED = [("county-profile", {"county": "{code}"}), ("sponge-city-counties", {}),
         ("figures-for-year", {"year": "2023"}), ("prefecture-contents", {"prefecture": "141100"}),
         ("provincial-specialty-towns", {}), ("indicators", {})]


FENYANG = "https%3A%2F%2Fkg.xiancheng.example%2Fid%2Fdivision%2F141182"
# pages and exploration calls, where the server offers them (issues 4 and 5)
CANDIDATE_PAGES = ["/", "/queries", "/sparql", "/id/division/141182", "/search?q=%E6%B1%BE%E9%98%B3",
                   "/browse/", "/explore"]
CANDIDATE_EXPLORATION = ["/network/search?q=%E6%B1%BE%E9%98%B3", f"/network/neighbours?iri={FENYANG}",
                         f"/network/entity?iri={FENYANG}", "/network/centrality?limit=10"]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html,application/json"}),
                                    timeout=60) as response:
            return response.status == 200
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class KGUser(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.token = STATE["read_tokens"].pop()
        self.client.headers["Authorization"] = f"Bearer {self.token}"

    def _fill(self, text: str) -> str:
        return text.format(code=random.choice(COUNTIES), limit=random.randint(5, 50))

    @task(5)
    def sparql_query(self):
        query = self._fill(random.choice(QUERIES))
        self.client.get("/sparql", params={"query": query}, name="/sparql (query)")

    @task(4)
    def named_query(self):
        name, params = random.choice(NAMED)
        self.client.get(f"/queries/{name}", params={k: self._fill(v) for k, v in params.items()},
                        name="/queries/<name>")

    @task(2)
    def page_view(self):
        path = random.choice(STATE["pages"])
        self.client.get(path, headers={"Accept": "text/html"}, name="page " + path.split("?")[0])

    @task(1)
    def graph_read(self):
        self.client.get("/store", params={"graph": "https://kg.xiancheng.example/graph/figures"},
                        headers={"Accept": "application/n-triples"}, name="/store GET")

    @task(2)
    def explore(self):
        if STATE["explore"]:
            path = random.choice(STATE["explore"])
            self.client.get(path, name="exploration " + path.split("?")[0])

    @task(1)
    def write(self):
        i = next(WRITE_IDS)
        update = (f"INSERT DATA {{ GRAPH <urn:load:graph> {{ <urn:load:write-{i}> <urn:load:n> {i} ; "
                  f"<urn:load:at> \"{time.time()}\" }} }}")
        with self.client.post("/update", data=update.encode(), name="/update (write)", catch_response=True,
                              headers={"Content-Type": "application/sparql-update",
                                       "Authorization": f"Bearer {STATE['write_token']}"}) as r:
            if r.status_code == 200:
                ACKNOWLEDGED.append(i)
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")


def prepare(data_dir: Path, users: int) -> tuple[str, list[str]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from xiancheng.graph.release import make_release
    from xiancheng.service.auth import create_token

    make_release(data_dir / "releases")
    write = create_token(data_dir / "tokens.toml", "load-writer", "write")
    reads = [create_token(data_dir / "tokens.toml", f"load-client-{i}", "read") for i in range(users)]
    return write, reads


def start_server(data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "XIANCHENG_DATA_DIR": str(data_dir), "XIANCHENG_PORT": str(port),
           "XIANCHENG_THREADS": "16"}
    process = subprocess.Popen([sys.executable, "-m", "xiancheng", "serve"], env=env,
                               stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def tree_rss(pid: int) -> int:
    try:
        parent = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)])
    except psutil.Error:
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="xiancheng-load-"))
    data_dir = work / "data"
    write_token, read_tokens = prepare(data_dir, args.users)
    STATE.update(write_token=write_token, read_tokens=read_tokens)
    port = free_port()
    server = start_server(data_dir, port, work / "server.log")
    url = f"http://127.0.0.1:{port}"
    STATE["pages"] = [p for p in CANDIDATE_PAGES if _answers(url + p)]
    STATE["explore"] = [p for p in CANDIDATE_EXPLORATION if _answers(url + p)]

    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append((time.monotonic(), tree_rss(server.pid)))
            stop.wait(5)

    sampler = gevent.spawn(sample)
    env = Environment(user_classes=[KGUser], host=url, events=events)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.users)
    gevent.spawn_later(args.minutes * 60, runner.quit)
    runner.greenlet.join()
    elapsed = time.monotonic() - started
    stop.set()
    sampler.join()

    # every acknowledged write must be there
    query = "SELECT ?n WHERE { GRAPH <urn:load:graph> { ?w <urn:load:n> ?n } }"
    request = urllib.request.Request(url + "/sparql", data=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json",
        "Authorization": f"Bearer {write_token}"})
    rows = json.load(urllib.request.urlopen(request, timeout=60))["results"]["bindings"]
    present = {int(r["n"]["value"]) for r in rows}
    missing = sorted(set(ACKNOWLEDGED) - present)
    server.terminate()
    server.wait(timeout=30)

    total = env.stats.total
    print(f"\nload test: {args.users} clients for {elapsed:.0f} s against {url} (granian, 2 query workers)")
    print(f"{'request':<28}{'count':>8}{'fail':>6}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for (name, method), entry in sorted(env.stats.entries.items()):
        print(f"{name:<28}{entry.num_requests:>8}{entry.num_failures:>6}{entry.num_requests / elapsed:>8.1f}"
              f"{entry.get_response_time_percentile(0.5):>9.0f}{entry.get_response_time_percentile(0.95):>9.0f}"
              f"{entry.get_response_time_percentile(0.99):>9.0f}")
    print(f"{'total':<28}{total.num_requests:>8}{total.num_failures:>6}{total.num_requests / elapsed:>8.1f}"
          f"{total.get_response_time_percentile(0.5):>9.0f}{total.get_response_time_percentile(0.95):>9.0f}"
          f"{total.get_response_time_percentile(0.99):>9.0f}")
    for error in list(env.stats.errors.values())[:10]:
        print(f"  error: {error.occurrences} x {error.method} {error.name}: {error.error}")
    # memory: the mean of the second third of the run against the mean of the last third
    t0 = samples[0][0]
    span = samples[-1][0] - t0
    middle = [rss / 2**20 for t, rss in samples if span / 3 <= t - t0 < 2 * span / 3] or [samples[0][1] / 2**20]
    last = [rss / 2**20 for t, rss in samples if t - t0 >= 2 * span / 3] or [samples[-1][1] / 2**20]
    growth = (sum(last) / len(last)) / (sum(middle) / len(middle)) - 1
    print(f"memory of the server's processes (server, query workers, parser): start {samples[0][1] / 2**20:.0f} MB, "
          f"middle third {sum(middle) / len(middle):.0f} MB, last third {sum(last) / len(last):.0f} MB "
          f"({growth:+.1%}), max {max(rss for _, rss in samples) / 2**20:.0f} MB ({len(samples)} samples every 5 s)")
    print(f"writes: {len(ACKNOWLEDGED)} acknowledged, {len(ACKNOWLEDGED) - len(missing)} present afterwards, "
          f"{len(missing)} missing; pages: {len(STATE['pages'])}, exploration calls: {len(STATE['explore'])}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"data and server log kept in {work}")
    ok = total.num_failures == 0 and not missing and growth < 0.1 and ACKNOWLEDGED
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
