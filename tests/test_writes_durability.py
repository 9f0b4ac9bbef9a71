"""Durability: every acknowledged write survives ``kill -9`` of the server at any moment, and no
reader ever sees half of a write.

A real server (``xiancheng serve``, granian) takes a stream of writes from a few client threads while a reader
checks, all along, that each write's two triples are there together or not at all. The server
is killed with SIGKILL at a random moment, restarted on the same data directory, and so on; at
the end every write that was answered 200 must be in the store, and still whole.
"""

from __future__ import annotations

import http.client
import itertools
import random
import signal
import threading
import time

import psutil

from writable import Client, start_writable, writable_data_dir

ROUNDS = 3


def _write(i: int) -> str:
    return (f'INSERT DATA {{ GRAPH <urn:crash:log> {{ <urn:crash:w{i}> <urn:crash:n> {i} ; '
            f'<urn:crash:half> "second triple of {i}" }} }}')


def kill_tree(pid: int) -> None:
    """SIGKILL the server and every process it started (granian's worker, which holds the app and
    the writer; the query workers; the parser), all at once, as a crash or the OOM killer would."""
    parent = psutil.Process(pid)
    processes = [parent, *parent.children(recursive=True)]
    for process in processes:
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(processes, timeout=10)


WRITES_SEEN = """SELECT ?w (COUNT(?p) AS ?parts) WHERE { GRAPH <urn:crash:log> { ?w ?p ?o } } GROUP BY ?w"""


def test_acknowledged_writes_survive_kill_9(release, tmp_path):
    data_dir, tokens = writable_data_dir(release, tmp_path / "data", {"writer": "write"})
    counter = itertools.count()
    acknowledged: set[int] = set()
    torn: list[str] = []
    rng = random.Random(7)
    for round_ in range(ROUNDS):
        server = start_writable(data_dir, tmp_path / f"server-{round_}.log", query_budget=0)
        client = Client(server.url, tokens["writer"])
        stop = threading.Event()
        acknowledged_this_round = []

        def writer():
            while not stop.is_set():
                i = next(counter)
                try:
                    r = client.update(_write(i), timeout=30)
                except (OSError, http.client.HTTPException):
                    return                      # the server is gone (perhaps mid-answer)
                if r.status == 200:
                    acknowledged_this_round.append(i)

        def reader():
            while not stop.is_set():
                try:
                    rows = client.select(WRITES_SEEN)
                except (OSError, http.client.HTTPException, AssertionError, ValueError):
                    return                      # the server is gone
                torn.extend(r["w"] for r in rows if r["parts"] != "2")

        threads = [threading.Thread(target=writer) for _ in range(3)] + [threading.Thread(target=reader)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while not acknowledged_this_round and time.monotonic() < deadline:
            time.sleep(0.05)     # writes are flowing: now kill at a random moment
        time.sleep(rng.uniform(0.5, 2.5))
        kill_tree(server.process.pid)
        server.process.wait()
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert acknowledged_this_round, f"round {round_}: no write was acknowledged:\n{server.log_text()[-2000:]}"
        acknowledged.update(acknowledged_this_round)

    server = start_writable(data_dir, tmp_path / "server-final.log", query_budget=0)
    try:
        rows = Client(server.url).select(WRITES_SEEN)
    finally:
        server.stop()
    present = {int(r["w"].rsplit("w", 1)[-1]): r["parts"] for r in rows}
    missing = sorted(acknowledged - set(present))
    assert not missing, f"{len(missing)} acknowledged writes lost: {missing[:10]}"
    assert all(parts == "2" for parts in present.values()), "a write is there in part"
    assert not torn, f"a reader saw half of a write: {torn[:5]}"
    assert len(acknowledged) >= ROUNDS
    print(f"{len(acknowledged)} acknowledged writes over {ROUNDS} kills, all present")
