"""Reading the W3C SPARQL 1.1 Protocol and Service Description manifests (rdflib) into plain
records the tests run: each protocol test is a list of HTTP requests with expected responses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

HERE = Path(__file__).resolve().parent
PROTOCOL = HERE / "sparql11" / "protocol" / "manifest.ttl"
SERVICE_DESCRIPTION = HERE / "sparql11" / "service-description" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]               # acceptable status classes: 2, 3, 4, 5
    expected_format: str | None      # "boolean", "tabular" or "RDF"
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    iri: str
    name: str
    title: str
    requests: list[Request]
    graph_data: dict[str, Path] = field(default_factory=dict)  # graph IRI -> N-Triples file

    @property
    def is_update(self) -> bool:
        return "update" in self.name


def _graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def entries(manifest: Graph) -> list[URIRef]:
    root = manifest.value(predicate=RDF.type, object=MF.Manifest, any=False)
    return list(Collection(manifest, manifest.value(root, MF.entries)))


def _local(iri) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _request(g: Graph, node) -> Request:
    headers = {}
    header_list = g.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(g, header_list):
            headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
    body = None
    content = g.value(node, HT.body)
    if content is not None:
        encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(content, CNT.chars)).encode(encoding)
    response = g.value(node, HT.resp)
    statuses = {int(_local(s).removeprefix("StatusCode")[0]) for s in g.objects(response, MF.expectedStatus)}
    boolean = g.value(response, MF.expectedBoolean)
    fmt = g.value(response, MF.expectedFormat)
    return Request(str(g.value(node, HT.methodName)), str(g.value(node, HT.absolutePath)), headers,
                   body, statuses, str(fmt) if fmt is not None else None,
                   boolean.toPython() if boolean is not None else None)


def protocol_tests() -> list[ProtocolTest]:
    g = _graph(PROTOCOL)
    tests = []
    for entry in entries(g):
        action = g.value(entry, MF.action)
        requests = [_request(g, r) for r in Collection(g, g.value(action, HT.requests))]
        data = {}
        for graph_data in g.objects(entry, UT.graphData):
            file = str(g.value(graph_data, UT.graph)).removeprefix("file://")
            data[str(g.value(graph_data, RDFS.label))] = Path(file)
        tests.append(ProtocolTest(str(entry), _local(entry), str(g.value(entry, MF.name)), requests, data))
    return tests


def protocol_graph_data() -> str:
    """Every graph any protocol test loads, as N-Quads: each file in the named graph of its label."""
    graphs: dict[str, Path] = {}
    for test in protocol_tests():
        for iri, path in test.graph_data.items():
            assert graphs.setdefault(iri, path) == path, f"{iri} is loaded from two files"
    dataset = Dataset()
    for iri, path in sorted(graphs.items()):
        dataset.graph(URIRef(iri)).parse(path, format="nt")
    return dataset.serialize(format="nquads")


def service_description_tests() -> list[tuple[str, str, str]]:
    """(IRI, local name, title) of each Service Description test."""
    g = _graph(SERVICE_DESCRIPTION)
    return [(str(e), _local(e), str(g.value(e, MF.name))) for e in entries(g)]
