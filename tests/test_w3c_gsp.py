"""The W3C SPARQL 1.1 Graph Store Protocol tests and the update tests of the SPARQL 1.1 Protocol
suite (tests/w3c/), run against a live server with an admin token.

The manifests describe HTTP exchanges (ht:Request, expected status, headers and body). Paths are
mapped as the manifests allow: ``/gsp`` to ``/store``, ``/sparql/`` to ``/update`` for updates and
``/sparql`` for queries. Before each test the store is emptied (DROP ALL). The suite's data
(``foaf:Person`` without labels or sources) does not follow the project's shapes, so this server
checks writes against an empty shapes file (setting ``shapes_file``); the shapes gate has its own
tests. Direct graph identification (``/gsp/person/1.ttl``) maps to ``/store/person/1.ttl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from writable import Client, start_writable, writable_data_dir

W3C = Path(__file__).resolve().parent / "w3c" / "sparql11"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404, "BadRequest": 400}
NOT_OFFERED: dict[str, str] = {}     # mf:requires features this server lacks: none


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict
    body: bytes | None
    statuses: list = field(default_factory=list)        # codes (int) or classes ("4xx")
    content_type: str | None = None
    graph: str | None = None                             # expected body (Turtle)
    location: str | None = None                          # template variable for Location
    boolean: bool | None = None


@dataclass
class W3CTest:
    name: str
    requires: list[str]
    exchanges: list[Exchange]


def _entries(path: Path) -> list[tuple[Graph, URIRef]]:
    g = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    found = []
    for head in g.objects(manifest, MF.include):
        for included in Collection(g, head):
            found += _entries(path.parent / str(included).rsplit("/", 1)[-1])
    for head in g.objects(manifest, MF.entries):
        found += [(g, entry) for entry in Collection(g, head)]
    return found


def _statuses(g: Graph, response) -> list:
    found = []
    for status in g.objects(response, MF.expectedStatus):
        name = str(status).rsplit("#", 1)[-1]
        m = re.fullmatch(r"StatusCode(\d)xx", name)
        found.append(f"{m.group(1)}xx" if m else STATUS[name])
    return found


def _headers(g: Graph, node) -> dict:
    headers = {}
    for head in g.objects(node, HT.headers):
        for header in Collection(g, head):
            headers[str(g.value(header, HT.fieldName)).lower()] = str(g.value(header, HT.fieldValue))
    return headers


def load_tests(manifest: Path, keep=lambda name: True) -> list[W3CTest]:
    tests = []
    for g, entry in _entries(manifest):
        name = str(entry).rsplit("#", 1)[-1]
        if not keep(name):
            continue
        action = g.value(entry, MF.action)
        exchanges = []
        for request in Collection(g, g.value(action, HT.requests)):
            body = g.value(request, HT.body)
            data = None
            if body is not None:
                encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
                data = str(g.value(body, CNT.chars)).encode(encoding.lower().replace("utf-16", "utf-16-le"))
            resp = g.value(request, HT.resp)
            resp_body = g.value(resp, HT.body)
            boolean = g.value(resp, MF.expectedBoolean)
            exchanges.append(Exchange(
                str(g.value(request, HT.methodName)), str(g.value(request, HT.absolutePath)),
                _headers(g, request), data, _statuses(g, resp), _headers(g, resp).get("content-type"),
                str(g.value(resp_body, CNT.chars)) if resp_body is not None else None,
                str(g.value(resp, MF.expectedLocation)) if (resp, MF.expectedLocation, None) in g else None,
                None if boolean is None else boolean.toPython()))
        tests.append(W3CTest(name, [str(r) for r in g.objects(entry, MF.requires)], exchanges))
    return tests


GSP_TESTS = load_tests(W3C / "graph-store-protocol" / "manifest.ttl")
UPDATE_TESTS = load_tests(W3C / "protocol" / "manifest.ttl", lambda name: "update" in name)


@pytest.fixture(scope="module")
def w3c_server(release, tmp_path_factory):
    root = tmp_path_factory.mktemp("w3c")
    data_dir, tokens = writable_data_dir(release, root / "data", {"w3c": "admin"})
    shapes = root / "no-shapes.ttl"
    shapes.write_text("# the W3C suite's data follows no shapes of this project\n")
    server = start_writable(data_dir, root / "server.log", shapes_file=shapes, query_budget=0)
    yield Client(server.url, tokens["w3c"]), server
    server.stop()


def _route(path: str, exchange: Exchange) -> str:
    if path.startswith("/gsp"):
        return "/store" + path[len("/gsp"):]
    query = exchange.headers.get("content-type", "").startswith("application/sparql-query") or (
        exchange.method == "GET" and "query=" in path)
    return ("/sparql" if query else "/update") + path[len("/sparql/"):]


def _status_ok(status: int, expected: list) -> bool:
    return any(status == e if isinstance(e, int) else str(status).startswith(e[0]) for e in expected)


def run_test(client: Client, test: W3CTest) -> None:
    assert client.update("DROP ALL").status == 200
    variables: dict[str, str] = {}
    for i, ex in enumerate(test.exchanges):
        path, body = ex.path, ex.body
        for var, value in variables.items():
            path = path.replace(var, value)
            body = body.replace(var.encode(), value.encode()) if body else body
        headers = {k: v for k, v in ex.headers.items()}
        response = client.request(ex.method, _route(path, ex), body, headers)
        where = f"{test.name}, request {i + 1} ({ex.method} {path})"
        assert _status_ok(response.status, ex.statuses), \
            f"{where}: status {response.status}, expected {ex.statuses}: {response.text[:300]}"
        if ex.location:
            assert "location" in response.headers, f"{where}: no Location header"
            variables[ex.location] = response.headers["location"]
        if ex.content_type:
            got = response.headers.get("content-type", "").replace(" ", "").lower()
            assert got == ex.content_type.replace(" ", "").lower(), f"{where}: Content-Type {got}"
        if ex.graph is not None:
            expected = Graph().parse(data=ex.graph, format="turtle")
            got = Graph().parse(data=response.body, format="turtle")
            assert isomorphic(expected, got), f"{where}: the graph differs:\n{response.text}"
        if ex.boolean is not None:
            assert response.json()["boolean"] is ex.boolean, f"{where}: {response.text}"


@pytest.mark.parametrize("test", GSP_TESTS, ids=[t.name for t in GSP_TESTS])
def test_graph_store_protocol(w3c_server, test):
    missing = [NOT_OFFERED[r] for r in test.requires if r in NOT_OFFERED]
    if missing:
        pytest.skip(missing[0])
    run_test(w3c_server[0], test)


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[t.name for t in UPDATE_TESTS])
def test_protocol_update(w3c_server, test):
    run_test(w3c_server[0], test)


def test_the_manifests_were_read():
    assert len(GSP_TESTS) == 13 and len(UPDATE_TESTS) == 14
    assert sum(str(MF.DirectGraphIdentification) in t.requires for t in GSP_TESTS) == 4
