"""Every endpoint answers bad input with a clear 4xx — never a 500, never a hang — and HTML pages
carry security headers. Checked through the Flask client and, where the server itself matters
(chunked uploads), against the real server (waitress)."""

from __future__ import annotations

import json
import re
import socket
import urllib.parse

import pytest

from xiancheng.service.budget import Budget

ASK = "/sparql?query=ASK%7B%7D"


def _error(r):
    body = r.get_json()
    assert body and set(body["error"]) == {"status", "title", "detail"}, r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True) and ".py" not in r.get_data(as_text=True)
    return body["error"]


# --- security headers ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/queries", "/sparql"])
def test_html_pages_carry_security_headers(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]


def test_error_pages_for_browsers_carry_them_too(client):
    r = client.get("/queries/no-such-query", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "Content-Security-Policy" in r.headers


def test_api_answers_say_nosniff_without_a_page_policy(client):
    r = client.get(ASK)
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" not in r.headers


# --- parameters and encodings ----------------------------------------------------------------

@pytest.mark.parametrize("path, name", [
    ("/sparql?query=ASK%7B%7D&timeout=5", "timeout"),
    ("/queries.json?sort=name", "sort"),
    ("/store?default&grpah=urn:x", "grpah"),
    ("/?q=1", "q"),
    ("/openapi.json?v=2", "v"),
    ("/search.json?q=fen&sort=x", "sort"),
    ("/browse/?pg=2", "pg"),
    ("/id/division/141182?lng=en", "lng"),
    ("/dumps/?x=1", "x"),
    ("/health?verbose=1", "verbose"),
    ("/network/search?q=fen&foo=1", "foo"),
])
def test_unknown_parameters_are_named_in_a_400(client, path, name):
    r = client.get(path)
    assert r.status_code == 400
    assert name in _error(r)["detail"]


def test_unknown_form_fields_are_refused_too(client):
    r = client.post("/sparql", data={"query": "ASK {}", "timout": "5"})
    assert r.status_code == 400 and "timout" in _error(r)["detail"]


def test_unknown_parameters_of_a_write_are_refused(write_app, write_client):
    r = write_client.post("/update?graph=urn:x", data="CLEAR SILENT GRAPH <urn:x>",
                          headers={"Content-Type": "application/sparql-update",
                                   "Authorization": f"Bearer {write_app.tokens['alice']}"})
    assert r.status_code == 400 and "graph" in _error(r)["detail"]


@pytest.mark.parametrize("path", ["/queries.json?format=%FF", "/store?graph=urn:%C3%28", "/?%FF=1",
                                  "/sparql?query=ASK%7B%7D&lang=%E0%80"])
def test_query_strings_that_are_not_utf8_get_400(client, path):
    r = client.get(path)
    assert r.status_code == 400 and "UTF-8" in _error(r)["detail"]


def test_bodies_that_are_not_utf8_get_400(write_app, write_client):
    auth = {"Authorization": f"Bearer {write_app.tokens['alice']}"}
    r = write_client.post("/update", data=b"INSERT DATA { <urn:a> <urn:b> \"\xff\" }",
                          headers={"Content-Type": "application/sparql-update", **auth})
    assert r.status_code == 400 and "UTF-8" in _error(r)["detail"]
    r = write_client.put("/store?graph=urn:test:enc", data=b"<urn:a> <urn:b> \"\xe9\" .",
                         headers={"Content-Type": "text/turtle", **auth})
    assert r.status_code == 400 and "UTF-8" in _error(r)["detail"]
    r = write_client.put("/store?graph=urn:test:enc", data="<urn:a> <urn:b> \"é\" .".encode("latin-1"),
                         headers={"Content-Type": "text/turtle; charset=ISO-8859-1", **auth})
    assert r.status_code == 415


# --- content types, IRIs, language tags ----------------------------------------------------------

@pytest.mark.parametrize("method, path, ctype", [
    ("POST", "/update", "text/plain"), ("POST", "/update", None), ("POST", "/update", "application/json"),
    ("PUT", "/store?graph=urn:test:ct", "application/json"), ("PUT", "/store?graph=urn:test:ct", "application/n-quads"),
    ("PUT", "/store?graph=urn:test:ct", "multipart/form-data; boundary=x"), ("POST", "/sparql", "text/plain"),
])
def test_wrong_content_types_get_415(write_app, write_client, method, path, ctype):
    headers = {"Authorization": f"Bearer {write_app.tokens['alice']}"}
    if ctype:
        headers["Content-Type"] = ctype
    r = write_client.open(path, method=method, data=b"{}", headers=headers)
    assert r.status_code == 415, r.get_data(as_text=True)
    _error(r)


@pytest.mark.parametrize("body, ctype, words", [
    (b"<urn:a b> <urn:p> <urn:o> .", "application/n-triples", "IRI"),
    (b'<urn:a> <urn:p> "x"@not_a_tag .', "text/turtle", "Unexpected character"),
    (b'<urn:a> <urn:p> "x"@en-toolongsubtag .', "application/n-triples", "subtag|language"),
    (b"<relative> <urn:p> <urn:o> .", "application/n-triples", "IRI|relative|absolute"),
    (b'{"@id": "urn:a", "urn:p": {"@value": "x", "@language": "12"}}', "application/ld+json", "language tag"),
    (b'{"@id": "urn:a b", "urn:p": "x"}', "application/ld+json", "not a valid IRI"),
    (b"<urn:a> <urn:p> .", "text/turtle", "line 1|1:"),
])
def test_invalid_iris_and_language_tags_are_refused(write_app, write_client, body, ctype, words):
    r = write_client.put("/store?graph=urn:test:iri", data=body,
                         headers={"Content-Type": ctype, "Authorization": f"Bearer {write_app.tokens['alice']}"})
    assert r.status_code == 400, r.get_data(as_text=True)
    assert re.search(words, _error(r)["detail"], re.IGNORECASE)
    assert write_client.get("/store?graph=urn:test:iri").status_code == 404


def test_a_graph_parameter_that_is_not_an_iri_gets_400(client):
    for value in ("not an iri", "urn:a b", "<urn:a>", ""):
        r = client.get("/store", query_string={"graph": value})
        assert r.status_code == 400, value


# --- deep nesting and dangerous documents ---------------------------------------------------------

def test_a_json_body_nested_1000_deep_gets_400(client):
    r = client.post("/sparql", data="[" * 1000 + "]" * 1000, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "nest" in _error(r)["detail"]


@pytest.mark.parametrize("body, ctype, words", [
    (('{"@id":"urn:a","urn:p":' * 5000 + '1' + '}' * 5000).encode(), "application/ld+json", "nests"),
    (b"<urn:a> <urn:p> " + b"[ <urn:q> " * 500 + b"1" + b" ]" * 500 + b" .", "text/turtle", "nests"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
     b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "application/rdf+xml", "DOCTYPE"),
    (b'<?xml version="1.0" encoding="UTF-16"?><rdf:RDF/>', "application/rdf+xml", "encoding"),
    (b'{"@context": "http://example.org/context.jsonld", "@id": "urn:a"}', "application/ld+json", "remote context"),
    (b'{"@context": {"@import": "file:///etc/passwd"}, "@id": "urn:a"}', "application/ld+json", "remote context"),
])
def test_dangerous_documents_are_refused_before_parsing(write_app, write_client, body, ctype, words):
    r = write_client.put("/store?graph=urn:test:danger", data=body,
                         headers={"Content-Type": ctype, "Authorization": f"Bearer {write_app.tokens['alice']}"})
    assert r.status_code in (400, 415), r.get_data(as_text=True)
    assert words in _error(r)["detail"]


@pytest.mark.parametrize("query", [
    "SELECT * { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(3000)) + " }",
    "ASK { FILTER(" + " || ".join(["true"] * 5000) + ") }",
    "ASK { FILTER(" + "!" * 50_000 + "true) }",
    "ASK " + "{ " * 3000 + "}" * 3000,
])
def test_queries_that_would_crash_the_engine_are_refused(client, query):
    r = client.post("/sparql", data={"query": query})
    assert r.status_code == 400, r.get_data(as_text=True)[:300]


def test_an_update_that_would_crash_the_parser_is_refused(write_app, write_client):
    r = write_client.post("/update", data="DELETE WHERE { GRAPH ?g { ?s ?p ?o FILTER(" + "!" * 50_000 + "true) } }",
                          headers={"Content-Type": "application/sparql-update",
                                   "Authorization": f"Bearer {write_app.tokens['alice']}"})
    assert r.status_code == 400


# --- sizes: Flask's client and the real server ------------------------------------------------------

def test_an_oversized_body_gets_413(client):
    r = client.post("/sparql", data=b"q" * (1_048_576 + 1), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def _chunked(url: str, method: str, path: str, size: int, headers: dict) -> tuple[int, bytes]:
    """Send ``size`` bytes chunked; the server may stop reading early (and reset the connection),
    so the answer is read from the socket whatever happened while sending."""
    parts = urllib.parse.urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTransfer-Encoding: chunked\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode())
        block = b"<urn:a> <urn:b> <urn:c> .\n" * 4000
        try:
            sent = 0
            while sent < size:
                sock.sendall(b"%x\r\n" % len(block) + block + b"\r\n")
                sent += len(block)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass   # the server stopped reading: its answer is waiting
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
        return status, answer
    finally:
        sock.close()


@pytest.fixture(scope="module", params=["granian", "waitress"])
def real_server(request, release, tmp_path_factory):
    """A writable server of each kind ``serve`` offers for production, and a write token."""
    from writable import start_writable, writable_data_dir

    root = tmp_path_factory.mktemp(f"chunked-{request.param}")
    data_dir, tokens = writable_data_dir(release, root / "data", {"big": "write"})
    server = start_writable(data_dir, root / "server.log", server=request.param, query_budget=0)
    yield server, tokens["big"]
    server.stop()


def test_chunked_uploads_larger_than_the_limit_get_413_from_the_real_server(real_server):
    """Flask's development server silently truncated a chunked 5 MB body (DESIGN.md); the real
    servers must refuse it, not pass a part of it on — and the store must not change."""
    server, token = real_server
    auth = {"Authorization": f"Bearer {token}"}
    for method, path, ctype in (("POST", "/sparql", "application/sparql-query"),
                                ("PUT", "/store?graph=urn:test:big", "text/turtle"),
                                ("POST", "/update", "application/sparql-update")):
        status, body = _chunked(server.url, method, path, 5 * 1024 * 1024, {"Content-Type": ctype, **auth})
        assert status == 413, (method, path, status, body[:200])
    status, _ = _chunked(server.url, "GET", "/store?graph=urn:test:big", 0, {})
    assert status == 404


# --- the query budget ------------------------------------------------------------------------------

def test_the_budget_says_when_to_come_back():
    budget = Budget(seconds=10, window=60)
    assert budget.retry_after("a", now=100) is None
    budget.charge("a", 6, now=100)
    budget.charge("a", 5, now=130)
    assert budget.retry_after("b", now=131) is None
    assert budget.retry_after("a", now=131) == 29        # the first 6 s expire at 160
    assert budget.retry_after("a", now=161) is None


def test_a_client_that_spent_its_budget_gets_429_with_retry_after(release, pool, data_dir):
    from xiancheng.service import create_app

    app = create_app(release=release, pool=pool, data_dir=data_dir, query_budget=0.001,
                     query_budget_window=60, cache_bytes=0)
    c = app.test_client()
    assert c.get("/sparql?query=SELECT%20(COUNT(*)%20AS%20?n)%20{?s%20?p%20?o}").status_code == 200
    r = c.get(ASK)
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert "query time" in _error(r)["detail"]
    other = c.get(ASK, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


# --- never a stack trace ----------------------------------------------------------------------------

def test_an_unexpected_error_shows_no_stack_trace(release, pool, data_dir):
    from xiancheng.service import create_app

    app = create_app(release=release, pool=pool, data_dir=data_dir)

    @app.route("/boom")
    def boom():
        raise KeyError("secret internals")

    @app.route("/deep")
    def deep():
        def recurse(n):
            return recurse(n + 1)
        return recurse(0)

    c = app.test_client()
    r = c.get("/boom")
    assert r.status_code == 500 and "secret" not in r.get_data(as_text=True)
    _error(r)
    r = c.get("/deep")
    assert r.status_code == 400 and "nest" in _error(r)["detail"]


def test_methods_an_endpoint_does_not_take_get_405(client):
    assert client.open("/store?default", method="PATCH").status_code == 405
    assert client.get("/update").status_code == 405
    assert json.loads(client.delete("/sparql").data)["error"]["status"] == 405


def test_the_budget_keeps_a_running_total_that_expires_with_the_window():
    """retry_after is O(1) per request while a client is under budget (no sum over its charges)."""
    from xiancheng.service.budget import Budget

    budget = Budget(seconds=1.0, window=10.0)
    for i in range(5_000):
        budget.charge("a", 0.0001, now=i * 0.001)        # 0.5 s within the window
    assert budget.retry_after("a", now=5.0) is None
    budget.charge("a", 0.6, now=5.0)                     # 1.1 s: spent
    wait = budget.retry_after("a", now=5.0)
    assert wait is not None and 1 <= wait <= 10
    assert budget.retry_after("a", now=15.1) is None     # everything has left the window
    assert budget.retry_after("b", now=5.0) is None
