"""What one write costs, by kind and by step (no HTTP): the shapes check, the inferences, the
commit (journal, checkpoint, publish) and the rest (evaluating the update).

    .venv/bin/python bench/writecost.py [--repeat 10]

It seeds a live store from the current release in a temporary directory and runs each kind of
write ``repeat`` times, printing the median milliseconds of the whole write and of each step,
and, for comparison, what re-running owlrl on everything would cost per write.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from xiancheng.graph.gate import ShapeGate
from xiancheng.graph.incremental import Inferences
from xiancheng.graph.livestore import LiveStore
from xiancheng.graph.release import make_release
from xiancheng.graph.writes import Agent, Writer

P = ("PREFIX xc: <https://kg.xiancheng.example/def/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
     "PREFIX d: <https://kg.xiancheng.example/id/division/> ")
G = "https://kg.xiancheng.example/graph/"


def kinds(i: int) -> dict[str, str]:
    return {
        "untyped triples (no shape applies)":
            f'INSERT DATA {{ GRAPH <urn:bench:g> {{ <urn:bench:w{i}> <urn:bench:n> {i} }} }}',
        "label edit (shapes checked)":
            P + f'''DELETE {{ GRAPH <{G}divisions> {{ d:141182 rdfs:label ?old }} }}
                    INSERT {{ GRAPH <{G}divisions> {{ d:141182 rdfs:label "Fenyang {i}"@en }} }}
                    WHERE {{ GRAPH <{G}divisions> {{ d:141182 rdfs:label ?old FILTER(lang(?old) = "en") }} }}''',
        "move a county (shapes + inferences)":
            P + f'''DELETE {{ GRAPH <{G}divisions> {{ d:141182 xc:parentDivision ?p }} }}
                    INSERT {{ GRAPH <{G}divisions> {{ d:141182 xc:parentDivision {"d:140100" if i % 2 == 0 else "d:141100"} }} }}
                    WHERE {{ GRAPH <{G}divisions> {{ d:141182 xc:parentDivision ?p }} }}''',
        "rejected (violates the shapes)":
            P + f'INSERT DATA {{ GRAPH <{G}divisions> {{ d:1499{i % 100:02d} a xc:County }} }}',
    }


class Timed:
    """Wraps a method to add up the time spent in it."""

    def __init__(self, obj, name):
        self.obj, self.name, self.total = obj, name, 0.0
        self.inner = getattr(obj, name)
        setattr(obj, name, self)

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.total += time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xiancheng-writecost-"))
    try:
        release = make_release(work / "releases")
        live = LiveStore(work / "live").open_writer(release)
        writer = Writer(live, "https://kg.xiancheng.example/")
        agent = Agent("bench", "admin")
        writer.update(kinds(0)["untyped triples (no shape applies)"], agent)   # start the parser process
        steps = {"shapes": Timed(writer.gate, "check"), "inferences": Timed(writer.inferences, "update"),
                 "commit": Timed(live, "commit")}
        print(f"{'write':<40}{'total ms':>10}{'shapes':>9}{'infer':>9}{'commit':>9}{'other':>9}")
        for kind in kinds(0):
            totals, parts = [], {k: [] for k in steps}
            for i in range(1, args.repeat + 1):
                before = {k: s.total for k, s in steps.items()}
                start = time.perf_counter()
                try:
                    writer.update(kinds(i)[kind], agent)
                except Exception as e:   # the rejected kind
                    if "Violates" not in type(e).__name__ and "Rejected" not in type(e).__name__:
                        raise
                totals.append(time.perf_counter() - start)
                for k, s in steps.items():
                    parts[k].append(s.total - before[k])
            total = statistics.median(totals) * 1000
            med = {k: statistics.median(v) * 1000 for k, v in parts.items()}
            other = total - sum(med.values())
            print(f"{kind:<40}{total:>10.0f}{med['shapes']:>9.0f}{med['inferences']:>9.0f}"
                  f"{med['commit']:>9.0f}{other:>9.0f}")
        start = time.perf_counter()
        Inferences(live.meta["inferred_graph"], G + "ontology", {G + "changes"}).full(live.primary)
        print(f"\nfor comparison: owlrl over the whole dataset (what a non-incremental write would pay): "
              f"{(time.perf_counter() - start) * 1000:.0f} ms")
        start = time.perf_counter()
        from xiancheng.graph.gate import AssertedView
        ShapeGate().check(None, AssertedView(live.primary, writer.hidden), full=True)
        print(f"               pyshacl over the whole dataset: {(time.perf_counter() - start) * 1000:.0f} ms")
        writer.close()
        live.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
