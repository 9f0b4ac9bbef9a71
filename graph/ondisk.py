"""The on-disk Oxigraph store: a release bulk-loaded once, then opened read-only by every server
process and query worker on the host, in a fraction of a second.

Layout of ``store_path``::

    <store_path>/current                 the name of the build being served (replaced atomically)
    <store_path>/<release id>/oxigraph/  Oxigraph's RocksDB directory, never written once served
    <store_path>/<release id>/store.json the marker: which release it holds, its counts, how long
                                          the load took — written last, so a directory without it
                                          is an interrupted load and is never opened
    <store_path>/.lock                   held while a build is made (one loader at a time)

pyoxigraph 0.5 has no secondary mode, and opening a store read-only while another process writes
it is undefined behaviour. So a served directory is never written: a new release is loaded into a
new directory (under a temporary name, renamed when complete) and ``current`` is switched to it.
Processes that opened the old build keep reading it until they restart; the builds before the
previous one are removed.
"""

from __future__ import annotations

import datetime
import fcntl
import gzip
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import pyoxigraph as ox

from .release import Release, _fsync_dir, _write
from .store import OxigraphStore

MARKER = "store.json"
POINTER = "current"
KEEP = 2   # builds kept: the current one and the one before it (still open in old processes)


CHUNK_BYTES = 64 * 2**20   # N-Quads handed to one bulk load at a time


