"""The remote store: a real Oxigraph server (`oxigraph serve`) on a free port, queried over HTTP by
the Store interface and by the service; what happens when it is down, hung or misconfigured; and
`xiancheng load` pushing a release into it."""

from __future__ import annotations

import base64
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from xiancheng.cli import main
from xiancheng.graph.push import push_release
from xiancheng.graph.remote import (Endpoint, RemoteStore, StoreFailed, StoreUnavailable,
                                    check_release, with_values)
from xiancheng.graph.workers import term_tuple

ID = "https://kg.xiancheng.example/id/"
ONTOLOGY = "https://kg.xiancheng.example/graph/ontology"


@pytest.fixture(scope="module")
def remote(oxigraph_server, release):
    endpoint = Endpoint(oxigraph_server.url + "/query")
    yield RemoteStore(endpoint, release)
    endpoint.close()


# --- bindings travel as a VALUES block ----------------------------------------------------------

def test_values_go_into_the_where_group_not_into_strings_or_comments():
    query = '# a { brace in a comment\nSELECT ?x ?y WHERE { ?x ?p "}{" . OPTIONAL { ?x ?q ?y } }'
    bound = with_values(query, {"x": ("iri", ID + "division/141182")})
    assert bound.startswith('# a { brace in a comment\nSELECT ?x ?y WHERE { VALUES (?x) { (<')
    assert bound.endswith('?x ?p "}{" . OPTIONAL { ?x ?q ?y } }')
    construct = "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }"
    assert with_values(construct, {"x": ("iri", "urn:a")}) == \
        "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (<urn:a>) }  ?x ?p ?o }"


def test_values_reach_into_subqueries_as_pre_binding_does():
    query = ("SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) (EXISTS { ?x ?q ?r } AS ?e) "
             "WHERE { ?x ?p ?o } GROUP BY ?x } }")
    bound = with_values(query, {"x": ("iri", "urn:a")})
    block = " VALUES (?x) { (<urn:a>) } "
    assert bound == ("SELECT ?x ?n WHERE {" + block + " { SELECT ?x (COUNT(*) AS ?n) (EXISTS { ?x ?q ?r } "
                     "AS ?e) WHERE {" + block + " ?x ?p ?o } GROUP BY ?x } }")


@pytest.mark.parametrize("value", ['x" } ; DROP ALL #', "line\nbreak \\ back", "'''", "汾阳市\"@zh"])
def test_a_hostile_string_stays_one_literal(remote, oxigraph, value):
    query = "SELECT ?name WHERE { }"
    for store in (remote, oxigraph):
        result = store.query(query, bindings={"name": Literal(value)})
        assert result.rows == [(Literal(value),)]
    assert remote.count() == oxigraph.count()  # nothing was dropped


def test_invalid_terms_and_names_are_refused():
    from xiancheng.graph.workers import EngineQueryError

    with pytest.raises(ValueError):
        with_values("SELECT ?x WHERE { }", {"x": ("iri", "urn:a> } ; DROP ALL #")})
    with pytest.raises(EngineQueryError, match="invalid variable name"):
        with_values("SELECT ?x WHERE { }", {"x }": ("iri", "urn:a")})


# --- the Store interface ------------------------------------------------------------------------

def test_the_remote_store_holds_the_release(remote, oxigraph, release):
    assert check_release(remote, release) == []
    assert remote.count() == release.triples
    assert remote.graphs() == oxigraph.graphs()
    assert remote.count(ONTOLOGY) == oxigraph.count(ONTOLOGY)


def test_blank_nodes_keep_their_structure(oxigraph_server, oxigraph):
    """Triples about a blank node are sent in one request, so lists and cube structures survive."""
    import httpx

    theirs = Graph().parse(data=httpx.get(oxigraph_server.url + "/store", params={"graph": ONTOLOGY},
                                          headers={"Accept": "application/n-triples"}).text, format="nt")
    ours = Graph()
    for t in oxigraph.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}").triples:
        ours.add(t)
    assert len(theirs) == len(ours) > 1000 and isomorphic(theirs, ours)


def test_inference_and_parameters_on_the_remote_store(remote):
    query = f"ASK {{ <{ID}division/141182> <https://kg.xiancheng.example/def/partOf> <{ID}division/140000> }}"
    assert remote.query(query).boolean is True
    assert remote.query(query, inference=False).boolean is False
    labels = remote.query("SELECT ?d ?l WHERE { ?d <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
                          bindings={"d": URIRef(ID + "division/141182")})
    assert {row[1] for row in labels.rows} == {Literal("汾阳市", lang="zh"), Literal("Fenyang City", lang="en")}


def test_dump_round_trips(remote, release):
    from xiancheng.graph.formats import RDF_FORMATS
    from xiancheng.graph.store import OxigraphStore

    fresh = OxigraphStore()
    fresh.load(remote.dump(RDF_FORMATS["nquads"]), RDF_FORMATS["nquads"])
    assert fresh.count() == release.triples


# --- the service on the remote store ------------------------------------------------------------

