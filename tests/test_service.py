"""The SPARQL protocol, content negotiation, errors, caching and named queries, through Flask's
test client (the end-to-end tests run a real server)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

ID = "https://kg.xiancheng.example/id/"
LABEL_QUERY = (f"SELECT ?l WHERE {{ <{ID}division/141182> "
               "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")
SD = "http://www.w3.org/ns/sparql-service-description#"


def _error(response):
    body = json.loads(response.data)
    assert set(body) == {"error"} and set(body["error"]) == {"status", "title", "detail"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


def _labels(response):
    return {b["l"]["value"] for b in json.loads(response.data)["results"]["bindings"]}


def test_get_post_form_and_post_direct_agree(client):
    get = client.get("/sparql", query_string={"query": LABEL_QUERY})
    form = client.post("/sparql", data={"query": LABEL_QUERY})
    direct = client.post("/sparql", data=LABEL_QUERY.encode(), content_type="application/sparql-query")
    for response in (get, form, direct):
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
        assert _labels(response) == {"汾阳市", "Fenyang City"}


@pytest.mark.parametrize("accept,mimetype", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_negotiation(client, accept, mimetype):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "汾阳市".encode() in response.data


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"),
                                               ("rdfxml", "xml"), ("jsonld", "json-ld"),
                                               ("trig", "trig"), ("nquads", "nquads")])
def test_construct_formats(client, fmt, rdflib_format):
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{ID}division/141182>) }}"
    response = client.get("/sparql", query_string={"query": query, "format": fmt})
    assert response.status_code == 200
    g = Graph()
    g.parse(data=response.data, format=rdflib_format)
    assert (URIRef(ID + "division/141182"), RDF.type, URIRef("https://kg.xiancheng.example/def/CountyLevelCity")) in g


def test_csv_download_link(client):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY, "format": "csv", "download": "1"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="results.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert {r["l"] for r in rows} == {"汾阳市", "Fenyang City"}


def test_not_acceptable(client):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY},
                          headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.data.decode()


def test_unknown_format_parameter(client):
    response = client.get("/sparql", query_string={"query": LABEL_QUERY, "format": "docx"},
                          headers={"Accept": "application/json"})
    assert response.status_code == 400 and "json, xml, csv, tsv" in _error(response)["detail"]


@pytest.mark.parametrize("request_kwargs,status,needle", [
    ({"method": "GET", "query_string": "query=ASK%20%7B"}, 400, "brackets"),
    ({"method": "GET", "query_string": "query=SELECT%20%3Fx%20WHERE%20%7B%20%3Fx%20%3Fy%20%7D"}, 400, "Malformed"),
    ({"method": "GET", "query_string": "query=ASK%7B%7D&query=ASK%7B%7D"}, 400, "exactly one query"),
    ({"method": "POST", "data": b"ASK {}", "content_type": "text/plain"}, 415, "application/sparql-query"),
    ({"method": "POST", "data": b"ASK {}"}, 415, "application/x-www-form-urlencoded"),
    ({"method": "POST", "data": "ASK {}".encode("utf-16"), "content_type": "application/sparql-query; charset=UTF-16"}, 415, "UTF-8"),
    ({"method": "POST", "data": b"\xff\xfeASK {}", "content_type": "application/sparql-query"}, 400, "not UTF-8"),
    ({"method": "GET", "path": "/sparql?query=ASK%20%7B%7D%FF"}, 400, "not UTF-8"),
    ({"method": "POST", "data": {"update": "CLEAR ALL"}}, 400, "updates"),
    ({"method": "POST", "data": {"default-graph-uri": "http://example.org/g"}}, 400, "send a query"),
    ({"method": "POST", "data": b""}, 415, "Missing content type"),
    ({"method": "PUT", "data": {"query": "ASK {}"}}, 405, "not allowed"),
    ({"method": "GET", "query_string": "query=INSERT%20DATA%20%7B%7D"}, 400, "update"),
    ({"method": "GET", "query_string": "query=ASK%7B%7D&default-graph-uri=not%20an%20iri"}, 400, "absolute IRI"),
    ({"method": "GET", "query_string": "query=ASK%7B%7D&inference=maybe"}, 400, "true or false"),
])
def test_bad_requests_get_clear_errors(client, request_kwargs, status, needle):
    kwargs = dict(request_kwargs)
    method = kwargs.pop("method")
    path = kwargs.pop("path", "/sparql")
    response = client.open(path, method=method, headers={"Accept": "application/json"}, **kwargs)
    assert response.status_code == status
    error = _error(response)
    assert needle.lower() in (error["title"] + " " + error["detail"]).lower()


def test_errors_for_plain_clients_and_browsers(client):
    plain = client.get("/sparql?query=ASK%20%7B", headers={"Accept": "text/plain"})
    assert plain.status_code == 400 and plain.mimetype == "text/plain"
    assert plain.data.decode().startswith("400 Query refused:")
    page = client.get("/sparql?query=ASK%20%7B", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and b"brackets" in page.data


def test_service_refused_before_any_request(client):
    response = client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
                          headers={"Accept": "application/json"})
    assert response.status_code == 400 and "SERVICE is not allowed" in _error(response)["detail"]


def test_deadline(client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 504
    assert "stopped" in _error(response)["detail"]
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_row_cap(app, client):
    settings = app.extensions["xiancheng"].settings
    old = settings["max_rows"]
    settings["max_rows"] = 5
    try:
        response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 6"},
                              headers={"Accept": "application/json"})
        assert response.status_code == 422 and "limit is 5" in _error(response)["detail"]
        assert client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}).status_code == 200
    finally:
        settings["max_rows"] = old


def test_body_size_cap(app, client):
    big = "ASK {} #" + "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/sparql", data=big, content_type="application/sparql-query",
                           headers={"Accept": "application/json"})
    assert response.status_code == 413


def test_etag_revalidation_and_version(client):
    first = client.get("/sparql", query_string={"query": LABEL_QUERY})
    etag = first.headers["ETag"]
    again = client.get("/sparql", query_string={"query": LABEL_QUERY}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/sparql", query_string={"query": LABEL_QUERY, "format": "csv"})
    assert other.headers["ETag"] != etag
    assert first.headers["X-Data-Version"] == client.application.extensions["xiancheng"].version


def test_inference_parameter(client):
    query = f"ASK {{ <{ID}division/141182> <https://kg.xiancheng.example/def/partOf> <{ID}division/140000> }}"
    on = json.loads(client.get("/sparql", query_string={"query": query}).data)
    off = json.loads(client.get("/sparql", query_string={"query": query, "inference": "false"}).data)
    assert on["boolean"] is True and off["boolean"] is False


def test_protocol_dataset_parameters(client):
    divisions = "https://kg.xiancheng.example/graph/divisions"
    query = f"ASK {{ <{ID}specialty-town/xinghuacun-fenjiu> ?p ?o }}"
    only_divisions = client.get("/sparql", query_string={"query": query, "default-graph-uri": divisions})
    assert json.loads(only_divisions.data)["boolean"] is False
    named = client.get("/sparql", query_string={
        "query": f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ID}division/141182> ?p ?o }} }}",
        "named-graph-uri": divisions})
    assert {b["g"]["value"] for b in json.loads(named.data)["results"]["bindings"]} == {divisions}
    unknown = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://example.org/nothing"})
    assert json.loads(unknown.data)["boolean"] is False  # an unknown graph is empty, never fetched


def test_label_function_with_language_fallback(client):
    query = ("PREFIX xcf: <https://kg.xiancheng.example/def/function/> "
             f"SELECT (xcf:label(<{ID}division/141182>) AS ?a) (xcf:label(<{ID}division/141182>, 'en') AS ?b) "
             f"(xcf:label(<{ID}division/141182>, 'fr') AS ?c) WHERE {{}}")
    zh = json.loads(client.get("/sparql", query_string={"query": query}).data)["results"]["bindings"][0]
    assert (zh["a"]["value"], zh["b"]["value"], zh["c"]["value"]) == ("汾阳市", "Fenyang City", "汾阳市")
    en = json.loads(client.get("/sparql", query_string={"query": query, "lang": "en"}).data)["results"]["bindings"][0]
    assert en["a"]["value"] == "Fenyang City"
    accept = json.loads(client.get("/sparql", query_string={"query": query},
                                   headers={"Accept-Language": "en-GB,en;q=0.9"}).data)
    assert accept["results"]["bindings"][0]["a"]["value"] == "Fenyang City"


def test_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    g = Graph().parse(data=response.data, format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, URIRef(SD + "endpoint"), service) in g
    assert (service, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in g
    names = {str(o) for o in g.objects(None, URIRef(SD + "name"))}
    assert "https://kg.xiancheng.example/graph/inferred" in names and len(names) >= 14


def test_cors(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://yasgui.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "https://yasgui.org",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_named_queries_listing(client):
    listing = client.get("/queries", headers={"Accept": "application/json"}).get_json()
    names = {q["name"] for q in listing["queries"]}
    assert {"sponge-city-counties", "county-profile"} <= names
    html = client.get("/queries", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and 'rel="alternate"' in html.headers["Link"]


def test_named_query_with_parameters(client):
    response = client.get("/queries/county-profile?county=141182&format=csv")
    assert response.status_code == 200 and "杏花村汾酒专业镇" in response.data.decode()
    bad = client.get("/queries/county-profile?county=141182%7D", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "six-digit" in _error(bad)["detail"]
    missing = client.get("/queries/county-profile", headers={"Accept": "application/json"})
    assert missing.status_code == 400 and "needs parameter 'county'" in _error(missing)["detail"]
    unknown = client.get("/queries/nope", headers={"Accept": "application/json"})
    assert unknown.status_code == 404
    extra = client.get("/queries/indicators?colour=red", headers={"Accept": "application/json"})
    assert extra.status_code == 400 and "unknown parameter" in _error(extra)["detail"]
