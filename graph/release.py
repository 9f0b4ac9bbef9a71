"""The pipeline build → validate → reason → release, and reading releases back.

A release is a directory ``<releases>/<id>/`` holding the dataset as TriG and gzipped N-Quads,
the validation report and ``release.json`` (id, date, graphs and their sizes, file checksums).
The id is derived from the inputs (sources, ontology, base IRI, version), so rebuilding unchanged
sources gives the same id. Files are written to a temporary directory, flushed to disk and then
renamed into place, so an interrupted build never leaves a half-written release; the pointer
``<releases>/current`` is replaced the same way.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
from rdflib import Graph

from .build import (ONTOLOGY_DIR, ONTOLOGY_FILES, SHAPES_FILE, SOURCES_DIR, BuildError,
                    BuiltDataset, build_dataset)
from .engines import choose as choose_engine
from .engines import validate_and_reason
from .namespaces import DEFAULT_BASE, PREFIXES
from .reason import reason
from .validate import ValidationResult, _violations, validate_dataset

FORMATS = {"trig": "dataset.trig", "nquads": "dataset.nq.gz"}


def _version() -> str:
    try:
        from xiancheng import __version__
    except ImportError:  # pragma: no cover - graph used on its own
        return "0"
    return __version__


class ValidationFailed(BuildError):
    """The built data violates the shapes; ``result`` holds the report."""

    def __init__(self, result: ValidationResult):
        self.result = result
        super().__init__(result.text())


@dataclass
class Release:
    path: Path
    meta: dict

    @property
    def id(self) -> str:
        return self.meta["id"]

    def file(self, kind: str) -> Path:
        return self.path / FORMATS[kind]

    @property
    def graphs(self) -> dict[str, dict]:
        return self.meta["graphs"]

    @property
    def triples(self) -> int:
        return sum(g["triples"] for g in self.graphs.values())


def input_digest(sources_dir: Path, ontology_dir: Path, base: str) -> str:
    h = hashlib.sha256()
    h.update(f"xiancheng {_version()}\nbase {base}\n".encode())
    files = sorted(Path(sources_dir).iterdir()) + [Path(ontology_dir) / n for n in
                                                   ONTOLOGY_FILES + [SHAPES_FILE]]
    for path in files:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, never a part:
    a temporary file beside it, fsync, rename, fsync of the directory."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _write(path: Path, data: bytes) -> str:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return hashlib.sha256(data).hexdigest()


def make_release(releases_dir: Path, sources_dir: Path = SOURCES_DIR,
                 ontology_dir: Path = ONTOLOGY_DIR, base: str = DEFAULT_BASE,
                 progress: Callable[[str], None] | None = None, force: bool = False,
                 engine: str = "auto") -> Release:
    """Build, validate and reason, then write the release; raise ``BuildError`` (or
    ``ValidationFailed``) without writing anything if a step fails. ``engine`` validates and
    reasons: ``standard`` (pyshacl, owlrl), ``fast`` (SPARQL on Oxigraph) or ``auto`` (by size;
    see ``engines.py``)."""
    step = progress or (lambda name: None)
    releases_dir = Path(releases_dir)
    digest = input_digest(sources_dir, ontology_dir, base)
    release_id = f"{_version()}-{digest[:12]}"
    final = releases_dir / release_id
    if final.exists() and not force:
        release = open_release(final)
        set_current(releases_dir, release_id)
        return release

    step("build")
    built = build_dataset(sources_dir, ontology_dir, base)
    step("validate and reason")
    engine = choose_engine(engine, triples=len(built.dataset))
    result = validate_and_reason(built) if engine == "fast" else _validate_while_reasoning(built)
    if not result.conforms:
        raise ValidationFailed(result)
    step("write")
    nquads = built.dataset.serialize(format="nquads", encoding="utf-8")
    report = result.report.serialize(format="turtle", encoding="utf-8")
    graphs = {name: {"iri": str(iri), "triples": len(built.dataset.graph(iri))}
              for name, iri in built.graphs.items()}
    return _publish(releases_dir, release_id, nquads, graphs, {"validation.ttl": report},
                    {"base": built.minter.base, "input_sha256": digest, "conforms": True,
                     "engine": engine})


def release_from_quads(releases_dir: Path, nquads: bytes | str, graphs: dict[str, str] | None = None,
                       base: str = DEFAULT_BASE) -> Release:
    """Write a release holding exactly the given quads (N-Quads), without building, validating or
    reasoning, and make it current: a way to serve a dataset other than the shipped one (the W3C
    protocol tests' data, a benchmark's). Every quad must be in a named graph (the service's
    default graph is the union of the named graphs). ``graphs`` maps release graph names to IRIs;
    a graph not in it is named after the last segment of its IRI. The release id is derived from
    the quads, and ``release.json`` says ``"conforms": null`` (nothing was validated)."""
    data = nquads.encode("utf-8") if isinstance(nquads, str) else bytes(nquads)
    counts: dict[str, int] = {}
    for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise ValueError(f"the triple {quad.triple} is in the default graph; give every "
                             "triple a named graph")
        counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    names = {iri: name for name, iri in (graphs or {}).items()}
    described: dict[str, dict] = {}
    for iri, triples in sorted(counts.items()):
        name = names.get(iri) or iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or "graph"
        while name in described:
            name += "-"
        described[name] = {"iri": iri, "triples": triples}
    digest = hashlib.sha256(json.dumps([base, sorted(names.items())]).encode() + b"\0" + data).hexdigest()
    return _publish(releases_dir, f"{_version()}-quads-{digest[:12]}", data, described, {},
                    {"base": base, "input_sha256": digest, "conforms": None})


def _publish(releases_dir: Path, release_id: str, nquads: bytes, graphs: dict[str, dict],
             extra_files: dict[str, bytes], meta: dict) -> Release:
    """Write the release's files to a temporary directory, flush them, rename it into place and
    point ``current`` at it; on any failure leave nothing behind."""
    releases_dir = Path(releases_dir)
    final = releases_dir / release_id
    releases_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{release_id}.", dir=releases_dir))
    try:
        trig = _trig(nquads)
        files = {
            FORMATS["nquads"]: _write(tmp / FORMATS["nquads"], gzip.compress(nquads, mtime=0)),
            FORMATS["trig"]: _write(tmp / FORMATS["trig"], trig),
        }
        files.update({name: _write(tmp / name, data) for name, data in extra_files.items()})
        meta = {
            "id": release_id,
            "version": _version(),
            "created": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
            **meta,
            "graphs": graphs,
            "files": {name: {"sha256": sha, "bytes": (tmp / name).stat().st_size}
                      for name, sha in files.items()},
        }
        _write(tmp / "release.json", json.dumps(meta, indent=2, ensure_ascii=False).encode())
        _fsync_dir(tmp)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        _fsync_dir(releases_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    set_current(releases_dir, release_id)
    return Release(final, meta)


def _validate_in_child(built: BuiltDataset, conn) -> None:
    try:
        result = validate_dataset(built)
        conn.send((result.conforms, result.report.serialize(format="nt", encoding="utf-8")))
    except BaseException as e:  # report the failure to the parent rather than dying silently
        conn.send(e)
    finally:
        conn.close()


def _validate_while_reasoning(built: BuiltDataset) -> ValidationResult:
    """Validate and reason at once: validation runs in a forked process (they are independent
    and each takes seconds; this machine has two cores). Falls back to one after the other
    where fork is not available."""
    if "fork" not in multiprocessing.get_all_start_methods():
        result = validate_dataset(built)
        reason(built)
        return result
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_validate_in_child, args=(built, child), daemon=True)
    worker.start()
    child.close()
    try:
        reason(built)
        message = parent.recv()
    finally:
        worker.join()
    if isinstance(message, BaseException):
        raise message
    conforms, report_nt = message
    report = Graph().parse(data=report_nt, format="nt")
    return ValidationResult(conforms, report, _violations(report))


def _trig(nquads: bytes) -> bytes:
    """TriG with the project's prefixes (pyoxigraph writes it about 20 times faster than rdflib)."""
    quads = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    return ox.serialize(quads, format=ox.RdfFormat.TRIG,
                        prefixes={k: str(v) for k, v in PREFIXES.items()})


def set_current(releases_dir: Path, release_id: str) -> None:
    pointer = Path(releases_dir) / "current"
    tmp = pointer.with_name(f".current.{os.getpid()}")
    _write(tmp, (release_id + "\n").encode())
    os.replace(tmp, pointer)


def open_release(path: Path) -> Release:
    path = Path(path)
    meta_file = path / "release.json"
    if not meta_file.is_file():
        raise FileNotFoundError(f"{path} is not a release (no release.json)")
    return Release(path, json.loads(meta_file.read_text(encoding="utf-8")))


def current_release(releases_dir: Path) -> Release | None:
    pointer = Path(releases_dir) / "current"
    if not pointer.is_file():
        return None
    return open_release(Path(releases_dir) / pointer.read_text().strip())


def read_nquads(release: Release) -> bytes:
    with gzip.open(release.file("nquads")) as f:
        return f.read()
