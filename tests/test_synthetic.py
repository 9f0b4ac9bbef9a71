"""The synthetic data generator (bench/synthetic.py) and a smoke run of the benchmark suite.
The benchmarks themselves are not tests: they run with `python bench/suite.py`."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS

from xiancheng.graph import validate as standard
from xiancheng.graph.namespaces import DEFAULT_BASE, XC

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def synthetic():
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))
    from bench import synthetic

    return synthetic


@pytest.fixture(scope="module")
def dataset(synthetic_10k):
    ds = Dataset(default_union=True)
    ds.parse(synthetic_10k[0], format="nquads")
    return ds


def test_same_scale_and_seed_give_the_same_bytes(synthetic):
    first, second, other = io.StringIO(), io.StringIO(), io.StringIO()
    summary = synthetic.generate(10_000, first)
    synthetic.generate(10_000, second)
    synthetic.generate(10_000, other, seed=2)
    assert first.getvalue() == second.getvalue() != other.getvalue()
    assert 10_000 <= summary.triples < 13_000 == 13_000 and summary.triples == first.getvalue().count("\n")


@pytest.mark.parametrize("text, triples", [("10k", 10_000), ("1M", 1_000_000), ("2.5M", 2_500_000), ("500", 500)])
def test_scales_are_read_as_people_write_them(synthetic, text, triples):
    assert synthetic.parse_scale(text) == triples


def test_a_bad_scale_is_refused(synthetic):
    with pytest.raises(ValueError, match="not a scale"):
        synthetic.parse_scale("lots")


def test_synthetic_data_cannot_be_taken_for_real_data(synthetic_10k, dataset):
    path, summary = synthetic_10k
    text = path.read_text(encoding="utf-8")
    assert DEFAULT_BASE + "id/" not in text and DEFAULT_BASE + "graph/" not in text
    assert summary.base == "https://synthetic.xiancheng.example/"
    documents = set(dataset.subjects(RDF.type, XC.SourceDocument))
    assert documents
    for document in documents:
        assert str(dataset.value(document, RDFS.comment)).startswith("Synthetic")
    evidence_sources = set(dataset.objects(None, URIRef("http://purl.org/dc/terms/source")))
    assert evidence_sources <= documents
    for graph in dataset.subjects(RDF.type, XC.SourceGraph):
        assert any(str(label).startswith(("合成数据", "Synthetic data")) for label in dataset.objects(graph, RDFS.label))


def test_the_data_has_the_shapes_of_the_shipped_build(synthetic_10k, built):
    path, summary = synthetic_10k
    assert set(summary.graphs) >= {"ontology", "catalog", "programmes", "reference", "divisions",
                                   "division-changes", "specialty-towns", "sponge-city", "rural-e-towns",
                                   "county-classification-2017", "poverty-exits", "census-2020"}
    shipped = {o for o in built.union().objects(None, RDF.type)}
    ds = Dataset(default_union=True)
    ds.parse(path, format="nquads")
    generated = set(ds.objects(None, RDF.type))
    assert {XC.County, XC.SpecialtyTown, XC.RuralETown, XC.Designation, XC.FormerDivision,
            XC.DivisionChange, XC.Evidence, URIRef("http://purl.org/linked-data/cube#Observation")} <= generated
    assert generated <= shipped  # no class the shipped build does not use
    assert summary.counties >= 5 and summary.observations > 400 and summary.designations > 5


def test_10k_conforms_to_the_shapes_with_pyshacl_and_the_fast_engine(dataset):
    from xiancheng.graph import fastvalidate

    union = Graph()
    for quad in dataset.quads():
        union.add(quad[:3])
    expected = standard.validate_graph(union, ontology=Graph())
    assert expected.conforms, expected.text()
    found = fastvalidate.validate_graph(union, ontology=Graph())
    assert found.conforms, found.text()


def test_every_competency_query_has_answers_on_synthetic_data(synthetic_10k):
    from bench.measure import adapted_queries
    from xiancheng.graph.fastreason import infer_store
    from xiancheng.graph.formats import RDF_FORMATS
    from xiancheng.graph.store import OxigraphStore

    path, summary = synthetic_10k
    store = OxigraphStore()
    store.load(path.read_bytes(), RDF_FORMATS["nquads"])
    ontology = summary.base + "graph/ontology"
    infer_store(store, ontology, [g for g in store.graphs() if g != ontology], summary.base + "graph/inferred")
    empty = [name for name, sparql, bindings in adapted_queries(summary.base, summary.params)
             if not store.query(sparql, bindings=bindings).rows]
    assert empty == []


def test_the_http_benchmark_reports_when_it_cannot_run(tmp_path, monkeypatch):
    """Without wrk the suite says why the HTTP part did not run instead of failing."""
    import bench.suite

    monkeypatch.setattr(bench.suite.shutil, "which", lambda name: None)
    answer = bench.suite.http_benchmark(tmp_path / "d.nq", tmp_path / "i.nt", "https://x.example/", [],
                                        workdir=tmp_path)
    assert answer.startswith("not run") and "wrk" in answer


def test_the_suite_runs_at_10k(tmp_path):
    report = tmp_path / "report.md"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "suite.py"), "--scales", "10k", "--runs", "1",
                           "--budget", "0.1", "--skip", "http", "--workdir", str(tmp_path),
                           "--queries", "county-profile,department-programmes",
                           "--markdown", str(report)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = report.read_text(encoding="utf-8")
    for heading in ("Build → validate → reason", "Stores: load and memory", "Competency queries"):
        assert heading in text
    pipeline = text.split("## Build")[1].split("## Stores")[0]
    assert pipeline.count("same result") == 2  # both pipelines: same verdict, same inferred graph
    for store in ("oxigraph-memory", "oxigraph-disk", "rdflib"):
        assert f"| 10k   | {store}" in text
    assert "county-profile" in text and "error" not in text.lower() and "figures-for-year" not in text


def test_the_suite_runs_rdflib_endpoint_up_to_its_largest_scale(tmp_path, monkeypatch):
    """--rdflib-endpoint-max decides whether the HTTP part runs rdflib-endpoint at a scale (at 1M
    its passes take hours); the hook is replaced here by one that records what it was asked."""
    import bench.suite

    asked = []
    monkeypatch.setattr(bench.suite, "http_benchmark",
                        lambda *args, rdflib_endpoint, **kwargs: asked.append(rdflib_endpoint) or "not run (test)")
    (tmp_path / "synthetic-10k-seed1.inferred.nt").write_text("")  # so that no pipeline runs
    for largest in ("1000", "10k"):
        bench.suite.main(["--scales", "10k", "--skip", "pipeline,stores", "--workdir", str(tmp_path),
                          "--rdflib-endpoint-max", largest])
    assert asked == [False, True]
