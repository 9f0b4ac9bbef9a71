"""The three stores — Oxigraph in memory, Oxigraph on disk, a remote Oxigraph server — give the same
answer to every named query, through the Store interface and through the service."""

from __future__ import annotations

import json

import pytest

from xiancheng.graph.namespaces import Minter
from xiancheng.graph.queries import load_queries

QUERIES = load_queries()


def _case_list():
    for name, query in sorted(QUERIES.items()):
        yield pytest.param(name, {p.name: p.example for p in query.params if p.example}, id=name)
        if any(p.example for p in query.params) and not any(p.required for p in query.params):
            yield pytest.param(name, {}, id=f"{name}-no-params")


def _cases():
    return list(_case_list())


@pytest.fixture(scope="module")
def stores(oxigraph, ondisk_path, oxigraph_server, release):
    from xiancheng.graph.ondisk import OnDiskStore
    from xiancheng.graph.remote import Endpoint, RemoteStore

    endpoint = Endpoint(oxigraph_server.url + "/query")
    yield {"memory": oxigraph, "disk": OnDiskStore(ondisk_path).open(),
           "remote": RemoteStore(endpoint, release)}
    endpoint.close()


@pytest.mark.parametrize("name,params", _cases())
def test_the_store_interface_gives_the_same_answer(stores, name, params):
    query = QUERIES[name]
    bindings = query.bindings(params, Minter())
    answers = {kind: store.query(query.text, bindings=bindings) for kind, store in stores.items()}
    memory = answers["memory"]
    assert memory.rows, f"{name} returns nothing"
    for kind in ("disk", "remote"):
        assert answers[kind].variables == memory.variables, kind
        assert sorted(map(repr, answers[kind].rows)) == sorted(map(repr, memory.rows)), kind


def _bindings(response):
    assert response.status_code == 200, response.data[:300]
    data = json.loads(response.data)
    return data["head"]["vars"], sorted(json.dumps(b, sort_keys=True, ensure_ascii=False)
                                        for b in data["results"]["bindings"])


@pytest.mark.parametrize("name,params", _cases())
def test_the_service_gives_the_same_answer(app, ondisk_app, remote_app, name, params):
    url = f"/queries/{name}"
    args = {**params, "format": "json"}
    memory = _bindings(app.test_client().get(url, query_string=args))
    assert memory[1]
    assert _bindings(ondisk_app.test_client().get(url, query_string=args)) == memory
    assert _bindings(remote_app.test_client().get(url, query_string=args)) == memory


@pytest.mark.parametrize("inference", ["true", "false"])
def test_the_inference_choice_is_kept_on_every_store(app, ondisk_app, remote_app, inference):
    query = ("ASK { <https://kg.xiancheng.example/id/division/141182> "
             "<https://kg.xiancheng.example/def/partOf> <https://kg.xiancheng.example/id/division/140000> }")
    for each in (app, ondisk_app, remote_app):
        response = each.test_client().get("/sparql", query_string={"query": query, "inference": inference})
        assert json.loads(response.data)["boolean"] is (inference == "true")


def test_graph_results_and_every_results_format_agree(app, remote_app):
    construct = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                 "FILTER(?s = <https://kg.xiancheng.example/id/division/141182>) }")
    from rdflib import Graph
    from rdflib.compare import isomorphic

    graphs = []
    for each in (app, remote_app):
        response = each.test_client().get("/sparql", query_string={"query": construct, "format": "turtle"})
        assert response.status_code == 200 and response.mimetype == "text/turtle"
        graphs.append(Graph().parse(data=response.data, format="turtle"))
    assert len(graphs[0]) > 5 and isomorphic(*graphs)
    select = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l LIMIT 50"
    for fmt in ("json", "xml", "csv", "tsv"):
        a, b = (each.test_client().get("/sparql", query_string={"query": select, "format": fmt})
                for each in (app, remote_app))
        assert a.status_code == b.status_code == 200 and a.mimetype == b.mimetype
        assert a.data == b.data, fmt
