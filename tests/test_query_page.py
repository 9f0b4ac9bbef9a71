"""The query page: YASGUI shipped in the package, named queries one click away, download links.

Flask test-client tests for the server side (the page, the vendored files, /queries/<name>.rq),
then a real browser (Debian's chromium) against ``xiancheng serve``: a named query is clicked,
and the result table must show the rows that the source files say it should.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from xiancheng.graph.build import SOURCES_DIR
from xiancheng.graph.formats import RDF_FORMATS, RESULT_FORMATS
from xiancheng.graph.namespaces import XC, Minter
from xiancheng.graph.queries import NamedQuery, Parameter, load_queries

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "service" / "static" / "vendor"
MINT = Minter()
PARAMETERISED = [q for q in load_queries().values() if q.params]


def _rows(name: str) -> list[dict]:
    with open(SOURCES_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


DIVISIONS = {row["code"]: row for row in _rows("divisions.csv")}


# --- the page and its files (Flask test client) -------------------------------------------------

def _assets(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("path, accept", [("/", None), ("/sparql", "text/html,application/xhtml+xml,*/*;q=0.8")])
def test_the_page_loads_only_files_of_this_service(client, path, accept):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assets = [a for a in _assets(html) if not a.startswith("data:")]
    assert any(a.endswith("yasgui.min.js") for a in assets) and any(a.endswith("query.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} is not served by this service"
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()


def test_the_page_lists_every_named_query_with_its_parameters(client):
    html = client.get("/").get_data(as_text=True)
    assert set(re.findall(r'data-name="([^"]+)"', html)) == set(load_queries())
    for query in PARAMETERISED:
        for p in query.params:
            assert re.search(rf'<input name="{p.name}" value="{p.example or ""}"', html), (query.name, p.name)


def test_the_page_presets_the_endpoint_and_the_download_formats(client):
    html = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script type="application/json" id="query-config">(.*?)</script>',
                                  html, re.S).group(1))
    assert config["endpoint"] == "/sparql"
    assert config["formats"] == {"select": list(RESULT_FORMATS), "graph": list(RDF_FORMATS)}
    assert config["prefixes"]["id"] == MINT.base + "id/"
    assert client.get("/sparql", query_string={"query": config["defaultQuery"]}).status_code == 200


def test_the_vendored_yasgui_is_the_locked_version_unchanged():
    lock = json.loads((VENDOR / "package-lock.json").read_text(encoding="utf-8"))
    wanted = json.loads((VENDOR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    version = lock["packages"]["node_modules/@zazuko/yasgui"]["version"]
    assert wanted == {"@zazuko/yasgui": version}
    readme = (VENDOR / "yasgui" / "README.md").read_text(encoding="utf-8")
    assert f"@zazuko/yasgui {version}" in readme
    for name in ("yasgui.min.js", "yasgui.min.css"):
        digest = hashlib.sha256((VENDOR / "yasgui" / name).read_bytes()).hexdigest()
        assert f"| `{name}` | `{digest}` |" in readme, f"{name} differs from the vendored release; run make vendor"
    assert "MIT License" in (VENDOR / "yasgui" / "LICENSE").read_text(encoding="utf-8")
    notices = (VENDOR / "yasgui" / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    for key in lock["packages"]:
        if key:
            assert key.split("node_modules/")[-1] + " " in notices


def test_a_query_without_parameters_opens_as_its_file(client):
    response = client.get("/queries/population-2020.rq")
    assert response.status_code == 200 and response.mimetype == "application/sparql-query"
    assert response.get_data(as_text=True) == load_queries()["population-2020"].text


@pytest.mark.parametrize("query", PARAMETERISED, ids=lambda q: q.name)
def test_a_named_query_opened_with_parameters_runs_as_the_named_query_does(client, query):
    params = {p.name: p.example for p in query.params if p.example}
    text = client.get(f"/queries/{query.name}.rq", query_string=params).get_data(as_text=True)
    prepareQuery(text)  # plain SPARQL
    for name, value in params.items():
        assert f"VALUES ?{name} {{" in text
    accept = {"Accept": "application/sparql-results+json"}
    edited = client.post("/sparql", data={"query": text}, headers=accept).get_json()
    named = client.get(f"/queries/{query.name}", query_string=params, headers=accept).get_json()
    key = lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False)
    assert named["results"]["bindings"], f"the example of {query.name} finds nothing"
    assert sorted(edited["results"]["bindings"], key=key) == sorted(named["results"]["bindings"], key=key)


@pytest.mark.parametrize("path, status, words", [
    ("/queries/county-profile.rq?county=abc", 400, "six-digit"),
    ("/queries/county-profile.rq", 400, "needs parameter 'county'"),
    ("/queries/county-profile.rq?county=141182&colour=red", 400, "unknown parameter(s) colour"),
    ("/queries/no-such-query.rq", 404, "no-such-query"),
])
def test_a_bad_request_for_a_query_text_says_what_to_fix(client, path, status, words):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert words in response.get_json()["error"]["detail"]


def test_the_query_page_and_its_endpoint_are_documented():
    text = (ROOT / "docs" / "sparql.md").read_text(encoding="utf-8")
    section = text[text.index("## Query page"):]
    assert "/queries/<name>.rq" in section and "make vendor" in section
    for name in [*RESULT_FORMATS, *RDF_FORMATS]:
        assert f"`{name}`" in section, f"docs/sparql.md's Query page section does not name {name}"


def test_parameter_values_are_written_as_escaped_terms():
    from xiancheng.service.ui import with_values

    query = NamedQuery("echo", Path("echo.rq"),
                       'SELECT ?name (EXISTS { ?s ?p ?o } AS ?any) # {\nWHERE { BIND("}" AS ?brace) }',
                       "Echo", params=[Parameter("name", "string", "any\ntext")])
    tricky = 'a" } } ; DROP ALL # \n "'
    text = with_values(query, {"name": Literal(tricky)})
    from pyoxigraph import Store

    assert [(row["name"].value, row["any"].value) for row in Store().query(text)] == [(tricky, "false")]


# --- in a real browser --------------------------------------------------------------------------

def _open(live_server, page, path="/"):
    page.goto(live_server.url + path)
    page.wait_for_selector(".yasgui .CodeMirror")


def _run_named(page, name: str, **params) -> None:
    item = page.locator(f".named-query[data-name='{name}']")
    for param, value in params.items():
        item.locator(f"input[name='{param}']").fill(value)
    item.locator("button").click()
    page.wait_for_function("name => { const t = document.querySelector('.tabsList .tab.active');"
                           " return t && t.textContent.includes(name); }", arg=name)
    page.locator(".tabPanel.active .yasr_results table tbody tr").first.wait_for()


def _term(text: str) -> str:
    """A table cell's text as a value: "5304061"^^xsd:decimal → 5304061, "太原市"@zh → 太原市."""
    m = re.fullmatch(r'"(.*)"(?:@[\w-]+|\^\^\S+)?', text.strip(), re.S)
    return m.group(1) if m else text.strip()


