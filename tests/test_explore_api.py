"""The exploration API through Flask's test client, the `xiancheng network` and `export`
commands, and the documentation of both."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from xiancheng.cli import main
from xiancheng.graph.exports import EXPORT_FORMATS

KG = "https://kg.xiancheng.example/id/"
DOC = (Path(__file__).resolve().parent.parent / "docs" / "exploration.md").read_text(encoding="utf-8")


def error(response, status):
    assert response.status_code == status, response.data
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    return body["error"]["detail"]


def test_summary_lists_types_predicates_endpoints_and_formats(client, release):
    response = client.get("/network")
    body = response.get_json()
    assert response.headers["X-Data-Version"] == release.id
    assert body["release"] == release.id and body["nodes"] > 300
    assert {"type": "xc:County", "label_zh": "县", "label_en": "county", "nodes": 80} in body["types"]
    ledby = next(p for p in body["predicates"] if p["predicate"] == "xc:ledBy")
    assert (ledby["label_zh"], ledby["label_en"]) == ("牵头单位", "led by")
    assert {f["format"] for f in body["export_formats"]} == set(EXPORT_FORMATS)


def test_search_finds_by_chinese_english_and_code(client):
    for q in ("阳城县", "yangcheng county", "140522"):
        results = client.get("/network/search", query_string={"q": q}).get_json()["results"]
        assert results[0]["id"] == KG + "division/140522", q
    towns = client.get("/network/search?q=阳城&type=xc:SpecialtyTown").get_json()["results"]
    assert towns and all(r["type"] == "xc:SpecialtyTown" for r in towns)


def test_neighbours_of_a_county(client):
    body = client.get("/network/neighbours?iri=/id/division/140522").get_json()
    assert body["focus"]["label_zh"] == "阳城县"
    found = {n["id"][len(KG):]: n["distance"] for n in body["nodes"]}
    assert found["division/140500"] == 1 and found["programme/provincial-sponge-city-demonstration"] == 1
    assert all(e["source"] == KG + "division/140522" or e["target"] == KG + "division/140522"
               or e["source"] in {KG + k for k in found} for e in body["edges"])
    two = client.get("/network/neighbours?iri=140522&hops=2&type=xc:County&predicate=xc:designatedUnder").get_json()
    assert {n["label_zh"] for n in two["nodes"]} == {"洪洞县", "绛县"}


def test_paths_explain_the_sponge_city_case(client):
    body = client.get("/network/paths", query_string={
        "from": "division/140522", "to": "organisation/shanxi-housing", "k": 2}).get_json()
    assert body["complete"] and len(body["paths"]) == 2
    assert body["paths"][0]["text_en"].startswith("Yangcheng County —designated under→ Provincial "
                                                   "sponge-city demonstration —led by→ ")
    step = body["paths"][0]["steps"][0]
    assert step["edge"]["kind"] == "designation" and step["alternatives"]   # two designations, two sources


def test_rankings_communities_and_similarity(client):
    ranking = client.get("/network/centrality?type=xc:Programme&neighbour_type=xc:County&limit=3").get_json()
    assert ranking["ranking"][0]["label_en"].startswith("Shanxi assessment of regional economic")
    pagerank = client.get("/network/centrality?measure=pagerank&type=xc:County&limit=5").get_json()
    assert len(pagerank["ranking"]) == 5 and all(r["type"] == "xc:County" for r in pagerank["ranking"])
    groups = client.get("/network/communities?method=components&limit=3&members=2").get_json()
    assert groups["groups"][0]["size"] >= groups["groups"][1]["size"] and len(groups["groups"][0]["members"]) == 2
    louvain = client.get("/network/communities?limit=2").get_json()
    assert 0 < louvain["modularity"] < 1
    similar = client.get("/network/similar?iri=140522&limit=5").get_json()
    assert [r["label_zh"] for r in similar["similar"]][:2] == ["洪洞县", "绛县"]
    assert similar["similar"][0]["shared"][0]["label_zh"] == "省级海绵城市建设示范"


def test_subgraph_is_cytoscape_json(client):
    body = client.get("/network/subgraph?iri=140522").get_json()
    graph = nx.cytoscape_graph(body)
    assert KG + "division/140522" in graph and graph.number_of_nodes() == len(body["elements"]["nodes"])


def test_map_data_and_options(client):
    options = client.get("/network/map/options").get_json()
    assert any(p["id"].endswith("provincial-sponge-city-demonstration") for p in options["programmes"])
    body = client.get("/network/map?layer=programme&programme=programme/provincial-sponge-city-demonstration").get_json()
    assert sorted(d["code"] for d in body["divisions"] if d["value"]) == ["140522", "140826", "141024"]


@pytest.mark.parametrize("url, status, words", [
    ("/network/neighbours?iri=division/999999", 404, "no entity 'division/999999'"),
    ("/network/neighbours", 400, "needs iri"),
    ("/network/neighbours?iri=140522&hops=7", 400, "hops=7 is out of range: give from 1 to 6 (setting network_max_hops)"),
    ("/network/neighbours?iri=140522&hops=two", 400, "hops must be a whole number"),
    ("/network/neighbours?iri=140522&type=xc:Village", 400, "unknown type 'xc:Village'"),
    ("/network/neighbours?iri=140522&predicate=xc:owns", 400, "unknown predicate 'xc:owns'"),
    ("/network/neighbours?iri=140522&direction=up", 400, "direction must be out, in or both"),
    ("/network/neighbours?iri=140522&hop=2", 400, "'hop' is not a parameter"),
    ("/network/neighbours?iri=140522&iri=140521", 400, "give 'iri' once"),
    ("/network/neighbours?iri=140522&inferred=maybe", 400, "inferred must be true or false"),
    ("/network/paths?from=140522&to=140522", 400, "the same"),
    ("/network/paths?from=140522&to=140581&k=21", 400, "k=21 is out of range: give from 1 to 20 (setting network_max_paths)"),
    ("/network/centrality?measure=closeness", 400, "unknown measure 'closeness'"),
    ("/network/centrality?measure=pagerank&neighbour_type=xc:County", 400, "degree measure only"),
    ("/network/communities?method=girvan", 400, "unknown method"),
    ("/network/similar?iri=140522&kind=weather", 400, "unknown kind 'weather'"),
    ("/network/similar?iri=140522&collapse=false", 400, "leave collapse=true"),
    ("/network/map?layer=rivers", 400, "unknown layer 'rivers'"),
    ("/network/map?layer=indicator", 400, "needs indicator="),
    ("/network/search?q=", 400, "needs q"),
])
def test_bad_requests_get_a_clear_4xx(client, url, status, words):
    assert words in error(client.get(url), status)


def test_the_pages_link_their_json_and_load_nothing_from_elsewhere(client):
    for path, alternate in (("/explore", "/network"), ("/explore/map", "/network/map")):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert f"<{alternate}>" in response.headers["Link"]
        html = response.get_data(as_text=True)
        assert not re.search(r"""(src|href)=["']https?:""", html)
    assert client.get("/static/vendor/cytoscape/cytoscape.min.js").status_code == 200
    licence = client.get("/static/vendor/cytoscape/LICENSE").get_data(as_text=True)
    assert "The Cytoscape Consortium" in licence and "Permission is hereby granted" in licence


