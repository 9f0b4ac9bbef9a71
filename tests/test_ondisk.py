"""The on-disk Oxigraph store: loaded once per release, opened read-only, never written once served."""

from __future__ import annotations

import gzip
import io
import json
import os

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from xiancheng.cli import main
from xiancheng.graph.ondisk import MARKER, OnDiskStore, StoreNotLoaded, parallel_bulk_load
from xiancheng.graph.release import open_release

ID = "https://kg.xiancheng.example/id/"


def test_the_marker_records_the_release(ondisk_path, release):
    build = OnDiskStore(ondisk_path).current()
    assert build.release_id == release.id
    assert (ondisk_path / "current").read_text().strip() == release.id
    meta = json.loads((build.path / MARKER).read_text())
    assert meta["triples"] == release.triples
    assert {n: g["triples"] for n, g in meta["graphs"].items()} == \
        {n: g["triples"] for n, g in release.graphs.items()}
    assert meta["load_seconds"] > 0 and build.size_bytes() > 0


def _graphs(store: ox.Store) -> dict[str, Graph]:
    """Each named graph of a pyoxigraph store as an rdflib graph (to compare up to blank nodes)."""
    def term(t):
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        return Literal(t.value, lang=t.language, datatype=None if t.language else URIRef(t.datatype.value))
    graphs: dict[str, Graph] = {}
    for quad in store:
        graphs.setdefault(str(quad.graph_name), Graph()).add(
            (term(quad.subject), term(quad.predicate), term(quad.object)))
    return graphs


def test_the_parallel_bulk_load_holds_what_one_bulk_load_does(tmp_path, release):
    """Loaded in 2 KB pieces by three loaders at once, the release is the same dataset as when
    loaded in one piece, blank nodes (the ontology's lists) included."""
    data = gzip.decompress(release.file("nquads").read_bytes())
    assert b"_:" in data   # the case that needs care is there
    whole = ox.Store()
    whole.bulk_load(data, ox.RdfFormat.N_QUADS)
    pieces = ox.Store(str(tmp_path / "store"))
    parallel_bulk_load(pieces, io.BytesIO(data), threads=3, chunk_bytes=2048)
    assert len(pieces) == len(whole) == release.triples
    expected, got = _graphs(whole), _graphs(pieces)
    assert expected.keys() == got.keys()
    for name in expected:
        assert isomorphic(expected[name], got[name]), name


def test_a_blank_node_named_in_two_pieces_stays_one_node(tmp_path):
    lines = [b'_:list <http://e/first> "1" <http://e/g> .\n']
    lines += [f'<http://e/s{i}> <http://e/p> "{i}" <http://e/g> .\n'.encode() for i in range(200)]
    lines += [b'<http://e/s> <http://e/list> _:list <http://e/g> .\n']
    store = ox.Store(str(tmp_path / "store"))
    parallel_bulk_load(store, io.BytesIO(b"".join(lines)), threads=2, chunk_bytes=512)
    assert len(store) == 202
    first = next(store.quads_for_pattern(None, ox.NamedNode("http://e/first"), None)).subject
    listed = next(store.quads_for_pattern(None, ox.NamedNode("http://e/list"), None)).object
    assert isinstance(first, ox.BlankNode) and first == listed


def test_a_bad_line_in_any_piece_stops_the_load(tmp_path):
    lines = [f'<http://e/s{i}> <http://e/p> "{i}" .\n'.encode() for i in range(300)]
    lines[250] = b'<http://e/s> <not an iri> "x" .\n'
    store = ox.Store(str(tmp_path / "store"))
    with pytest.raises(SyntaxError):
        parallel_bulk_load(store, io.BytesIO(b"".join(lines)), ox.RdfFormat.N_TRIPLES,
                           threads=2, chunk_bytes=1024)


def test_a_second_load_reuses_the_build(ondisk_path, release):
    store = OnDiskStore(ondisk_path)
    marker = store.current().path / MARKER
    before = marker.stat().st_mtime_ns
    assert store.holds(release)
    assert store.load(release).path == store.current().path
    assert marker.stat().st_mtime_ns == before


def test_reopened_read_only_it_answers_and_refuses_writes(ondisk_path, oxigraph):
    store = OnDiskStore(ondisk_path).open()
    assert store.count() == oxigraph.count()
    query = f"ASK {{ <{ID}division/141182> <https://kg.xiancheng.example/def/partOf> <{ID}division/140000> }}"
    assert store.query(query).boolean is True
    assert store.query(query, inference=False).boolean is False  # knows its inferred graph
    with pytest.raises(RuntimeError, match="read-write"):
        store.engine.add(next(oxigraph.engine.quads_for_pattern(None, None, None)))


def test_an_empty_or_interrupted_store_is_never_opened(tmp_path, release):
    store = OnDiskStore(tmp_path)
    with pytest.raises(StoreNotLoaded, match="xiancheng load --store-path"):
        store.open()
    (tmp_path / release.id / "oxigraph").mkdir(parents=True)   # a load killed before its marker
    (tmp_path / "current").write_text(release.id)
    assert store.current() is None and not store.holds(release)


