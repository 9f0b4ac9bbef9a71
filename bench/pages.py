"""Time the linked-data pages over real HTTP against `xiancheng serve` (waitress) on a free port.

For every division: the page's first rendering (cold), the page again (from the page cache), and,
in the same run as peers, the division's Turtle document and the same resource described through
/sparql (a CONSTRUCT of its triples, first time). Also the search (zh, pinyin, English), an
indicator page, the ontology documentation, and warm pages under 8 concurrent clients.

    python bench/pages.py [--data-dir var] [--clients 8]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, accept: str = "text/html") -> tuple[int, float]:
        start = time.perf_counter()
        self.conn.request("GET", path, headers={"Accept": accept, "Accept-Language": "zh-CN"})
        response = self.conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - start) * 1000


def summary(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return f"median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   n={len(times)}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", help="data directory with a release (default: a fresh one)")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="xiancheng-bench-")
    port = free_port()
    env = {**os.environ, "XIANCHENG_DATA_DIR": data_dir, "XIANCHENG_PORT": str(port)}
    log = open(Path(data_dir) / "bench-server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "xiancheng", "serve"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if Client(port).get("/sparql?query=ASK%7B%7D", "application/sparql-results+json")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start; see " + log.name)
                time.sleep(0.2)
        run(port, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(port: int, clients: int) -> None:
    from xiancheng.graph.build import SOURCES_DIR

    codes = [line.split(",", 1)[0] for line in (SOURCES_DIR / "divisions.csv").read_text().splitlines()[1:]]
    c = Client(port)
    cold, warm, ttl, sparql = [], [], [], []
    for code in codes:
        path = f"/id/division/{code}"
        query = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                 f"FILTER(?s = <https://kg.xiancheng.example/id/division/{code}>) }}")
        status, t = c.get("/sparql?" + urllib.parse.urlencode({"query": query}), "text/turtle")
        assert status == 200
        sparql.append(t)
        for target, path_ in ((cold, path + ".html"), (warm, path + ".html"), (ttl, path + ".ttl")):
            status, t = c.get(path_, "*/*")
            assert status == 200, (path_, status)
            target.append(t)
    print(f"division page, first rendering      {summary(cold)}")
    print(f"division page, again (page cache)   {summary(warm)}")
    print(f"peer: division as Turtle (.ttl)     {summary(ttl)}")
    print(f"peer: /sparql CONSTRUCT, first time {summary(sparql)}")
    print(f"ratio first page / first CONSTRUCT  {statistics.median(cold) / statistics.median(sparql):7.2f}")
    searches = ["汾阳", "fenyang", "fen yang", "Fenyang", "汾酒", "changzhi", "太原", "lvliang", "county", "专业镇"]
    first = [c.get("/search.json?" + urllib.parse.urlencode({"q": q}), "application/json")[1] for q in searches]
    again = [c.get("/search.json?" + urllib.parse.urlencode({"q": q}), "application/json")[1] for q in searches]
    print(f"search (first is the index build)   first {first[0]:.0f} ms, then {summary(first[1:] + again)}")
    for path in ("/id/indicator/resident-population.html", "/def/xiancheng.html", "/browse/County", "/dataset"):
        times = [c.get(path)[1] for _ in range(5)]
        print(f"{path:40s}first {times[0]:7.2f} ms, then {summary(times[1:])}")
    paths = [f"/id/division/{code}.html" for code in codes] * 4

    def worker(chunk):
        client = Client(port)
        return [client.get(p)[1] for p in chunk]
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        results = [t for ts in pool.map(worker, [paths[i::clients] for i in range(clients)]) for t in ts]
    elapsed = time.perf_counter() - start
    print(f"warm pages, {clients} clients           {len(results) / elapsed:7.0f} pages/s   {summary(results)}")


if __name__ == "__main__":
    main()