def test_row_cap_is_enforced_by_the_service(data_dir, release, oxigraph_server):
    from xiancheng.service import create_app

    app = create_app(release=release, data_dir=data_dir, remote_query_url=oxigraph_server.url + "/query",
                     max_rows=5, cache_bytes=0, access_log=False)
    client = app.test_client()
    for query, fmt in (("SELECT * WHERE { ?s ?p ?o }", "json"), ("SELECT * WHERE { ?s ?p ?o }", "tsv"),
                       ("SELECT * WHERE { ?s ?p ?o }", "csv"), ("SELECT * WHERE { ?s ?p ?o }", "xml"),
                       ("CONSTRUCT WHERE { ?s ?p ?o }", "turtle")):
        response = client.get("/sparql", query_string={"query": query, "format": fmt})
        assert response.status_code == 422, (fmt, response.data[:200])
        assert "the limit is 5" in response.get_json()["error"]["detail"]
    ok = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5", "format": "tsv"})
    assert ok.status_code == 200 and len(ok.data.splitlines()) == 6
    app.extensions["xiancheng"].close()


def test_queries_the_store_refuses_and_the_label_function(remote_app):
    client = remote_app.test_client()
    bad = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x }"})
    assert bad.status_code == 400 and "the store refused the query" in bad.get_json()["error"]["detail"]
    inside = client.get("/sparql", query_string={"query": "PREFIX f: <https://kg.xiancheng.example/def/function/> "
                                                          "SELECT ?x WHERE { ?x a ?t FILTER(f:label(?x) = 'a') }"})
    assert inside.status_code == 400 and "only in a SELECT's projection" in inside.get_json()["error"]["detail"]


LABELS = ("PREFIX f: <https://kg.xiancheng.example/def/function/> PREFIX xc: <https://kg.xiancheng.example/def/> "
          "SELECT ?d (f:label(?d) AS ?name) (f:label(?d, 'en') AS ?english) (f:label(?level) AS ?levelName) "
          "WHERE { ?d xc:divisionLevel ?level ; xc:divisionCode ?code } ORDER BY ?code")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_label_function_answers_on_a_remote_store_as_it_does_locally(app, remote_app, lang):
    """xcf:label in a projection: taken out of the query sent, filled in from the IRIs' labels."""
    local = app.test_client().get("/sparql", query_string={"query": LABELS, "lang": lang}).get_json()
    remote = remote_app.test_client().get("/sparql", query_string={"query": LABELS, "lang": lang}).get_json()
    assert remote["head"]["vars"] == local["head"]["vars"] == ["d", "name", "english", "levelName"]
    assert len(remote["results"]["bindings"]) >= 129     # the 129 divisions and the former ones
    assert remote["results"]["bindings"] == local["results"]["bindings"]
    csv = remote_app.test_client().get("/sparql", query_string={"query": LABELS, "format": "csv"})
    assert csv.status_code == 200 and "汾阳市" in csv.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/search.json?q=fenyang", "/search?q=%E6%B1%BE%E9%85%92", "/browse/",
                                 "/browse/County.json", "/id/division/141182", "/dataset",
                                 "/def/County", "/def/", "/explore/map"])
def test_pages_and_search_work_on_a_remote_store(app, remote_app, url):
    """The pages use xcf:label; on a remote store they answer the same as on the local one."""
    local = app.test_client().get(url, headers={"Accept": "text/html,application/json"}, follow_redirects=True)
    remote = remote_app.test_client().get(url, headers={"Accept": "text/html,application/json"}, follow_redirects=True)
    assert local.status_code == 200, local.get_data(as_text=True)[:300]
    assert remote.status_code == 200, remote.get_data(as_text=True)[:300]
    if local.is_json:
        assert remote.get_json() == local.get_json()


# --- when the store is down, hung or wrong --------------------------------------------------------

@pytest.fixture(scope="module")
def flaky(tmp_path_factory, release, data_dir):
    """A server of our own to stop and start, and a service on it (deadline 1.5 s, no cache)."""
    from servers import free_port, start_oxigraph
    from xiancheng.service import create_app

    work = tmp_path_factory.mktemp("flaky")
    port = free_port()
    start = lambda: start_oxigraph(work / "db", work / "server.log", port, "--timeout-s", "5",  # noqa: E731
                                   "--union-default-graph")
    server = start()
    endpoint = Endpoint(server.url + "/query", graph_store_url=server.url + "/store")
    push_release(endpoint, release)
    endpoint.close()
    app = create_app(release=release, data_dir=data_dir, remote_query_url=server.url + "/query",
                     query_timeout=1.5, cache_bytes=0, access_log=False, remote_connect_timeout=1.0,
                     remote_union_default_graph=True)
    state = {"server": server, "start": start, "app": app}
    yield state
    state["server"].stop()
    app.extensions["xiancheng"].close()


def test_a_store_with_a_union_default_graph_answers_the_same(flaky, remote_app):
    query = f"ASK {{ <{ID}division/141182> <https://kg.xiancheng.example/def/partOf> <{ID}division/140000> }}"
    for inference in ("true", "false"):
        answers = [json.loads(each.test_client().get("/sparql", query_string={
            "query": query, "inference": inference}).data)["boolean"] for each in (flaky["app"], remote_app)]
        assert answers == [inference == "true"] * 2
    named = [json.loads(_named(each.test_client()).data) for each in (flaky["app"], remote_app)]
    assert named[0] == named[1] and named[0]["results"]["bindings"]