def _result_table(page) -> list[dict]:
    panel = page.locator(".tabPanel.active .yasr_results")
    headers = [h.strip() for h in panel.locator("table thead th").all_inner_texts()]
    rows = []
    for row in panel.locator("table tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows.append({h: _term(c) for h, c in zip(headers, cells) if h})
    return rows


def _fetch(live_server, href: str):
    with urllib.request.urlopen(live_server.url + href, timeout=30) as response:
        return response.headers, response.read()


def test_clicking_a_named_query_shows_its_rows_and_offers_every_format(live_server, page):
    census = [row for row in _rows("census_2020.csv")
              if row["indicator"] == "resident-population" and DIVISIONS[row["area"]]["level"] == "prefecture"]
    expected = [(row["area"], DIVISIONS[row["area"]]["name_zh"], int(row["value"]))
                for row in sorted(census, key=lambda r: -int(r["value"]))]
    assert len(expected) == 11

    _open(live_server, page)
    _run_named(page, "population-2020")
    table = _result_table(page)
    assert [(r["code"], r["name"], int(r["population"])) for r in table] == expected
    assert "resident-population" in page.locator(".tabPanel.active .CodeMirror").inner_text()

    links = {a.get_attribute("data-format"): a.get_attribute("href")
             for a in page.locator("#downloads a").all()}
    assert list(links) == list(RESULT_FORMATS)
    for name, href in links.items():
        headers, body = _fetch(live_server, href)
        assert headers.get_content_type() == RESULT_FORMATS[name].media_type
        assert headers["Content-Disposition"].startswith("attachment")
    csv_rows = list(csv.DictReader(io.StringIO(_fetch(live_server, links["csv"])[1].decode("utf-8"))))
    assert [(r["code"], r["name"], int(r["population"])) for r in csv_rows] == expected

    assert page.external_requests == []
    assert page.console_errors == []


def test_a_named_query_runs_with_the_parameter_typed_in(live_server, page):
    prefecture = "140500"   # not the example (140700): the field's value is what counts
    expected = {(row["county_code"], row["name_zh"]) for row in _rows("specialty_towns.csv")
                if row["level"] == "provincial" and DIVISIONS[row["county_code"]]["parent_code"] == prefecture}
    assert expected

    _open(live_server, page, "/sparql")   # the endpoint's URL gives a browser the page too
    assert page.locator(".tabPanel.active input.autocomplete").input_value() == live_server.url + "/sparql"
    _run_named(page, "provincial-specialty-towns", prefecture=prefecture)
    assert f"VALUES ?prefecture {{ <{MINT.division(prefecture)}> }}" in \
        page.locator(".tabPanel.active .CodeMirror").inner_text()
    assert {(r["countyCode"], r["townName"]) for r in _result_table(page)} == expected
    assert page.external_requests == []
    assert page.console_errors == []


def test_a_construct_typed_in_the_editor_offers_rdf_downloads(live_server, page):
    expected = {(MINT.division(code), code) for code, row in DIVISIONS.items() if row["level"] == "prefecture"}
    _open(live_server, page)
    page.locator(".tabPanel.active .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(f"PREFIX xc: <{XC}>\nCONSTRUCT {{ ?city xc:divisionCode ?code }}\n"
                              "WHERE { ?city a xc:PrefectureLevelCity ; ")
    page.keyboard.type("xc:divisionCode")   # key by key, then ask for completions: all local
    page.keyboard.press("Control+Space")
    page.keyboard.insert_text(" ?code }")
    page.keyboard.press("Control+Enter")
    page.locator(".tabPanel.active .yasr_results table tbody tr").first.wait_for()
    assert len(_result_table(page)) == len(expected)

    links = {a.get_attribute("data-format"): a.get_attribute("href") for a in page.locator("#downloads a").all()}
    assert list(links) == list(RDF_FORMATS)
    headers, body = _fetch(live_server, links["turtle"])
    assert headers.get_content_type() == "text/turtle"
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert {(s, str(o)) for s, o in graph.subject_objects(URIRef(XC + "divisionCode"))} == expected
    assert page.external_requests == []
    assert page.console_errors == []


def test_a_shared_link_runs_its_query_here_only(live_server, page):
    from urllib.parse import quote, urlsplit

    from servers import free_port

    elsewhere = f"http://127.0.0.1:{free_port()}/sparql"   # nothing listens there
    requested = []
    page.on("request", lambda r: requested.append(urlsplit(r.url).netloc))
    page.goto(f"{live_server.url}/#query={quote('SELECT (1 + 1 AS ?two) WHERE {}')}&endpoint={quote(elsewhere)}")
    page.locator(".tabPanel.active .yasr_results table tbody tr").first.wait_for()
    assert _result_table(page) == [{"two": "2"}]
    assert urlsplit(elsewhere).netloc not in requested
    assert page.external_requests == []
    assert page.console_errors == []


def test_a_bad_parameter_is_reported_beside_the_list(live_server, page):
    _open(live_server, page)
    item = page.locator(".named-query[data-name='county-profile']")
    item.locator("input[name='county']").fill("Xiaoyi")
    item.locator("button").click()
    alert = page.locator("#named-error")
    alert.wait_for()
    assert "six-digit" in alert.inner_text()
    assert page.external_requests == []


def test_result_links_open_the_resources_page_on_this_service(live_server, page):
    """IRIs under the data's base resolve here, so the table links to this service's pages."""
    _open(live_server, page)
    _run_named(page, "population-2020")
    link = page.locator(".tabPanel.active .yasr_results table tbody a", has_text="division/140100").first
    href = link.get_attribute("href")
    assert href == live_server.url + "/id/division/140100"
    link.click()
    page.wait_for_url(live_server.url + "/id/division/140100**")
    assert "太原市" in page.inner_text("h1")
    assert page.external_requests == []
