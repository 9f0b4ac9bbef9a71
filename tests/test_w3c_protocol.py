"""The W3C SPARQL 1.1 Protocol tests (tests/w3c/sparql11/protocol/manifest.ttl), query part, run
against ``xiancheng serve`` on a free port holding the tests' ``ut:graphData`` as named graphs.

Each manifest request is sent as written (method, headers, body in its character encoding) over
http.client; the manifest's ``/sparql/`` path prefix is replaced by this service's ``/sparql``, as
the manifest asks of a runner. Responses are checked for the expected status class and parsed by
their content type: a boolean, a table of results or an RDF graph.

Some tests name ``…/data0.rdf``, which no test loads: the service's policy is that a graph IRI
not in the store is an empty graph (nothing is ever fetched), so ``ASK {}`` on it is true.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from rdflib import Graph

from w3c.manifest import protocol_tests

TESTS = protocol_tests()
# The update operation (update_* and bad_update_*) belongs to issue 7 (a separate update endpoint);
# this endpoint only answers queries and refuses updates, so those tests are not run here.
QUERY_TESTS = [t for t in TESTS if not t.is_update]
UPDATE_TESTS = [t for t in TESTS if t.is_update]

RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}"
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt",
             "application/ld+json": "json-ld", "text/plain": "nt"}


def _send(server, request):
    path = request.path
    assert path.startswith("/sparql/")
    path = "/sparql" + path[len("/sparql/") - 1:].removeprefix("/")
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(request.method, path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def _boolean(ctype: str, body: bytes) -> bool:
    if ctype in ("application/sparql-results+json", "application/json"):
        return json.loads(body)["boolean"]
    if ctype in ("application/sparql-results+xml", "application/xml"):
        element = ET.fromstring(body).find(f"{RESULTS_XML}boolean")
        return {"true": True, "false": False}[element.text.strip()]
    raise AssertionError(f"a boolean result came as {ctype}")


def _table(ctype: str, body: bytes) -> list[dict]:
    if ctype in ("application/sparql-results+json", "application/json"):
        return [{k: v["value"] for k, v in row.items()} for row in json.loads(body)["results"]["bindings"]]
    if ctype in ("application/sparql-results+xml", "application/xml"):
        rows = ET.fromstring(body).find(f"{RESULTS_XML}results")
        return [{b.get("name"): "".join(b.itertext()) for b in r} for r in rows]
    if ctype in ("text/csv", "text/tab-separated-values"):
        delimiter = "," if ctype == "text/csv" else "\t"
        return list(csv.DictReader(io.StringIO(body.decode("utf-8")), delimiter=delimiter))
    raise AssertionError(f"a table of results came as {ctype}")


UPDATE_SKIP = pytest.mark.skip(reason="the update tests run against /update, on a server that accepts "
                                      "writes, in tests/test_w3c_gsp.py (/sparql refuses updates)")


@pytest.mark.parametrize("test", [pytest.param(t, id=t.name, marks=[UPDATE_SKIP] if t.is_update else [])
                                  for t in TESTS])
def test_protocol(w3c_server, test):
    for request in test.requests:
        status, content_type, body = _send(w3c_server, request)
        assert status // 100 in request.statuses, (
            f"{test.title}: status {status}, expected {sorted(request.statuses)}xx: {body[:300]!r}")
        ctype = content_type.split(";")[0].strip().lower()
        if request.expected_format == "boolean" or request.expected_boolean is not None:
            value = _boolean(ctype, body)
            if request.expected_boolean is not None:
                assert value is request.expected_boolean, test.title
        elif request.expected_format == "tabular":
            assert _table(ctype, body) == [{"value": "1"}]
        elif request.expected_format == "RDF":
            assert ctype in RDF_TYPES, f"{test.title}: an RDF result came as {ctype}"
            Graph().parse(data=body, format=RDF_TYPES[ctype])
        if status >= 400:
            assert b"Traceback" not in body


def test_the_manifest_is_read_whole():
    """The runner finds every test (a parse problem must not silently shrink the suite)."""
    assert len(TESTS) == 34
    assert {t.name for t in UPDATE_TESTS} == {t.name for t in TESTS if "update" in t.name}
    assert len(QUERY_TESTS) == 20
    assert all(t.requests for t in QUERY_TESTS)


def test_the_tests_data_is_served_in_named_graphs(w3c_server):
    """The graphs of the manifest's ut:graphData are in the store, each under its label."""
    request = type(QUERY_TESTS[0].requests[0])(
        "GET", "/sparql/?query=SELECT%20%3Fg%20%3Fs%20%7B%20GRAPH%20%3Fg%20%7B%20%3Fs%20a%20%3Ft%20%7D%20%7D",
        {"Accept": "application/sparql-results+json"}, None, {2}, "tabular", None)
    status, ctype, body = _send(w3c_server, request)
    assert status == 200
    rows = _table(ctype.split(";")[0], body)
    assert sorted((r["g"], r["s"]) for r in rows) == [
        (f"http://kasei.us/2009/09/sparql/data/data{i}.rdf",) * 2 for i in (1, 2, 3)]
