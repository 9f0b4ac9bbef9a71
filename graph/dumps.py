"""The downloadable files of a release: TriG, gzipped N-Quads, Turtle and JSON-LD, with a
manifest (``dumps.json``: release id, date, sizes, SHA-256 checksums, triple counts) and a
``SHA256SUMS`` file that ``sha256sum -c`` checks.

TriG, N-Quads and JSON-LD keep the named graphs (the graph says which source file a triple comes
from); Turtle cannot, and holds every triple of every graph once. The TriG and N-Quads files are
the release's own (same bytes, same checksums as ``release.json``). Every file is written to a
temporary name, flushed and renamed, the manifest last, so a reader never sees a partial set.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .namespaces import PREFIXES
from .release import Release, read_nquads, write_atomically


@dataclass(frozen=True)
class DumpFile:
    name: str
    format: str          # a name of formats.RDF_FORMATS
    media_type: str      # what the file is served as
    graphs: bool         # keeps the named graphs


DUMP_FILES = [
    DumpFile("dataset.trig", "trig", "application/trig", True),
    DumpFile("dataset.nq.gz", "nquads", "application/gzip", True),
    DumpFile("dataset.ttl", "turtle", "text/turtle", False),
    DumpFile("dataset.jsonld", "jsonld", "application/ld+json", True),
]
MANIFEST = "dumps.json"
CHECKSUMS = "SHA256SUMS"


def _copy(source: Path, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(source, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_dumps(release: Release, directory: Path) -> dict:
    """Write the set into ``directory`` (created if needed) and return the manifest."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    quads = None
    for dump in DUMP_FILES:
        target = directory / dump.name
        if dump.name == "dataset.trig":
            _copy(release.file("trig"), target)
        elif dump.name == "dataset.nq.gz":
            _copy(release.file("nquads"), target)
        else:
            if quads is None:
                quads = list(ox.parse(read_nquads(release), format=ox.RdfFormat.N_QUADS))
            if dump.graphs:
                data = ox.serialize(quads, format=ox.RdfFormat.JSON_LD, prefixes=prefixes)
            else:
                triples = dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
                data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
            write_atomically(target, data)
    files = []
    for dump in DUMP_FILES:
        path = directory / dump.name
        files.append({"name": dump.name, "format": dump.format, "media_type": dump.media_type,
                      "named_graphs": dump.graphs, "bytes": path.stat().st_size, "sha256": _sha256(path)})
    manifest = {"release": release.id, "created": release.meta["created"], "base": release.meta["base"],
                "triples": release.triples, "graphs": len(release.graphs), "files": files}
    write_atomically(directory / CHECKSUMS, "".join(f"{f['sha256']}  {f['name']}\n" for f in files).encode())
    write_atomically(directory / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
    return manifest


def read_manifest(directory: Path, release_id: str) -> dict | None:
    """The manifest in ``directory`` if it is complete and of ``release_id``."""
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("release") != release_id:
        return None
    if not all((Path(directory) / f["name"]).is_file() for f in manifest.get("files", [])):
        return None
    return manifest
