"""Writes through the service: /update and /store, the report of a rejected write, the change log,
read-your-writes, and the data version that every write changes."""

from __future__ import annotations

import json
import re

from rdflib import Graph, URIRef

BASE = "https://kg.xiancheng.example/"
G = BASE + "graph/"
P = ("PREFIX xc: <https://kg.xiancheng.example/def/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
     "PREFIX d: <https://kg.xiancheng.example/id/division/> ")
UPDATE = "application/sparql-update"


def auth(app, name):
    return {"Authorization": f"Bearer {app.tokens[name]}"}


def update(client, app, text, name="alice", **headers):
    return client.post("/update", data=text.encode(), headers={"Content-Type": UPDATE, **auth(app, name), **headers})


def ask(client, text) -> bool:
    r = client.post("/sparql", data=text, headers={"Content-Type": "application/sparql-query",
                                                    "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["boolean"]


def test_a_write_is_seen_by_the_next_query_with_a_new_version_and_etag(write_app, write_client):
    query = P + "ASK { GRAPH <urn:test:seen> { <urn:test:a> rdfs:label \"seen\"@en } }"
    before = write_client.get("/sparql", query_string={"query": query})
    assert before.get_json()["boolean"] is False
    r = update(write_client, write_app, P + 'INSERT DATA { GRAPH <urn:test:seen> { <urn:test:a> rdfs:label "seen"@en } }')
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["added"] == 1 and body["created"] == ["urn:test:seen"]
    assert r.headers["X-Data-Version"] == body["version"] != before.headers["X-Data-Version"]
    after = write_client.get("/sparql", query_string={"query": query},
                             headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.get_json()["boolean"] is True
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["X-Data-Version"] == body["version"]


def test_a_write_that_violates_the_shapes_gets_the_report_and_changes_nothing(write_app, write_client):
    text = P + f'DELETE WHERE {{ GRAPH <{G}divisions> {{ d:141182 a ?type }} }}'
    version = write_client.get("/sparql?query=ASK{}").headers["X-Data-Version"]
    r = update(write_client, write_app, text)
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"]["title"] == "Violates the shapes" and body["conforms"] is False
    focus = {v["focus"] for v in body["violations"]}
    assert BASE + "id/designation/county-class-2017-141182" in focus
    report = Graph().parse(data=body["report"], format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    assert set(report.objects(None, URIRef(sh + "focusNode"))) == {URIRef(f) for f in focus}
    turtle = update(write_client, write_app, text, Accept="text/turtle")
    assert turtle.status_code == 422 and turtle.mimetype == "text/turtle"
    assert len(Graph().parse(data=turtle.data, format="turtle")) == len(report)
    assert write_client.get("/sparql?query=ASK{}").headers["X-Data-Version"] == version
    assert ask(write_client, P + f"ASK {{ GRAPH <{G}divisions> {{ d:141182 a xc:CountyLevelCity }} }}")


def test_every_write_is_in_the_change_log(write_app, write_client):
    r = update(write_client, write_app, P + 'INSERT DATA { GRAPH <urn:test:log> { <urn:test:b> rdfs:comment "logged" } }')
    change = r.get_json()["change"]
    rows = write_client.post("/sparql", data=f"""
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX xc: <https://kg.xiancheng.example/def/>
        SELECT ?who ?when ?request ?graph ?added WHERE {{ GRAPH <{G}changes> {{
          <{change}> a xc:Change, prov:Activity ; prov:wasAssociatedWith ?who ; prov:endedAtTime ?when ;
                     xc:request ?request ; xc:changedGraph ?graph ; xc:triplesAdded ?added }} }}""",
                             headers={"Content-Type": "application/sparql-query"}).get_json()["results"]["bindings"]
    assert len(rows) == 1
    row = {k: v["value"] for k, v in rows[0].items()}
    assert row["who"] == BASE + "id/agent/alice" and row["graph"] == "urn:test:log" and row["added"] == "1"
    assert '"logged"' in row["request"] and row["when"].endswith("Z")


def test_the_change_log_and_inferences_cannot_be_written(write_app, write_client):
    for graph in ("changes", "inferred"):
        r = update(write_client, write_app, f'DROP GRAPH <{G}{graph}>', name="root")
        assert r.status_code == 403 and "maintained by the server" in r.get_json()["error"]["detail"]
        r = write_client.put(f"/store?graph={G}{graph}", data="<urn:a> <urn:b> <urn:c> .",
                             headers={"Content-Type": "text/turtle", **auth(write_app, "alice")})
        assert r.status_code == 403


def test_graph_store_round_trip_in_each_format(write_app, write_client):
    graph = "urn:test:formats"
    docs = {
        "text/turtle": '@prefix e: <urn:e:> . e:s e:p "ttl"@en ; e:q [ e:r 1 ] .',
        "application/n-triples": '<urn:e:s> <urn:e:p> "nt" .\n',
        "application/rdf+xml": ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                                'xmlns:e="urn:e:"><rdf:Description rdf:about="urn:e:s"><e:p>xml</e:p></rdf:Description></rdf:RDF>'),
        "application/ld+json": json.dumps({"@context": {"e": "urn:e:"}, "@id": "e:s", "e:p": "jsonld"}),
    }
    headers = auth(write_app, "alice")
    for i, (media_type, doc) in enumerate(docs.items()):
        r = write_client.put(f"/store?graph={graph}", data=doc.encode(), headers={"Content-Type": media_type, **headers})
        assert r.status_code == (201 if i == 0 else 204), r.get_data(as_text=True)
        got = write_client.get(f"/store?graph={graph}", headers={"Accept": "application/n-triples"})
        assert got.status_code == 200 and got.mimetype == "application/n-triples"
        g = Graph().parse(data=got.data, format="nt")
        assert (URIRef("urn:e:s"), URIRef("urn:e:p"), None) in g
        assert len(g) == (3 if i == 0 else 1)   # PUT replaces
    r = write_client.post(f"/store?graph={graph}", data=b'<urn:e:s> <urn:e:p> "more" .',
                          headers={"Content-Type": "application/n-triples", **headers})
    assert r.status_code == 204
    assert len(Graph().parse(data=write_client.get(f"/store?graph={graph}&format=ntriples").data, format="nt")) == 2
    assert write_client.delete(f"/store?graph={graph}", headers=headers).status_code == 204
    assert write_client.get(f"/store?graph={graph}").status_code == 404
    assert write_client.delete(f"/store?graph={graph}", headers=headers).status_code == 404


def test_a_new_graph_by_post_has_its_iri_in_location(write_app, write_client):
    r = write_client.post("/store", data=b"<urn:e:x> <urn:e:y> <urn:e:z> .",
                          headers={"Content-Type": "application/n-triples", **auth(write_app, "alice")})
    assert r.status_code == 201
    location = r.headers["Location"]
    assert location.startswith(G + "posted-") and r.get_json()["created"] == [location]
    assert write_client.get("/store", query_string={"graph": location}).status_code == 200


def test_an_update_whose_where_clause_is_too_big_or_slow_stops(write_app, write_client):
    r = update(write_client, write_app,
               "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } GRAPH ?h { ?a ?b ?c } GRAPH ?i { ?d ?e ?f } }")
    assert r.status_code in (422, 504), r.get_data(as_text=True)
    assert ask(write_client, P + f"ASK {{ GRAPH <{G}divisions> {{ d:141182 a xc:CountyLevelCity }} }}")


def test_using_parameters_set_the_dataset_of_the_where_clause(write_app, write_client):
    update(write_client, write_app, 'INSERT DATA { GRAPH <urn:test:src> { <urn:e:doc> a <urn:e:Document> } }')
    r = write_client.post("/update?using-graph-uri=urn:test:src",
                          data=b"INSERT { GRAPH <urn:test:dst> { ?s a <urn:e:Copied> } } WHERE { ?s a <urn:e:Document> }",
                          headers={"Content-Type": UPDATE, **auth(write_app, "alice")})
    assert r.status_code == 200 and r.get_json()["added"] == 1
    form = write_client.post("/update", data={"update": "CLEAR GRAPH <urn:test:dst>"}, headers=auth(write_app, "alice"))
    assert form.status_code == 200 and form.get_json()["removed"] == 1


def test_the_write_endpoints_and_verbs_are_documented(write_app):
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    writes = (root / "docs" / "writes.md").read_text(encoding="utf-8")
    for needle in ("/update", "/store", "xiancheng token create", "xiancheng token list",
                   "xiancheng token revoke", "422", "429", "kill -9", "…/graph/changes"):
        assert needle in writes, f"docs/writes.md does not mention {needle}"
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "docs/writes.md" in readme and "/openapi.json" in readme and "xiancheng token" in readme
    from xiancheng.service.apidoc import openapi_document
    documented = set(openapi_document()["paths"])
    for rule in write_app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in ("update", "store_protocol", "apidoc"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in documented, f"{path} is not in service/openapi.yaml"


def test_another_process_without_write_tokens_serves_what_was_written(write_app, write_client, writable, tmp_path):
    """A second server on the same data directory, with writes off, follows the writer's
    published version (and never hides data written earlier)."""
    from writable import close_app
    from xiancheng.service import create_app

    data_dir, _ = writable
    follower = create_app(data_dir=data_dir, tokens_file=tmp_path / "none.toml", query_workers=1,
                          query_timeout=5.0, query_budget=0)
    try:
        r = update(write_client, write_app, 'INSERT DATA { GRAPH <urn:test:follow> { <urn:test:f> <urn:test:p> "one" } }')
        assert r.status_code == 200
        client = follower.test_client()
        seen = client.get("/sparql", query_string={"query": 'ASK { GRAPH <urn:test:follow> { <urn:test:f> <urn:test:p> "one" } }'})
        assert seen.get_json()["boolean"] is True
        assert seen.headers["X-Data-Version"] == r.get_json()["version"]
        assert client.post("/update", data="CLEAR ALL", headers={"Content-Type": UPDATE}).status_code == 403
    finally:
        close_app(follower)


def test_the_change_log_query_in_the_docs_answers_after_a_write(write_app, write_client):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "writes.md").read_text(encoding="utf-8")
    query = re.search(r"```text\n(\s*PREFIX prov:.*?)```", text, re.S).group(1)
    update(write_client, write_app, 'INSERT DATA { GRAPH <urn:test:doc> { <urn:test:d> <urn:test:p> 1 } }')
    rows = write_client.post("/sparql", data={"query": query}).get_json()["results"]["bindings"]
    assert rows and {"change", "who", "when", "request", "added", "removed"} <= set(rows[0])


def test_search_finds_what_was_written_without_waiting_on_rebuilds(write_app, write_client):
    import time

    write_client.get("/search.json", query_string={"q": "汾阳"})     # an index exists
    r = update(write_client, write_app, 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '
               'INSERT DATA { GRAPH <urn:test:search> { <urn:test:town> rdfs:label "蓝天测试镇"@zh } }')
    assert r.status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        started = time.monotonic()
        hits = write_client.get("/search.json", query_string={"q": "蓝天测试"}).get_json()["results"]
        assert time.monotonic() - started < 5, "a search waited for the index to be rebuilt"
        if any(h["iri"] == "urn:test:town" for h in hits):
            return
        time.sleep(0.2)
    raise AssertionError("the written label never became searchable")


def test_a_graph_named_by_its_store_url(write_app, write_client):
    body = "<urn:test:direct> <http://www.w3.org/2000/01/rdf-schema#label> \"direct\"@en ."
    headers = {"Content-Type": "application/n-triples", **auth(write_app, "alice")}
    assert write_client.put("/store/notes/1.nt", data=body, headers=headers).status_code == 201
    assert ask(write_client, "ASK { GRAPH <http://localhost/store/notes/1.nt> { <urn:test:direct> ?p ?o } }")
    got = write_client.get("/store/notes/1.nt", headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and b"urn:test:direct" in got.data
    both = write_client.get("/store/notes/1.nt", query_string={"graph": "urn:test:x"})
    assert both.status_code == 400 and "names its graph by its URL" in both.get_data(as_text=True)
    assert write_client.delete("/store/notes/1.nt", headers=auth(write_app, "alice")).status_code == 204
    assert write_client.get("/store/notes/1.nt").status_code == 404


def test_any_store_url_names_a_graph_even_with_a_line_break(write_app, write_client):
    """schemathesis found /store/…%0A answered 404 (werkzeug's path converter stops at line breaks)."""
    body = "<urn:test:lb> <http://www.w3.org/2000/01/rdf-schema#label> \"lb\"@en ."
    headers = {"Content-Type": "application/n-triples", **auth(write_app, "alice")}
    assert write_client.put("/store/notes/a%0Ab", data=body, headers=headers).status_code == 201
    assert ask(write_client, "ASK { GRAPH <http://localhost/store/notes/a%0Ab> { <urn:test:lb> ?p ?o } }")
    assert write_client.delete("/store/notes/a%0Ab", headers=auth(write_app, "alice")).status_code == 204
