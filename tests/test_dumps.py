"""Downloads and the dataset's description: every dump (written by `xiancheng dump --all` and
served at /dumps/) parses and holds exactly the release's triples; checksums hold; the VoID and
DCAT description agrees with the release and the store."""

from __future__ import annotations

import gzip
import hashlib
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from xiancheng.cli import main
from xiancheng.graph.release import read_nquads

FILES = ["dataset.trig", "dataset.nq.gz", "dataset.ttl", "dataset.jsonld"]
XC = "https://kg.xiancheng.example/def/"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")


def canonical(quads) -> set:
    """The quads with blank nodes given canonical labels (RDFC-1.0), as a set."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def as_triples(quads) -> list:
    return [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads]


@pytest.fixture(scope="module")
def release_quads(release):
    return list(ox.parse(read_nquads(release), format=ox.RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def written(tmp_path_factory, data_dir, release):
    target = tmp_path_factory.mktemp("dumps")
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "dump", "--all", str(target)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return target


def read(path, name):
    data = (path / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


FORMATS = {"dataset.trig": ox.RdfFormat.TRIG, "dataset.nq.gz": ox.RdfFormat.N_QUADS,
           "dataset.ttl": ox.RdfFormat.TURTLE, "dataset.jsonld": ox.RdfFormat.JSON_LD}


@pytest.mark.parametrize("name", FILES)
def test_each_dump_holds_exactly_the_releases_triples(written, release, release_quads, name):
    parsed = list(ox.parse(read(written, name), format=FORMATS[name]))
    if name == "dataset.ttl":       # Turtle has no graphs: every triple of every graph, once
        assert len(parsed) == len({(q.subject, q.predicate, q.object) for q in release_quads}) == release.triples
        assert canonical(as_triples(parsed)) == canonical(as_triples(release_quads))
    else:
        assert len(parsed) == release.triples
        assert canonical(parsed) == canonical(release_quads)
        graphs = {q.graph_name.value for q in parsed}
        assert graphs == {g["iri"] for g in release.graphs.values()}


def test_the_manifest_and_checksums(written, release):
    manifest = json.loads((written / "dumps.json").read_text(encoding="utf-8"))
    assert manifest["release"] == release.id and manifest["created"] == release.meta["created"]
    assert manifest["triples"] == release.triples
    assert [f["name"] for f in manifest["files"]] == FILES
    sums = dict(reversed(line.split("  ")) for line in (written / "SHA256SUMS").read_text().splitlines())
    for f in manifest["files"]:
        digest = hashlib.sha256((written / f["name"]).read_bytes()).hexdigest()
        assert f["sha256"] == digest == sums[f["name"]]
        assert f["bytes"] == (written / f["name"]).stat().st_size
    # the release's own files, unchanged
    for name in ("dataset.trig", "dataset.nq.gz"):
        assert sums[name] == release.meta["files"][name]["sha256"]


def test_dump_all_into_an_unwritable_place_is_a_clean_error(data_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "dump", "--all", str(blocker / "x")])
    assert result.exit_code == 1 and "cannot write the dumps" in result.output
    assert "Traceback" not in result.output


def test_the_service_offers_the_same_files(client, written, release):
    page = client.get("/dumps/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert release.id in text
    manifest = client.get("/dumps/dumps.json").get_json()
    assert manifest == json.loads((written / "dumps.json").read_text(encoding="utf-8"))
    for f in manifest["files"]:
        assert f["sha256"] in text
        response = client.get(f"/dumps/{f['name']}")
        assert response.status_code == 200 and response.mimetype == f["media_type"]
        assert hashlib.sha256(response.data).hexdigest() == f["sha256"]
        assert response.headers["ETag"]
    assert client.get("/dumps/SHA256SUMS").data == (written / "SHA256SUMS").read_bytes()
    missing = client.get("/dumps/secrets.txt", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and "dataset.ttl" in missing.get_json()["error"]["detail"]
    assert client.get("/dumps/..%2Frelease.json").status_code == 404


# --- VoID and DCAT ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def void(app):
    client = app.test_client()
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    return Graph().parse(data=response.data, format="turtle")


def test_void_counts_agree_with_the_release_and_the_store(void, release, oxigraph):
    ds = URIRef("https://kg.xiancheng.example/dataset")
    assert (ds, RDF.type, VOID.Dataset) in void and (ds, RDF.type, DCAT.Dataset) in void
    assert void.value(ds, VOID.triples).toPython() == release.triples
    assert str(void.value(ds, DCTERMS.identifier)) == release.id
    assert str(void.value(ds, DCTERMS.issued)) == release.meta["created"]
    for graph in release.graphs.values():
        assert (ds, VOID.subset, URIRef(graph["iri"])) in void
        assert void.value(URIRef(graph["iri"]), VOID.triples).toPython() == graph["triples"]
    partitions = {void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
                  for p in void.objects(ds, VOID.classPartition)}
    counts = oxigraph.query("SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c").rows
    assert partitions == {c: n.toPython() for c, n in counts}
    properties = {void.value(p, VOID.property): void.value(p, VOID.triples).toPython()
                  for p in void.objects(ds, VOID.propertyPartition)}
    used = oxigraph.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p").rows
    assert properties == {p: n.toPython() for p, n in used}


def test_void_names_licence_sources_endpoint_dumps_and_examples(app, void, oxigraph):
    ds = URIRef("https://kg.xiancheng.example/dataset")
    licence = oxigraph.query("""SELECT ?l WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> ;
        <http://purl.org/dc/terms/license> ?l }""").rows
    assert set(void.objects(ds, DCTERMS.license)) == {row[0] for row in licence}
    sources = oxigraph.query(f"SELECT ?s WHERE {{ ?s a <{XC}SourceDocument> }}").rows
    assert set(void.objects(ds, DCTERMS.source)) == {row[0] for row in sources}
    endpoint = void.value(ds, VOID.sparqlEndpoint)
    assert str(endpoint).endswith("/sparql")
    dumps = {str(u).rsplit("/", 1)[-1] for u in void.objects(ds, VOID.dataDump)}
    assert dumps == set(FILES)
    client = app.test_client()
    manifest = client.get("/dumps/dumps.json").get_json()
    for f in manifest["files"]:
        dist = next(d for d in void.objects(ds, DCAT.distribution) if str(d).endswith(f["name"] + "#distribution"))
        checksum = void.value(dist, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == f["sha256"]
        assert void.value(dist, DCAT.byteSize).toPython() == f["bytes"]
    examples = list(void.objects(ds, VOID.exampleResource))
    assert examples
    for example in examples:
        assert client.get(str(example).replace("https://kg.xiancheng.example", "")).status_code == 303


@pytest.mark.parametrize("path,accept,mimetype", [
    ("/dataset", "text/html", "text/html"), ("/dataset", "text/turtle", "text/turtle"),
    ("/dataset", "application/ld+json", "application/ld+json"), ("/dataset.jsonld", None, "application/ld+json"),
    ("/dataset.rdf", None, "application/rdf+xml"), ("/dataset.nt", None, "application/n-triples"),
    ("/.well-known/void", None, "text/turtle"), ("/.well-known/void", "*/*", "text/turtle"),
])
def test_dataset_description_negotiation(client, release, path, accept, mimetype):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == mimetype
    if mimetype == "text/html":
        text = response.get_data(as_text=True)
        assert release.id in text and "/sparql" in text
    elif mimetype != "application/ld+json":
        fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt"}[mimetype]
        g = Graph().parse(data=response.data, format=fmt)
        assert (URIRef("https://kg.xiancheng.example/dataset"), VOID.triples, Literal(release.triples)) in g
    else:
        assert len(list(ox.parse(response.data, format=ox.RdfFormat.JSON_LD))) > 100
    assert client.get("/dataset", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/dataset.xyz", headers={"Accept": "application/json"}).status_code == 404


def test_an_unwritable_data_directory_is_a_clear_503(tmp_path, release, pool):
    from xiancheng.service import create_app

    blocker = tmp_path / "data"
    blocker.mkdir()
    (blocker / "dumps").write_text("a file where the dumps directory should be")
    client = create_app(release=release, pool=pool, data_dir=blocker).test_client()
    response = client.get("/dumps/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert "xiancheng dump --all" in response.get_json()["error"]["detail"]
