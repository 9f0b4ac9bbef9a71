"""Real SPARQL clients against ``xiancheng serve`` on a free port: SPARQLWrapper, rdflib's
SPARQLStore and raw HTTP (http.client) — with Chinese text in the queries and in the results."""

from __future__ import annotations

import csv
import http.client
import io
import json
from urllib.parse import urlencode, urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, POST, POSTDIRECTLY, RDFXML, TURTLE, XML, SPARQLWrapper

FENYANG = "https://kg.xiancheng.example/id/division/141182"
LUELIANG = "https://kg.xiancheng.example/id/division/141100"
PREFIX = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
# Chinese in the query (the label looked up) and in the results (the label returned)
SELECT = PREFIX + """SELECT ?division ?name ?english WHERE {
  ?division rdfs:label "汾阳市"@zh, ?name, ?english .
  FILTER (lang(?name) = "zh" && lang(?english) = "en")
}"""
ASK_YES = PREFIX + 'ASK { ?division rdfs:label "汾阳市"@zh }'
ASK_NO = PREFIX + 'ASK { ?division rdfs:label "不存在的县"@zh }'
CONSTRUCT = PREFIX + 'CONSTRUCT { ?division rdfs:label ?label } WHERE { ?division rdfs:label "汾阳市"@zh, ?label }'
EXPECTED_ROW = {"division": FENYANG, "name": "汾阳市", "english": "Fenyang City"}


def _wrapper(server, query, fmt, method=GET):
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        sparql.setMethod(POST)
        sparql.setRequestMethod(POSTDIRECTLY)
    else:
        sparql.setMethod(method)
    return sparql.query().convert()


# --- SPARQLWrapper -------------------------------------------------------------------------------

@pytest.mark.parametrize("method", [GET, POST, POSTDIRECTLY])
def test_sparqlwrapper_select_json(live_server, method):
    result = _wrapper(live_server, SELECT, JSON, method)
    assert result["head"]["vars"] == ["division", "name", "english"]
    rows = result["results"]["bindings"]
    assert [{k: v["value"] for k, v in row.items()} for row in rows] == [EXPECTED_ROW]
    assert rows[0]["name"]["xml:lang"] == "zh"


def test_sparqlwrapper_select_xml(live_server):
    document = _wrapper(live_server, SELECT, XML)
    bindings = {b.getAttribute("name"): b for b in document.getElementsByTagName("binding")}
    assert bindings["name"].getElementsByTagName("literal")[0].firstChild.data == "汾阳市"
    assert bindings["name"].getElementsByTagName("literal")[0].getAttribute("xml:lang") == "zh"
    assert bindings["division"].getElementsByTagName("uri")[0].firstChild.data == FENYANG


def test_sparqlwrapper_select_csv(live_server):
    data = _wrapper(live_server, SELECT, CSV)
    assert list(csv.DictReader(io.StringIO(data.decode("utf-8")))) == [EXPECTED_ROW]


def test_sparqlwrapper_ask(live_server):
    assert _wrapper(live_server, ASK_YES, JSON)["boolean"] is True
    assert _wrapper(live_server, ASK_NO, JSON)["boolean"] is False
    document = _wrapper(live_server, ASK_YES, XML)
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # SPARQLWrapper's
@pytest.mark.parametrize("fmt", [RDFXML, TURTLE])
def test_sparqlwrapper_construct(live_server, fmt):
    result = _wrapper(live_server, CONSTRUCT, fmt)
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert set(graph) == {(URIRef(FENYANG), RDFS.label, Literal("汾阳市", lang="zh")),
                          (URIRef(FENYANG), RDFS.label, Literal("Fenyang City", lang="en"))}


# --- rdflib's SPARQLStore ------------------------------------------------------------------------

@pytest.mark.parametrize("return_format, method", [("xml", "GET"), ("json", "GET"), ("json", "POST")])
def test_rdflib_sparqlstore_query(live_server, return_format, method):
    graph = Graph(SPARQLStore(live_server.url + "/sparql", returnFormat=return_format, method=method))
    rows = list(graph.query(SELECT))
    assert [(str(r.division), r.name, r.english) for r in rows] == [
        (FENYANG, Literal("汾阳市", lang="zh"), Literal("Fenyang City", lang="en"))]
    assert graph.query(ASK_YES).askAnswer is True


def test_rdflib_sparqlstore_triples_and_bindings(live_server):
    graph = Graph(SPARQLStore(live_server.url + "/sparql", returnFormat="json"))
    labels = set(graph.objects(URIRef(FENYANG), RDFS.label))
    assert labels == {Literal("汾阳市", lang="zh"), Literal("Fenyang City", lang="en")}
    rows = graph.query(PREFIX + "SELECT ?name WHERE { ?division rdfs:label ?name FILTER (lang(?name) = 'zh') }",
                       initBindings={"division": URIRef(LUELIANG)})
    assert [str(r.name) for r in rows] == ["吕梁市"]


# --- raw HTTP ------------------------------------------------------------------------------------

def _http(server, method, path, body=None, headers=None):
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def test_raw_http_get_post_form_and_post_direct(live_server):
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        _http(live_server, "GET", "/sparql?" + urlencode({"query": SELECT}), headers=accept),
        _http(live_server, "POST", "/sparql", urlencode({"query": SELECT}).encode("ascii"),
              {**accept, "Content-Type": "application/x-www-form-urlencoded"}),
        _http(live_server, "POST", "/sparql", SELECT.encode("utf-8"),
              {**accept, "Content-Type": "application/sparql-query; charset=utf-8"}),
    ]
    for status, content_type, body in answers:
        assert status == 200
        assert content_type == "application/sparql-results+json; charset=utf-8"
        rows = json.loads(body.decode("utf-8"))["results"]["bindings"]
        assert [{k: v["value"] for k, v in row.items()} for row in rows] == [EXPECTED_ROW]
        assert "汾阳市".encode("utf-8") in body  # sent as UTF-8, not as \\u escapes


def test_raw_http_tsv_and_turtle(live_server):
    status, content_type, body = _http(live_server, "GET", "/sparql?" + urlencode({"query": SELECT}),
                                       headers={"Accept": "text/tab-separated-values"})
    assert status == 200 and content_type.startswith("text/tab-separated-values")
    header, row = body.decode("utf-8").splitlines()
    assert header.split("\t") == ["?division", "?name", "?english"]
    assert row.split("\t") == [f"<{FENYANG}>", '"汾阳市"@zh', '"Fenyang City"@en']
    status, content_type, body = _http(live_server, "GET", "/sparql?" + urlencode({"query": CONSTRUCT}),
                                       headers={"Accept": "text/turtle"})
    assert status == 200 and content_type == "text/turtle; charset=utf-8"
    assert (URIRef(FENYANG), RDFS.label, Literal("汾阳市", lang="zh")) in Graph().parse(data=body, format="turtle")


def test_raw_http_error_is_readable_json(live_server):
    status, content_type, body = _http(live_server, "GET", "/sparql?" + urlencode({"query": "SELECT 汾阳 {"}),
                                       headers={"Accept": "application/json"})
    assert status == 400 and content_type.startswith("application/json")
    error = json.loads(body)["error"]
    assert error["status"] == 400 and error["detail"]