def _named(client):
    return client.get("/queries/population-2020", query_string={"format": "json"})


def test_store_down_gives_503_quickly_and_recovers(flaky):
    client = flaky["app"].test_client()
    assert _named(client).status_code == 200
    flaky["server"].stop()
    started = time.monotonic()
    response = _named(client)
    assert time.monotonic() - started < 3
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "is not reachable" in response.get_json()["error"]["detail"]
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").status_code == 503
    flaky["server"] = flaky["start"]()  # same port, same data
    assert _named(client).status_code == 200
    assert client.get("/health/ready").status_code == 200


def test_store_hung_gives_504_at_the_deadline_and_recovers(flaky):
    """A stopped (SIGSTOP) server accepts connections but never answers: no hang past the deadline."""
    client = flaky["app"].test_client()
    pid = flaky["server"].process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = _named(client)
        waited = time.monotonic() - started
        assert response.status_code == 504, response.data
        assert "did not answer within 1.5 s" in response.get_json()["error"]["detail"]
        assert 1.4 < waited < 4
    finally:
        os.kill(pid, signal.SIGCONT)
    assert _named(client).status_code == 200


def test_a_slow_query_gives_504(flaky):
    client = flaky["app"].test_client()
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": slow})
    assert response.status_code == 504 and time.monotonic() - started < 4
    assert _named(client).status_code == 200


def test_a_wrong_url_gives_502(flaky, release, data_dir):
    from xiancheng.service import create_app

    app = create_app(release=release, data_dir=data_dir, access_log=False, cache_bytes=0,
                     remote_query_url=flaky["server"].url + "/store")
    response = _named(app.test_client())
    assert response.status_code == 502
    assert flaky["server"].url + "/store" in response.get_json()["error"]["detail"]
    app.extensions["xiancheng"].close()


# --- credentials ----------------------------------------------------------------------------------

class _Guarded(BaseHTTPRequestHandler):
    """A small SPARQL endpoint that wants HTTP basic credentials (Fuseki, GraphDB and Virtuoso can)."""

    seen: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"reader:s3cret").decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"head": {}, "boolean": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_credentials_are_sent_and_a_refusal_is_explained():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Guarded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        good = Endpoint(url, user="reader", password="s3cret")
        assert json.loads(good.query("ASK {}", "application/sparql-results+json"))["boolean"] is True
        good.close()
        wrong = Endpoint(url, user="reader", password="guess")
        with pytest.raises(StoreFailed, match="refused the service's credentials"):
            wrong.query("ASK {}", "application/sparql-results+json")
        wrong.close()
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_store_is_unavailable():
    from servers import free_port

    endpoint = Endpoint(f"http://127.0.0.1:{free_port()}/query", connect_timeout=1.0)
    with pytest.raises(StoreUnavailable):
        endpoint.query("ASK {}", "application/sparql-results+json")
    endpoint.close()


# --- xiancheng load --------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["gsp", "update"])
def test_cli_load_pushes_in_batches_and_checks(method, tmp_path, data_dir, release):
    from servers import start_oxigraph

    server = start_oxigraph(tmp_path / "db", tmp_path / "server.log")
    try:
        args = ["--data-dir", str(data_dir), "load", "--query-url", server.url + "/query",
                "--method", method, "--batch", "3000"]
        args += ["--graph-store", server.url + "/store"] if method == "gsp" else ["--update-url", server.url + "/update"]
        for _ in range(2 if method == "gsp" else 1):  # loading again replaces, never duplicates
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 0, result.output
        assert f"pushed release {release.id} ({release.triples} triples" in result.output
        assert f"checked: {server.url}/query holds release {release.id}" in result.output
        info = CliRunner().invoke(main, ["--data-dir", str(data_dir), "info"],
                                  env={"XIANCHENG_REMOTE_QUERY_URL": server.url + "/query",
                                       "XIANCHENG_REMOTE_PASSWORD": "hidden-value"})
        assert f"store: remote at {server.url}/query, holds release {release.id}, {release.triples} triples" in info.output
        assert "hidden-value" not in info.output
    finally:
        server.stop()


def test_push_reports_progress_batch_by_batch(oxigraph_server, release):
    batches = []
    endpoint = Endpoint(oxigraph_server.url + "/query", update_url=oxigraph_server.url + "/update")
    push_release(endpoint, release, method="update", batch=5000, progress=batches.append)
    endpoint.close()
    assert sum(batches) == release.triples and max(batches) == 5000 and len(batches) >= 3


def test_cli_load_to_an_unreachable_store_fails_cleanly(data_dir):
    from servers import free_port

    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "load", "--graph-store",
                                       f"http://127.0.0.1:{free_port()}/store"])
    assert result.exit_code == 1 and "is not reachable" in result.output and "Traceback" not in result.output
