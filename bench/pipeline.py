"""Time the build → validate → reason → release pipeline on the shipped data.

Prints each step, the whole pipeline (target: under 5 s on a 2-core machine), and, measured in the
same run, the naive alternatives it replaces: validating and reasoning one after the other, and
owlrl's full OWL-RL closure of the whole dataset.

    python bench/pipeline.py [--runs 3] [--skip-naive]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def timed(fn, runs):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow full-closure peer")
    args = parser.parse_args()

    import owlrl

    from xiancheng.graph import build_dataset
    from xiancheng.graph.reason import reason
    from xiancheng.graph.release import make_release
    from xiancheng.graph.validate import validate_dataset

    rows = []
    t_build, built = timed(build_dataset, args.runs)
    rows.append(("build (read sources, make graphs)", t_build))
    t_validate, result = timed(lambda: validate_dataset(built), args.runs)
    assert result.conforms
    rows.append(("validate (pyshacl)", t_validate))
    t_reason, _ = timed(lambda: reason(build_dataset()), args.runs)
    rows.append(("reason (owlrl, focused; includes a build)", t_reason - t_build))

    def pipeline():
        with tempfile.TemporaryDirectory() as tmp:
            return make_release(Path(tmp) / "releases")
    t_pipeline, release = timed(pipeline, args.runs)
    rows.append(("whole pipeline (validation and reasoning in parallel)", t_pipeline))
    serial = t_build + t_validate + (t_reason - t_build)
    rows.append(("peer: build + validate + reason one after the other", serial))
    if not args.skip_naive:
        def full_closure():
            g = build_dataset().union()
            owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
        t_full, _ = timed(full_closure, 1)
        rows.append(("peer: owlrl full OWL-RL closure of the dataset (1 run)", t_full))

    print(f"shipped data: {release.triples} triples in {len(release.graphs)} graphs "
          f"(median of {args.runs} runs)\n")
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"  {name:<{width}}  {seconds:6.2f} s")
    print()
    print(f"  target 5 s: pipeline takes {t_pipeline / 5:.0%} of it")
    print(f"  speed-up over one-after-the-other: {serial / t_pipeline:.2f}x")
    if not args.skip_naive:
        print(f"  speed-up of focused reasoning over the full closure: {t_full / (t_reason - t_build):.1f}x")


if __name__ == "__main__":
    main()