def test_a_new_release_goes_to_a_new_directory_while_the_old_one_is_read(tmp_path, release):
    """Loading never writes the directory being served: readers of the old build keep working."""
    store = OnDiskStore(tmp_path)
    first = store.load(release)
    reader = store.open()
    files = {p: p.stat().st_size for p in first.location.rglob("*") if p.is_file()}
    second_release = _derived_release(release, tmp_path / "releases", "second", drop="figures")
    second = store.load(second_release)
    assert second.path != first.path and store.current().release_id == second_release.id
    assert {p: p.stat().st_size for p in first.location.rglob("*") if p.is_file()} == files
    assert reader.count() == release.triples
    assert store.open().count() == second_release.triples
    third = store.load(_derived_release(release, tmp_path / "releases", "third", drop="census-2020"))
    # the current build and the one before it are kept (old processes may still read it)
    assert sorted(p.name for p in tmp_path.iterdir() if (p / MARKER).exists()) == \
        sorted([second.path.name, third.path.name])


def _derived_release(release, releases_dir, suffix, drop):
    """A release like ``release`` without the graph ``drop``, under another id (a rebuild of
    changed sources would give the same kind of release, in seconds rather than milliseconds)."""
    import gzip
    import shutil

    path = releases_dir / f"{release.id}-{suffix}"
    shutil.copytree(release.path, path)
    meta = json.loads((path / "release.json").read_text())
    iri = meta["graphs"].pop(drop)["iri"]
    meta["id"] = path.name
    (path / "release.json").write_text(json.dumps(meta))
    lines = gzip.decompress(release.file("nquads").read_bytes()).splitlines(keepends=True)
    (path / "dataset.nq.gz").write_bytes(gzip.compress(
        b"".join(line for line in lines if not line.rstrip().endswith(f"<{iri}> .".encode()))))
    return open_release(path)


def test_loaders_in_several_processes_load_once(tmp_path, data_dir, release):
    """Two `xiancheng load` at once (e.g. gunicorn workers starting): one loads, the other waits."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "xiancheng", "--data-dir", str(data_dir), "load",
               "--store-path", str(tmp_path)]
    loaders = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in loaders]
    assert all(p.returncode == 0 for p in loaders), outputs
    assert sum(f"loaded release {release.id}" in out for out in outputs) == 1, outputs
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} == {release.id, "current"}


def test_the_service_queries_the_disk_store(ondisk_app, ondisk_path):
    client = ondisk_app.test_client()
    response = client.get("/queries/population-2020", query_string={"format": "csv"})
    assert response.status_code == 200 and "太原市" in response.data.decode()
    assert client.get("/health/ready").get_json()["store"] == "disk"
    metrics = client.get("/metrics").data.decode()
    size = next(line for line in metrics.splitlines() if line.startswith("xiancheng_store_bytes "))
    assert float(size.split()[1]) > 0


def test_cli_load_and_info(tmp_path, data_dir, release):
    path = tmp_path / "store"
    runner = CliRunner()
    result = runner.invoke(main, ["--data-dir", str(data_dir), "load", "--store-path", str(path)])
    assert result.exit_code == 0, result.output
    assert f"loaded release {release.id}" in result.output
    again = runner.invoke(main, ["--data-dir", str(data_dir), "load", "--store-path", str(path)])
    assert f"holds release {release.id}" in again.output
    info = runner.invoke(main, ["--data-dir", str(data_dir), "info"],
                         env={"XIANCHENG_STORE_PATH": str(path)})
    assert f"store: on disk at {path / release.id / 'oxigraph'}, holds the current release" in info.output
    assert f"{release.triples} triples" in info.output


def test_cli_load_needs_a_target(data_dir):
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "load"], env={
        k: "" for k in ("XIANCHENG_STORE_PATH", "XIANCHENG_REMOTE_GRAPH_STORE_URL", "XIANCHENG_REMOTE_UPDATE_URL")})
    assert result.exit_code == 2 and "say where to load" in result.output


def test_serve_with_store_path_end_to_end(data_dir, release, tmp_path):
    """`xiancheng serve --store-path`: loads once, then a restart opens the same build."""
    import urllib.request

    from servers import start_xiancheng

    path = tmp_path / "store"
    for attempt in range(2):
        server = start_xiancheng(data_dir, tmp_path / f"serve{attempt}.log", store_path=path,
                                 query_workers=1)
        try:
            with urllib.request.urlopen(server.url + "/health/ready", timeout=10) as r:
                assert json.loads(r.read())["store"] == "disk"
        finally:
            server.stop()
        log = server.log_text()
        assert (f"loaded release {release.id}" in log) == (attempt == 0), log
    assert OnDiskStore(path).holds(release)
    assert os.listdir(path).count(release.id) == 1
