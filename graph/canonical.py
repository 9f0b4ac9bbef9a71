"""Canonical Turtle for the files kept in the repository (ontology modules, shapes, examples).

Re-serialising a canonical file gives the same bytes, so diffs show only real changes.  The form
is rdflib's ``longturtle`` with the project's prefixes; ``make format`` rewrites the files.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .namespaces import (DESIGNATION_STATUS, DIVISION_LEVEL, EVENT_TYPE, OBSERVATION_STATUS,
                         PREFIXES, PROGRAMME_TYPE, ROLE, SHAPES, TOWN_LEVEL)

FIX_COMMAND = "make format"

_EXTRA = {"xcdl": DIVISION_LEVEL, "xcds": DESIGNATION_STATUS, "xcet": EVENT_TYPE,
          "xcos": OBSERVATION_STATUS, "xcpt": PROGRAMME_TYPE, "xcrole": ROLE, "xcsh": SHAPES,
          "xcsl": TOWN_LEVEL}


def canonical_turtle(data: bytes | str, source_format: str = "turtle") -> bytes:
    g = Graph(bind_namespaces="none")
    g.parse(data=data, format=source_format)
    used = {str(term) for triple in g for term in triple}
    for prefix, ns in {**PREFIXES, **_EXTRA}.items():
        if any(t.startswith(str(ns)) for t in used):
            g.bind(prefix, ns, override=True, replace=True)
    return g.serialize(format="longturtle", encoding="utf-8")


def non_canonical(paths: list[Path]) -> list[Path]:
    """The files among ``paths`` that are not in canonical form."""
    return [p for p in map(Path, paths) if canonical_turtle(p.read_bytes()) != p.read_bytes()]


def write_canonical(paths: list[Path]) -> list[Path]:
    changed = []
    for path in map(Path, paths):
        data = canonical_turtle(path.read_bytes())
        if data != path.read_bytes():
            path.write_bytes(data)
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m xiancheng.graph.canonical [--check] FILE…``"""
    import sys

    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    paths = [Path(a) for a in args if a != "--check"]
    if check:
        bad = non_canonical(paths)
        for path in bad:
            print(f"{path}: not canonical Turtle; run `{FIX_COMMAND}`", file=sys.stderr)
        return 1 if bad else 0
    for path in write_canonical(paths):
        print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