def test_vendored_cytoscape_is_the_pinned_version():
    vendor = Path(__file__).resolve().parent.parent / "service" / "static" / "vendor"
    pinned = json.loads((vendor / "cytoscape" / "package.json").read_text())["dependencies"]["cytoscape"]
    locked = json.loads((vendor / "cytoscape" / "package-lock.json").read_text())["packages"]["node_modules/cytoscape"]
    assert locked["version"] == pinned
    assert f'"{pinned}"' in (vendor / "cytoscape" / "cytoscape.min.js").read_text(encoding="utf-8")


# --- the command line ----------------------------------------------------------------------------

@pytest.fixture
def cli(data_dir, release):
    def invoke(*args):
        return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    return invoke


def test_cli_paths_neighbours_and_rankings(cli):
    result = cli("network", "paths", "140522", "organisation/shanxi-housing", "-k", "1")
    assert result.exit_code == 0
    assert "1. 阳城县 —所属项目→ 省级海绵城市建设示范 —牵头单位→ 山西省住房和城乡建设厅" in result.output
    assert "—led by→" in result.output
    result = cli("network", "neighbours", "140522", "--json")
    assert json.loads(result.output)["focus"]["code"] == "140522"
    result = cli("network", "centrality", "--type", "xc:Programme", "--neighbour-type", "xc:County", "--limit", "1")
    assert "山西省区域经济转型升级考核评价" in result.output
    result = cli("network", "similar", "140522", "--json")
    assert json.loads(result.output)["similar"][0]["label_zh"] == "洪洞县"
    assert "groups" in cli("network", "communities", "--limit", "2").output
    assert "阳城县" in cli("network", "search", "阳城县").output
    assert "xc:ledBy" in cli("network", "summary").output


def test_cli_reports_bad_questions_without_a_traceback(cli):
    result = cli("network", "neighbours", "999999")
    assert result.exit_code == 1 and "no entity '999999'" in result.output and "Traceback" not in result.output
    result = cli("network", "paths", "140522", "140521", "-k", "99")
    assert result.exit_code == 1 and "k=99 is too large" in result.output
    assert cli("export", "png").exit_code == 2


def test_cli_export_writes_a_file_networkx_reads(cli, tmp_path):
    out = tmp_path / "yangcheng.graphml"
    assert cli("export", "graphml", "--focus", "140522", "--radius", "1", "-o", str(out)).exit_code == 0
    graph = nx.read_graphml(out)
    assert graph.nodes[KG + "division/140522"]["label_en"] == "Yangcheng County"
    whole = cli("export", "node-link")
    assert len(json.loads(whole.output)["nodes"]) > 300


# --- the documentation ---------------------------------------------------------------------------

def test_every_exploration_endpoint_is_documented(app):
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("explore.")}
    assert rules >= {"/network", "/network/paths", "/explore", "/explore/map"}
    for rule in rules:
        shown = re.sub(r"<(\w+)>", r"<\1>", rule)
        assert f"`{shown}`" in DOC or f"`GET {shown}`" in DOC, f"docs/exploration.md does not document {rule}"


def test_every_network_command_and_export_format_is_documented():
    group = main.commands["network"]
    for name in group.commands:
        assert f"xiancheng network {name}" in DOC, f"docs/exploration.md does not show `network {name}`"
    assert "xiancheng export" in DOC
    for fmt in EXPORT_FORMATS.values():
        assert f"| `{fmt.name}` | `{fmt.media_type}` | `.{fmt.extension}` |" in DOC
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/exploration.md" in readme and "/explore" in readme
