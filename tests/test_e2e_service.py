"""End to end: `xiancheng serve` under waitress on a free port, called over real HTTP."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request

ID = "https://kg.xiancheng.example/id/"


def _get(url, accept="application/sparql-results+json", timeout=30):
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _query_url(server, query, **params):
    return server.url + "/sparql?" + urllib.parse.urlencode({"query": query, **params})


def test_chinese_text_round_trips_over_http(live_server):
    query = f'SELECT ?s WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> "杏花村汾酒专业镇"@zh }}'
    status, body = _get(_query_url(live_server, query))
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["s"]["value"] == ID + "specialty-town/xinghuacun-fenjiu"


def test_a_slow_query_is_stopped_while_others_are_served(live_server):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = {}

    def run_slow():
        result["slow"] = _get(_query_url(live_server, slow))
        result["slow done"] = time.monotonic()

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)
    status, body = _get(_query_url(live_server, "ASK { ?s ?p ?o }"))
    quick_done = time.monotonic()
    assert status == 200 and json.loads(body)["boolean"] is True
    thread.join(timeout=60)
    assert quick_done < result["slow done"], "the normal query waited for the slow one"
    assert result["slow"][0] == 504
    assert "stopped" in json.loads(result["slow"][1])["error"]["detail"]
    assert _get(_query_url(live_server, "ASK {}"))[0] == 200
