"""Releases: content-addressed, complete or absent, readable back."""

from __future__ import annotations

import gzip

import pytest
from rdflib import Dataset

from xiancheng.graph import BuildError
from xiancheng.graph.release import (ValidationFailed, current_release, make_release,
                                     open_release)


def test_the_release_holds_every_graph_and_parses(release):
    assert set(release.graphs) >= {"ontology", "catalog", "divisions", "inferred",
                                   "shanxi-daily-2023-10-10"}
    ds = Dataset()
    ds.parse(data=gzip.decompress(release.file("nquads").read_bytes()), format="nquads")
    assert sum(len(g) for g in ds.graphs() if len(g)) == release.triples
    trig = Dataset()
    trig.parse(release.file("trig"), format="trig")
    assert sum(len(g) for g in trig.graphs() if len(g)) == release.triples


def test_same_inputs_same_release_id(tmp_path, release):
    again = make_release(tmp_path / "releases")
    assert again.id == release.id
    assert current_release(tmp_path / "releases").id == release.id


def test_files_are_checksummed(release):
    import hashlib

    for name, meta in release.meta["files"].items():
        assert hashlib.sha256((release.path / name).read_bytes()).hexdigest() == meta["sha256"]


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir())


def test_a_failed_write_leaves_no_release(tmp_path, monkeypatch, sources):
    import xiancheng.graph.release as rel

    releases = tmp_path / "releases"
    def boom(_):
        raise OSError("disk full")
    monkeypatch.setattr(rel, "_trig", boom)
    with pytest.raises(OSError, match="disk full"):
        make_release(releases, sources)
    assert _leftovers(releases) == []
    assert current_release(releases) is None


def test_a_shape_violation_writes_nothing_and_keeps_the_current_release(tmp_path, sources, release):
    releases = tmp_path / "releases"
    good = make_release(releases)
    path = sources / "divisions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",fen yang,", ",Fen Yang,"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        make_release(releases, sources)
    assert "141182" in str(info.value) and "Division-pinyin" in str(info.value)
    assert _leftovers(releases) == [good.id, "current"]
    assert current_release(releases).id == good.id


def test_a_build_error_writes_nothing(tmp_path, sources):
    (sources / "figures.csv").write_text("nonsense\n", encoding="utf-8")
    with pytest.raises(BuildError):
        make_release(tmp_path / "releases", sources)
    assert not (tmp_path / "releases").exists() or _leftovers(tmp_path / "releases") == []


def test_open_release_refuses_a_directory_that_is_not_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a release"):
        open_release(tmp_path)


def test_a_release_from_given_quads(tmp_path):
    from xiancheng.graph.release import read_nquads, release_from_quads

    quads = ('<http://example.org/a> <http://example.org/p> "县城"@zh <http://example.org/g/one> .\n'
             '<http://example.org/b> <http://example.org/p> <http://example.org/a> <http://example.org/g/two> .\n'
             '<http://example.org/c> <http://example.org/p> "x" <http://example.org/g/two> .\n')
    release = release_from_quads(tmp_path / "releases", quads, graphs={"first": "http://example.org/g/one"})
    assert current_release(tmp_path / "releases").id == release.id
    assert release.graphs == {"first": {"iri": "http://example.org/g/one", "triples": 1},
                              "two": {"iri": "http://example.org/g/two", "triples": 2}}
    assert release.meta["conforms"] is None
    assert sorted(read_nquads(release).decode().splitlines()) == sorted(quads.splitlines())
    assert release_from_quads(tmp_path / "again", quads, graphs={"first": "http://example.org/g/one"}).id == release.id
    with pytest.raises(ValueError, match="default graph"):
        release_from_quads(tmp_path / "bad", '<http://example.org/a> <http://example.org/p> "x" .\n')
    assert not (tmp_path / "bad").exists() or current_release(tmp_path / "bad") is None
