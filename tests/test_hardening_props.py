"""Generated inputs (hypothesis, schemathesis) against the request handlers and the parsers:
whatever comes in, the answer is never a 5xx, and the parsers fail only in the ways they declare.
Schemathesis also checks that statuses, content types and JSON bodies are as the OpenAPI document
(service/openapi.yaml) says.

The writes here go to an app of their own (a copy of the release), so that what the fuzzers write
cannot disturb the other tests.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import (ignored_auth, missing_required_header,
                                                positive_data_acceptance)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiancheng.graph.formats import RDF_FORMATS
from xiancheng.graph.safeparse import ParseFailed, UnsafeInput, json_depth, screen_rdf
from xiancheng.graph.screen import RefusedQuery, screen
from xiancheng.graph.updates import UpdateError, screen_update
from xiancheng.service.apidoc import openapi_document

from writable import WRITE_ROLES, close_app, writable_data_dir

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzz_app(release, tmp_path_factory):
    from xiancheng.service import create_app

    data_dir, tokens = writable_data_dir(release, tmp_path_factory.mktemp("fuzz") / "data", WRITE_ROLES)
    app = create_app(data_dir=data_dir, query_timeout=3.0, query_workers=1, query_budget=0)
    app.tokens = tokens
    yield app
    close_app(app)


def _no_server_error(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400 and response.mimetype == "application/json":
        assert set(response.get_json()["error"]) == {"status", "title", "detail"}


# --- the request handlers --------------------------------------------------------------------

SPARQLISH = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(["SELECT", "ASK", "CONSTRUCT", "*", "?s", "?p", "?o", "{", "}", "(", ")", "WHERE",
                              "FILTER", "<urn:a>", "\"x\"@en", "1", ".", ";", "UNION", "OPTIONAL", "GRAPH",
                              "SERVICE", "LIMIT", "ORDER BY", "!", "||", "BIND", "AS", "VALUES", "\\u0053",
                              "PREFIX", "x:", "#", "\n", "'''", "FROM"]),
             max_size=40).map(" ".join),
)
PARAMS = st.dictionaries(
    st.sampled_from(["query", "format", "inference", "lang", "default-graph-uri", "named-graph-uri",
                     "download", "graph", "default", "update", "x"]),
    st.one_of(st.text(max_size=40), SPARQLISH), max_size=4)


@FUZZ
@given(params=PARAMS, path=st.sampled_from(["/sparql", "/store", "/queries.json", "/queries/county-profile", "/"]),
       accept=st.sampled_from(["*/*", "text/html", "application/json", "text/turtle; charset=utf-8", "image/png", ""]))
def test_any_get_gets_no_server_error(fuzz_app, params, path, accept):
    client = fuzz_app.test_client()
    _no_server_error(client.get(path, query_string=params, headers={"Accept": accept} if accept else {}))


@FUZZ
@given(raw=st.binary(max_size=120))
def test_any_query_string_bytes_get_no_server_error(fuzz_app, raw):
    client = fuzz_app.test_client()
    for path in ("/sparql", "/store", "/queries.json"):
        _no_server_error(client.get(path, environ_overrides={"QUERY_STRING": raw.decode("latin-1")}))


BODY_TYPES = st.sampled_from(["application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded",
                              "text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
                              "application/json", "multipart/form-data; boundary=b", "text/plain; charset=latin-1", ""])


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), SPARQLISH.map(str.encode)), ctype=BODY_TYPES,
       target=st.sampled_from([("POST", "/sparql"), ("POST", "/update"), ("PUT", "/store?graph=urn:fuzz:g"),
                               ("POST", "/store?graph=urn:fuzz:g"), ("POST", "/store"), ("DELETE", "/store?graph=urn:fuzz:g")]),
       who=st.sampled_from([None, "alice", "reader", "bogus"]))
def test_any_body_gets_no_server_error(fuzz_app, body, ctype, target, who):
    headers = {"Content-Type": ctype} if ctype else {}
    if who:
        headers["Authorization"] = f"Bearer {fuzz_app.tokens.get(who, 'xck_bogus')}"
    _no_server_error(fuzz_app.test_client().open(target[1], method=target[0], data=body, headers=headers))


UPDATE_WORDS = st.lists(st.sampled_from(
    ["INSERT", "DELETE", "DATA", "WHERE", "{", "}", "GRAPH", "<urn:fuzz:g>", "<urn:fuzz:s>", "<urn:fuzz:p>",
     "\"v\"", "?s", "?p", "?o", ".", ";", "CLEAR", "SILENT", "CREATE", "DROP", "ADD", "MOVE", "COPY", "TO",
     "WITH", "USING", "NAMED", "[", "]", "_:b", "1", "LOAD", "SERVICE", "FILTER(", ")", "a", "<urn:fuzz:C>"]),
    max_size=25).map(" ".join)


@FUZZ
@given(text=UPDATE_WORDS)
def test_any_update_gets_no_server_error(fuzz_app, text):
    r = fuzz_app.test_client().post("/update", data=text.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {fuzz_app.tokens['alice']}"})
    _no_server_error(r)


# --- the parsers: only their own errors --------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), SPARQLISH, UPDATE_WORDS))
def test_the_screens_raise_only_their_own_errors(text):
    try:
        screen(text)
    except RefusedQuery:
        pass
    try:
        screen_update(text, 100_000, 64)
    except UpdateError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(sorted(RDF_FORMATS)))
def test_the_upload_screen_raises_only_its_own_errors(data, fmt):
    try:
        screen_rdf(data, RDF_FORMATS[fmt], 1 << 20, 64)
    except (UnsafeInput, ParseFailed):
        pass


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
                    max_leaves=30))
def test_json_depth_is_the_nesting_of_the_document(value):
    import json

    def depth(v):
        if isinstance(v, list):
            return 1 + max([depth(x) for x in v], default=0)
        if isinstance(v, dict):
            return 1 + max([depth(x) for x in v.values()], default=0)
        return 0
    assert json_depth(json.dumps(value)) == depth(value)


# --- schemathesis, from the OpenAPI description --------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_server(release, tmp_path_factory):
    """A real server (waitress) of its own for schemathesis, which sends what it generates."""
    from writable import start_writable

    root = tmp_path_factory.mktemp("schemathesis")
    data_dir, tokens = writable_data_dir(release, root / "data", WRITE_ROLES)
    server = start_writable(data_dir, root / "server.log", query_budget=0, query_timeout=3)
    server.tokens = tokens
    yield server
    server.stop()
    assert "Traceback" not in server.log_text(), server.log_text()[-3000:]


schema = schemathesis.openapi.from_dict(openapi_document())


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_against_its_openapi_description(fuzz_server, case):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {fuzz_server.tokens['alice']}"}
    response = case.call(base_url=fuzz_server.url, timeout=30)
    assert response.status_code < 500, response.text[:500]
    # SPARQL and RDF cannot be described in OpenAPI: a schema-valid string is not a valid query,
    # so a 400 for "positive" data is right here. The token is added here, not by schemathesis,
    # so its checks of missing or generated (invalid) credentials do not apply: the token is valid
    # (tests/test_auth.py checks missing, wrong and read-only tokens).
    case.validate_response(response, excluded_checks=[positive_data_acceptance, missing_required_header,
                                                      ignored_auth])


def test_the_openapi_description_is_served_and_lists_every_endpoint(client):
    document = client.get("/openapi.json").get_json()
    assert document == openapi_document()
    assert {"/sparql", "/update", "/store", "/queries.json", "/queries/{name}", "/openapi.json"} <= set(document["paths"])