def loader_threads() -> int:
    """Parallel bulk loads: one per core this process may use, at most four."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, cores or 1))


def _split_blank_nodes(chunk: bytes) -> tuple[bytes, bytes]:
    """The lines of ``chunk`` that may name a blank node (``_:``), and the others."""
    if b"_:" not in chunk:
        return chunk, b""
    plain, blank = [], []
    for line in chunk.splitlines(keepends=True):
        (blank if b"_:" in line else plain).append(line)
    return b"".join(plain), b"".join(blank)


def parallel_bulk_load(store: ox.Store, stream: BinaryIO, fmt=ox.RdfFormat.N_QUADS, *,
                       threads: int | None = None, chunk_bytes: int = CHUNK_BYTES,
                       to_graph=None) -> None:
    """Bulk-load a line-based document (N-Quads or N-Triples) into an on-disk ``store`` with
    ``threads`` bulk loads at once, each fed whole lines, ``chunk_bytes`` at a time.

    One ``Store.bulk_load`` parses on a single core; pyoxigraph releases the interpreter's lock
    while it loads, and Oxigraph's own ``oxigraph load`` loads several files into one store in
    parallel the same way. Measured at 1M triples on 2 cores: 12.7 s for one bulk load of the
    stream, 6.6 s for two at once (docs/performance-scale.md). In memory it does not help (the
    in-memory store takes one writer at a time), so this is for on-disk stores only.

    A blank node label names the same node only within one document (each bulk load gives its
    ``_:b1`` a fresh node), so every line that may name one (it holds ``_:``; a literal or IRI
    that does is merely loaded with them) goes into one last bulk load of its own. The releases
    have a few dozen such lines (the ontology's lists). At most ``threads`` + 1 chunks, and the
    blank-node lines, are held in memory at once."""
    threads = threads or loader_threads()
    kwargs = {"format": fmt} if to_graph is None else {"format": fmt, "to_graph": to_graph}
    blank_lines: list[bytes] = []
    with ThreadPoolExecutor(threads, thread_name_prefix="bulk-load") as pool:
        pending: list = []
        rest = b""
        while True:
            block = stream.read(chunk_bytes)
            data = rest + block
            if not block:
                chunk, rest = data, b""
            else:
                cut = data.rfind(b"\n") + 1
                chunk, rest = data[:cut], data[cut:]
            chunk, blank = _split_blank_nodes(chunk)
            if blank:
                blank_lines.append(blank)
            if chunk:
                if len(pending) >= threads:   # bound the memory: wait for the oldest load
                    pending.pop(0).result()
                pending.append(pool.submit(store.bulk_load, chunk, **kwargs))
            if not block:
                break
        if blank_lines:
            pending.append(pool.submit(store.bulk_load, b"".join(blank_lines), **kwargs))
        for future in pending:
            future.result()


class StoreNotLoaded(RuntimeError):
    """The on-disk store holds no complete build (run `xiancheng load`)."""


@dataclass
class Build:
    """One complete build: a release loaded into an Oxigraph directory."""
    path: Path
    meta: dict
    fresh: bool = False   # loaded just now (not found already loaded)

    @property
    def release_id(self) -> str:
        return self.meta["release"]

    @property
    def location(self) -> Path:
        """The directory pyoxigraph opens."""
        return self.path / "oxigraph"

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.location.rglob("*") if f.is_file())


def _engine_version() -> str:
    return getattr(ox, "__version__", "0")


def _same_format(version: str) -> bool:
    """RocksDB files are read by the same minor version of Oxigraph that wrote them."""
    return version.split(".")[:2] == _engine_version().split(".")[:2]


class OnDiskStore:
    """The builds under ``root``; ``current()`` is the one served."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def current(self) -> Build | None:
        pointer = self.root / POINTER
        if not pointer.is_file():
            return None
        path = self.root / pointer.read_text(encoding="utf-8").strip()
        marker = path / MARKER
        if not marker.is_file():
            return None
        meta = json.loads(marker.read_text(encoding="utf-8"))
        if not _same_format(meta.get("engine", "")):
            return None
        return Build(path, meta)

    def holds(self, release: Release) -> bool:
        build = self.current()
        return build is not None and build.release_id == release.id

    def open(self) -> OxigraphStore:
        """The current build, read-only (raise ``StoreNotLoaded`` if there is none)."""
        build = self.require()
        store = OxigraphStore(build.location, read_only=True)
        store.inferred_graph = build.meta.get("inferred_graph")
        return store

    def require(self) -> Build:
        build = self.current()
        if build is None:
            raise StoreNotLoaded(f"no loaded store in {self.root}; run `xiancheng load --store-path "
                                 f"{self.root}`")
        return build

    def worker_source(self) -> dict:
        """What graph.workers needs to open the current build in a query worker."""
        build = self.require()
        return {"store_path": str(build.location), "inferred_graph": build.meta.get("inferred_graph")}

    @contextmanager
    def _locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def load(self, release: Release, progress: Callable[[str], None] | None = None) -> Build:
        """Make ``release`` the current build, bulk-loading it unless it is there already.
        Safe to call from several processes at once: one loads, the others wait and reuse it."""
        step = progress or (lambda name: None)
        with self._locked():
            current = self.current()
            if current is not None and current.release_id == release.id:
                return current
            final = self.root / release.id
            existing = self._complete(final, release)
            build = existing or self._bulk_load(release, final, step)
            self._switch(final.name)
            self._prune(keep={final.name, current.path.name if current else None})
            return build

    def _complete(self, path: Path, release: Release) -> Build | None:
        marker = path / MARKER
        if not marker.is_file():
            return None
        meta = json.loads(marker.read_text(encoding="utf-8"))
        if meta.get("release") != release.id or not _same_format(meta.get("engine", "")):
            return None
        return Build(path, meta)

    def _bulk_load(self, release: Release, final: Path, step) -> Build:
        tmp = self.root / f".{release.id}.{os.getpid()}.loading"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            started = time.perf_counter()
            step("bulk load")
            tmp.mkdir(parents=True)
            store = ox.Store(str(tmp / "oxigraph"))
            with gzip.open(release.file("nquads")) as data:
                parallel_bulk_load(store, data)
            step("compact")   # first: the check below reads the store twice as fast compacted
            store.flush()
            store.optimize()
            step("check")
            held = {s["g"].value: int(s["n"].value) for s in store.query(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
            counts = {name: held.get(g["iri"], 0) for name, g in release.graphs.items()}
            wrong = {n: c for n, c in counts.items() if c != release.graphs[n]["triples"]}
            if wrong or len(store) != release.triples:
                raise RuntimeError(f"the loaded store does not match release {release.id}: {wrong}")
            del store  # closes RocksDB: nothing writes this directory again
            seconds = time.perf_counter() - started
            meta = {
                "release": release.id,
                "triples": release.triples,
                "graphs": {name: {"iri": g["iri"], "triples": counts[name]}
                           for name, g in release.graphs.items()},
                "inferred_graph": release.graphs.get("inferred", {}).get("iri"),
                "engine": _engine_version(),
                "loaded": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
                "load_seconds": round(seconds, 3),
            }
            _write(tmp / MARKER, json.dumps(meta, indent=2, ensure_ascii=False).encode())
            _fsync_dir(tmp)
            if final.exists():  # an interrupted or stale build of the same release, not served
                shutil.rmtree(final)
            os.replace(tmp, final)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return Build(final, meta, fresh=True)

    def _switch(self, name: str) -> None:
        pointer = self.root / POINTER
        tmp = self.root / f".{POINTER}.{os.getpid()}"
        _write(tmp, (name + "\n").encode())
        os.replace(tmp, pointer)
        _fsync_dir(self.root)

    def _prune(self, keep: set) -> None:
        builds = sorted((p for p in self.root.iterdir() if p.is_dir() and (p / MARKER).is_file()),
                        key=lambda p: (p / MARKER).stat().st_mtime, reverse=True)
        for path in builds[KEEP:]:
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(".*.loading"):  # left by a loader that was killed
            pid = path.name.rsplit(".", 2)[-2]
            if not pid.isdigit() or not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
