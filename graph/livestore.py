"""The writable store: one writer, immutable checkpoints for the readers, a journal for durability.

pyoxigraph 0.5 has no secondary mode, and opening a store read-only while another process writes
it is undefined behaviour. So the query workers never open the store that is written. Layout of
``<data_dir>/live/``::

    VERSION            {"version": n, "seed": release id, ...} - the version readers see (replaced
                       atomically: temporary file, fsync, os.replace)
    checkpoints/<n>/   immutable copies made by Store.backup (RocksDB checkpoints: hard links, a few
                       milliseconds) that query workers open read-only
    journal/<n>.json   the net change of write n, written and fsynced before it is applied: the
                       commit point. Removed once checkpoint n is published.
    primary/           the writer's working store, rebuilt from the newest checkpoint at every start
    .lock              held by the one process that writes

A write is acknowledged after its journal record is on disk and its checkpoint is published, so a
reader never sees half of a write and ``kill -9`` at any moment loses nothing acknowledged: on
start the primary is rebuilt from the newest checkpoint and the journal records after it are
replayed (applying a change twice gives the same store).
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from .ondisk import parallel_bulk_load
from .release import Release, _fsync_dir, write_atomically

GRACE_SECONDS = 60.0   # an unused superseded checkpoint is kept this long (a worker may be starting on it)
# RocksDB appends to its MANIFEST at every flush (3 KB here) and a checkpoint copies it, so after
# thousands of writes each checkpoint would copy megabytes; reopening the primary starts a new one.
MAX_MANIFEST_BYTES = 1 << 20


class LiveStoreBusy(RuntimeError):
    """Another process holds the writable store."""


def graph_name(term) -> str:
    """A graph name as a string: its IRI, or '' for the default graph."""
    return "" if isinstance(term, ox.DefaultGraph) else term.value


def graph_term(name: str):
    return ox.DefaultGraph() if name == "" else ox.NamedNode(name)


@dataclass
class Change:
    """The net effect of a write: quads removed and added, named graphs created and dropped."""
    removed: set = field(default_factory=set)
    added: set = field(default_factory=set)
    created: set = field(default_factory=set)     # graph names (strings)
    dropped: set = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.removed or self.added or self.created or self.dropped)

    def graphs(self) -> set[str]:
        return ({graph_name(q.graph_name) for q in self.removed | self.added}
                | self.created | self.dropped)

    def merge(self, other: "Change") -> None:
        """Add a change that follows this one (made on the state after it)."""
        for q in other.removed:
            if q in self.added:
                self.added.discard(q)
            else:
                self.removed.add(q)
        for q in other.added:
            if q in self.removed:
                self.removed.discard(q)
            else:
                self.added.add(q)
        for g in other.dropped:
            if g in self.created:
                self.created.discard(g)
            else:
                self.dropped.add(g)
        for g in other.created:
            if g in self.dropped:
                self.dropped.discard(g)
            else:
                self.created.add(g)

    def apply(self, store: ox.Store) -> None:
        """Apply to ``store``; applying twice gives the same store (replay after a crash)."""
        for q in self.removed:
            store.remove(q)
        for g in self.dropped:
            if store.contains_named_graph(ox.NamedNode(g)):
                store.remove_graph(ox.NamedNode(g))
        for g in self.created:
            store.add_graph(ox.NamedNode(g))
        if self.added:
            store.extend(self.added)

    def to_json(self) -> dict:
        return {"removed": _nquads(self.removed), "added": _nquads(self.added),
                "created": sorted(self.created), "dropped": sorted(self.dropped)}

    @classmethod
    def from_json(cls, data: dict) -> "Change":
        return cls(_quads(data["removed"]), _quads(data["added"]), set(data["created"]),
                   set(data["dropped"]))


def _nquads(quads) -> str:
    return ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS).decode("utf-8") if quads else ""


def _quads(text: str) -> set:
    return set(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)) if text else set()


def _fsync_tree(path: Path) -> None:
    """Flush a checkpoint: its own files and its directory. Table files (.sst) are hard links to
    files RocksDB already synced when it wrote them."""
    for child in path.iterdir():
        if child.is_file() and child.suffix != ".sst":
            fd = os.open(child, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(path)


class LiveStore:
    """The live store under ``root``. ``open_writer`` makes this process its writer (one per
    store); ``open_reader`` only follows the published version (other server processes)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.primary: ox.Store | None = None
        self.meta: dict = {}
        self._lock_file = None
        self._refs: dict[str, int] = {}
        self._superseded: dict[str, float] = {}   # checkpoint dir -> when it stopped being current
        self._guard = threading.Lock()
        self.broken = False
        self.on_publish: list[Callable[[dict], None]] = []

    # --- layout ------------------------------------------------------------------------------

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def journal(self) -> Path:
        return self.root / "journal"

    @staticmethod
    def exists(root: Path | str) -> bool:
        return (Path(root) / "VERSION").is_file()

    @property
    def version(self) -> int:
        return self.meta["version"]

    @property
    def data_version(self) -> str:
        """Changes with every write; part of every cache key and ETag."""
        return f"{self.meta['seed']}+{self.meta['version']}"

    def checkpoint_path(self, version: int | None = None) -> Path:
        return self.checkpoints / f"{self.version if version is None else version:06d}"

    def worker_source(self) -> dict:
        """What graph.workers needs to open the published checkpoint."""
        return {"store_path": str(self.checkpoint_path()), "inferred_graph": self.meta.get("inferred_graph")}

    # --- opening ----------------------------------------------------------------------------

    def open_reader(self) -> "LiveStore":
        self.meta = json.loads((self.root / "VERSION").read_text(encoding="utf-8"))
        return self

    def open_writer(self, release: Release) -> "LiveStore":
        """Take the writer's lock, seed the store from ``release`` if it is new, else recover:
        rebuild the primary from the newest checkpoint and replay the journal after it."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.root / ".lock", "a")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise LiveStoreBusy(f"another process is writing {self.root}; writes need a single "
                                "server process") from None
        if not self.exists(self.root):
            self._seed(release)
        else:
            self._recover()
        return self

    def _seed(self, release: Release) -> None:
        for name in ("primary", "checkpoints", "journal"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        self.checkpoints.mkdir()
        self.journal.mkdir()
        self.primary = ox.Store(str(self.root / "primary"))
        with gzip.open(release.file("nquads")) as quads:
            parallel_bulk_load(self.primary, quads)
        self._checkpoint_and_publish({
            "version": 0, "seed": release.id,
            "inferred_graph": release.graphs.get("inferred", {}).get("iri"),
            "graphs": {name: g["iri"] for name, g in release.graphs.items()}})

    def _recover(self, startup: bool = True) -> None:
        self.meta = json.loads((self.root / "VERSION").read_text(encoding="utf-8"))
        self.primary = None   # closes it, if a failed write left it open
        shutil.rmtree(self.root / "primary", ignore_errors=True)
        ox.Store.read_only(str(self.checkpoint_path())).backup(str(self.root / "primary"))
        self.primary = ox.Store(str(self.root / "primary"))
        self.journal.mkdir(exist_ok=True)
        pending = sorted((int(p.stem), p) for p in self.journal.glob("*.json"))
        meta = self.meta
        for version, path in pending:
            if version <= meta["version"]:
                path.unlink()
                continue
            if version != meta["version"] + 1:
                raise RuntimeError(f"journal record {path} does not follow version {meta['version']}")
            record = json.loads(path.read_text(encoding="utf-8"))
            Change.from_json(record["change"]).apply(self.primary)
            meta = {**meta, "version": version}
        if meta is not self.meta:
            self._checkpoint_and_publish(meta)
        self.broken = False
        if startup:   # nobody reads anything else yet
            for stale in self.checkpoints.iterdir():
                if stale != self.checkpoint_path():
                    shutil.rmtree(stale, ignore_errors=True)

    def close(self) -> None:
        self.primary = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # --- writing ----------------------------------------------------------------------------

    def commit(self, change: Change, record: dict) -> int:
        """Make ``change`` (already applied to the primary by the writer) durable and visible:
        journal record (the commit point), checkpoint, then the new VERSION."""
        version = self.version + 1
        body = {"version": version, "change": change.to_json(), **record}
        self.broken = True   # until the new version is published (recover() finishes the job)
        write_atomically(self.journal / f"{version:06d}.json",
                       json.dumps(body, ensure_ascii=False).encode("utf-8"))
        self._checkpoint_and_publish({**self.meta, "version": version})
        self.broken = False
        return version

    def recover(self) -> None:
        """After a failed write: rebuild the primary and publish what the journal holds."""
        self._recover(startup=False)

    def _checkpoint_and_publish(self, meta: dict) -> None:
        final = self.checkpoint_path(meta["version"])
        tmp = self.checkpoints / f".{final.name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)
        self.primary.backup(str(tmp))
        _fsync_tree(tmp)
        os.replace(tmp, final)
        _fsync_dir(self.checkpoints)
        previous = self._published_checkpoint()
        write_atomically(self.root / "VERSION", json.dumps(meta, indent=1).encode("utf-8"))
        with self._guard:
            self.meta = meta
            if previous is not None and previous != final:
                self._superseded[str(previous)] = time.monotonic()
        for record in self.journal.glob("*.json"):
            if int(record.stem) <= meta["version"]:
                record.unlink()
        for listener in self.on_publish:
            listener(self.worker_source())
        self.collect()

    def refresh(self) -> None:
        """Between writes: reopen the primary if its MANIFEST has grown (RocksDB then writes a
        fresh, small one), unless something still holds the store."""
        if not any(f.stat().st_size > MAX_MANIFEST_BYTES for f in (self.root / "primary").glob("MANIFEST-*")):
            return
        store, self.primary = self.primary, None
        if sys.getrefcount(store) > 2:   # ours and getrefcount's own: anything more holds it open
            self.primary = store
            return
        del store   # closes it
        self.primary = ox.Store(str(self.root / "primary"))

    def _published_checkpoint(self) -> Path | None:
        try:
            meta = json.loads((self.root / "VERSION").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return self.checkpoints / f"{meta['version']:06d}"

    def scratch_snapshot(self) -> Path:
        """A checkpoint of the primary as it is now (mid-write), for reading in a query worker.
        It is held (as by ``reading``) until ``release(path)``."""
        path = self.checkpoints / f".scratch-{time.monotonic_ns()}"
        self.primary.backup(str(path))
        with self._guard:
            self._refs[str(path)] = self._refs.get(str(path), 0) + 1
            self._superseded[str(path)] = 0.0   # removable as soon as nobody reads it
        return path

    def release(self, path: Path) -> None:
        with self._guard:
            key = str(path)
            self._refs[key] -= 1
            if not self._refs[key]:
                del self._refs[key]
        self.collect()

    # --- reading ----------------------------------------------------------------------------

    @contextmanager
    def reading(self, path: Path | None = None):
        """The path of the published checkpoint (or ``path``), kept until the block ends."""
        with self._guard:
            key = str(path or self.checkpoint_path())
            self._refs[key] = self._refs.get(key, 0) + 1
        try:
            yield key
        finally:
            with self._guard:
                self._refs[key] -= 1
                if not self._refs[key]:
                    del self._refs[key]
            self.collect()

    def collect(self) -> None:
        """Remove superseded checkpoints nobody reads (after a grace period for starting workers)."""
        now = time.monotonic()
        with self._guard:
            doomed = [p for p, since in self._superseded.items()
                      if p not in self._refs and (since == 0.0 or now - since > GRACE_SECONDS)]
            for p in doomed:
                del self._superseded[p]
        for p in doomed:
            shutil.rmtree(p, ignore_errors=True)


class LiveBackend:
    """A query backend (``run(job)``) that sends every job to the newest checkpoint: wraps the
    worker pool, and keeps the pool's source current so that replacement workers open it."""

    def __init__(self, pool, live: LiveStore, follow: bool = False):
        self.pool = pool
        self.live = live
        self.follow = follow        # a reader process: re-read VERSION before each job
        live.on_publish.append(self._published)

    def _published(self, source: dict) -> None:
        self.pool.source = source

    @property
    def data_version(self) -> str:
        if self.follow:
            self.live.open_reader()
        return self.live.data_version

    def run(self, job, deadline: float | None = None):
        if self.follow:   # another process writes: follow its published version
            self.live.open_reader()
            self.pool.source = self.live.worker_source()
        with self.live.reading() as path:
            job.snapshot = path
            return self.pool.run(job, deadline)

    def run_on(self, path: Path, job, deadline: float | None = None):
        """Run ``job`` on a particular snapshot (the writer's mid-write scratch snapshots)."""
        with self.live.reading(path) as key:
            job.snapshot = key
            return self.pool.run(job, deadline)

    def close(self) -> None:
        self.pool.close()

    def __getattr__(self, name):
        return getattr(self.pool, name)
