"""Dereferenceable IRIs and the pages: the content-negotiation matrix (303 to each document, 200
for each suffix, 404, 406), what the pages say (checked against the store, not against the
pages), browse pages and the docs. Through Flask's test client; tests/test_pages_browser.py opens
the pages in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

ID = "https://kg.xiancheng.example/id/"
XC = "https://kg.xiancheng.example/def/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FENYANG = "/id/division/141182"
DOCS = Path(__file__).resolve().parent.parent / "docs"
# suffix → (media type, pyoxigraph format)
SUFFIXES = {"ttl": ("text/turtle", ox.RdfFormat.TURTLE), "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
            "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML), "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD)}


def rows(store, query: str) -> list[dict]:
    """Rows of a SELECT on the session's Oxigraph store, as {variable: string}."""
    result = store.query(query)
    return [{v: (None if t is None else str(t)) for v, t in zip(result.variables, row)} for row in result.rows]


def triples_of(store, iri: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object)
            for q in store.engine.quads_for_pattern(ox.NamedNode(iri), None, None, None)}


def parse(data: bytes, fmt) -> set[tuple]:
    return {(t.subject, t.predicate, t.object) for t in ox.parse(data, format=fmt)}


def label(store, iri: str, lang: str) -> str:
    return rows(store, f'SELECT ?l WHERE {{ <{iri}> <{RDFS_LABEL}> ?l FILTER(lang(?l) = "{lang}") }}')[0]["l"]


# --- dereferencing and content negotiation ------------------------------------------------------

@pytest.mark.parametrize("accept,suffix", [
    (None, "html"),
    ("*/*", "html"),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("text/turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("text/turtle;q=0.5, application/ld+json", "jsonld"),
    ("text/html;q=0.1, text/turtle", "ttl"),
])
@pytest.mark.parametrize("path", [FENYANG, "/id/specialty-town/xinghuacun-fenjiu", "/def/County",
                                  "/graph/divisions", "/def/shapes/CountyShape"])
def test_an_iri_is_a_thing_and_303s_to_its_document(client, path, accept, suffix):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{path}.{suffix}"
    assert "Accept" in response.headers["Vary"]
    assert f'<{path}.{suffix}>; rel="describedby"' in response.headers["Link"]


def test_redirect_keeps_the_query_string_and_head_works(client):
    response = client.get(FENYANG + "?lang=en")
    assert response.headers["Location"] == FENYANG + ".html?lang=en"
    assert client.head(FENYANG, headers={"Accept": "text/turtle"}).status_code == 303
    assert client.head(FENYANG + ".ttl").status_code == 200


def test_nothing_acceptable_is_406(client):
    response = client.get(FENYANG, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


@pytest.mark.parametrize("suffix", list(SUFFIXES))
@pytest.mark.parametrize("iri", [ID + "division/141182", ID + "specialty-town/xinghuacun-fenjiu",
                                 ID + "indicator/resident-population", XC + "County", XC + "partOf"])
def test_each_suffix_gives_the_description_in_that_format(client, oxigraph, iri, suffix):
    path = iri.replace("https://kg.xiancheng.example", "")
    media_type, fmt = SUFFIXES[suffix]
    # whatever Accept says: the suffix decides
    response = client.get(f"{path}.{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media_type
    described = parse(response.data, fmt)
    expected = triples_of(oxigraph, iri)
    assert expected and expected <= described
    links = response.headers["Link"]
    for other, (other_type, _) in SUFFIXES.items():
        assert f'<{path}.{other}>; rel="alternate"; type="{other_type}"' in links
    assert f'<{path}.html>; rel="alternate"; type="text/html"' in links
    assert f"<{iri}>; rel=\"describes\"" in links


def test_the_description_holds_the_resource_parts_and_links_to_it(client, oxigraph):
    described = parse(client.get(FENYANG + ".nt").data, ox.RdfFormat.N_TRIPLES)
    evidence = rows(oxigraph, f"SELECT ?e ?src WHERE {{ <{ID}division/141182> <{XC}evidence> ?e . "
                              "?e <http://purl.org/dc/terms/source> ?src }")
    assert evidence
    for row in evidence:
        assert (ox.NamedNode(row["e"]), ox.NamedNode("http://purl.org/dc/terms/source"),
                ox.NamedNode(row["src"])) in described
    town = ox.NamedNode(ID + "specialty-town/xinghuacun-fenjiu")
    assert (town, ox.NamedNode(XC + "locatedIn"), ox.NamedNode(ID + "division/141182")) in described


def test_the_ontology_iri_gives_the_ontology_graph(client, release):
    described = parse(client.get("/def/xiancheng.nt").data, ox.RdfFormat.N_TRIPLES)
    assert len(described) == release.graphs["ontology"]["triples"]
    assert client.get("/def/").headers["Location"] == "/def/xiancheng.html"


def test_shapes_resolve_from_the_shapes_file(client):
    from rdflib import Graph, URIRef
    from xiancheng.graph import load_shapes

    shapes = load_shapes()
    shape = URIRef(XC + "shapes/CountyShape")
    described = Graph().parse(data=client.get("/def/shapes/CountyShape.ttl").data, format="turtle")
    assert set(shapes.triples((shape, None, None))) <= set(described)
    assert len(Graph().parse(data=client.get("/def/shapes.ttl").data, format="turtle")) == len(shapes)
    page = client.get("/def/shapes/CountyShape.html").get_data(as_text=True)
    assert "xc:County" in page or "/def/County" in page


@pytest.mark.parametrize("path", ["/id/division/999999", "/id/division/141182.xyz", "/id/nothing/at/all",
                                  "/def/NoSuchClass", "/graph/no-such-graph", "/id/division/999999.ttl"])
def test_unknown_iris_are_404(client, path):
    as_json = client.get(path, headers={"Accept": "application/json"})
    assert as_json.status_code == 404
    assert as_json.get_json()["error"]["status"] == 404
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert 'action="/search"' in text and "404" in text


def test_a_404_page_suggests_what_the_search_finds(client):
    page = client.get("/id/division/fenyang", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/id/division/141182"' in page


# --- what the pages say -------------------------------------------------------------------------

def test_division_page_label_type_breadcrumb_and_map(client, oxigraph):
    page = client.get(FENYANG + ".html", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert f"<h1>{label(oxigraph, ID + 'division/141182', 'zh')}" in page
    assert label(oxigraph, ID + "division/141182", "en") in page
    assert label(oxigraph, XC + "CountyLevelCity", "zh") in page
    crumbs = page.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    ancestors = rows(oxigraph, f"SELECT ?a WHERE {{ <{ID}division/141182> <{XC}partOf> ?a }}")
    positions = {}
    for row in ancestors:
        href = row["a"].replace("https://kg.xiancheng.example", "")
        assert f'href="{href}"' in crumbs
        positions[row["a"]] = crumbs.index(f'href="{href}"')
    assert positions[ID + "division/140000"] < positions[ID + "division/141100"]   # province first
    assert '<svg class="dot-map"' in page and 'class="here"' in page


def test_every_fact_has_a_citation_and_every_quote_is_shown(client, oxigraph):
    town = ID + "specialty-town/xinghuacun-fenjiu"
    page = client.get("/id/specialty-town/xinghuacun-fenjiu.html").get_data(as_text=True)
    evidence = rows(oxigraph, f"""SELECT ?quote ?page WHERE {{ <{town}> <{XC}evidence> ?e .
        ?e <http://purl.org/dc/terms/source> ?src OPTIONAL {{ ?e <{XC}quote> ?quote }}
        OPTIONAL {{ ?src <http://xmlns.com/foaf/0.1/page> ?page }} }}""")
    assert any(r["quote"] for r in evidence)
    for r in evidence:
        if r["quote"]:
            assert r["quote"] in page
        if r["page"]:
            assert f'href="{r["page"]}"' in page
    facts = page.split('<section class="facts">', 1)[1].split("</section>", 1)[0]
    values = facts.count("<li>")
    assert values > 0 and facts.count('<span class="cites"><a class="cite') == values


def test_designations_concerning_a_division_carry_their_quote(client, oxigraph):
    found = rows(oxigraph, f"""SELECT ?d ?quote WHERE {{ ?x <{XC}designee> ?d ; <{XC}evidence> ?e .
        ?e <{XC}quote> ?quote FILTER(STRSTARTS(STR(?d), "{ID}division/")) }} ORDER BY ?d LIMIT 1""")[0]
    page = client.get(found["d"].replace("https://kg.xiancheng.example", "") + ".html").get_data(as_text=True)
    concerning = page.split('class="concerning"', 1)[1].split("</section>", 1)[0]
    assert found["quote"] in concerning


def test_indicator_page_has_a_table_and_a_chart_of_its_observations(client, oxigraph):
    indicator = ID + "indicator/resident-population"
    observations = rows(oxigraph, f"""SELECT ?o ?v ?area WHERE {{ ?o <{XC}indicator> <{indicator}> ;
        <{XC}obsValue> ?v ; <{XC}refArea> ?area }}""")
    unit = rows(oxigraph, f"""SELECT ?u WHERE {{ ?o <{XC}indicator> <{indicator}> ; <{XC}unitOfMeasure> ?x .
        ?x <{RDFS_LABEL}> ?u FILTER(lang(?u) = "en") }} LIMIT 1""")[0]["u"]
    page = client.get("/id/indicator/resident-population.html?lang=en").get_data(as_text=True)
    table = page.split('<table class="data">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr><td>") == len(observations)
    chart = page.split('<svg class="bar-chart"', 1)[1].split("</svg>", 1)[0]
    assert chart.count('<rect class="bar"') == len(observations)
    assert unit in page
    for o in observations:
        assert f"{int(float(o['v'])):,}" in table
        assert f'href="{o["area"].replace("https://kg.xiancheng.example", "")}"' in table


def test_links_to_a_resource_are_grouped_by_property(client, oxigraph):
    page = client.get(FENYANG + ".html?lang=en").get_data(as_text=True)
    incoming = page.split('<section class="incoming">', 1)[1].split("</section>", 1)[0]
    located = label(oxigraph, XC + "locatedIn", "en")
    assert f"linked here by “{located}”" in incoming
    assert 'href="/id/specialty-town/xinghuacun-fenjiu"' in incoming


def test_language_by_accept_language_switch_and_cookie(client, oxigraph):
    zh = label(oxigraph, ID + "division/141182", "zh")
    en = label(oxigraph, ID + "division/141182", "en")
    assert f"<h1>{en}" in client.get(FENYANG + ".html", headers={"Accept-Language": "en-GB,en"}).get_data(as_text=True)
    assert f"<h1>{zh}" in client.get(FENYANG + ".html", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    switched = client.get(FENYANG + ".html?lang=en", headers={"Accept-Language": "zh-CN"})
    assert f"<h1>{en}" in switched.get_data(as_text=True)
    assert "lang=en" in switched.headers["Set-Cookie"]
    # the cookie keeps the choice on the next page
    assert f"<h1>{en}" in client.get(FENYANG + ".html", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'href="/id/division/141182.html?lang=zh"' in switched.get_data(as_text=True)
    bad = client.get(FENYANG + ".html?lang=fr", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "zh or en" in bad.get_json()["error"]["detail"]


def test_ontology_documentation_lists_classes_properties_and_shapes(client, oxigraph):
    page = client.get("/def/xiancheng.html?lang=en").get_data(as_text=True)
    classes = rows(oxigraph, f"""SELECT ?c WHERE {{ GRAPH <https://kg.xiancheng.example/graph/ontology> {{
        ?c a <http://www.w3.org/2002/07/owl#Class> FILTER(isIRI(?c)) }} }}""")
    for row in classes:
        assert f'href="{row["c"].replace("https://kg.xiancheng.example", "")}"' in page
    from xiancheng.graph import load_shapes
    from rdflib.namespace import RDF, SH

    for shape in load_shapes().subjects(RDF.type, SH.NodeShape):
        assert f'href="{str(shape).replace("https://kg.xiancheng.example", "")}"' in page
    zh = client.get("/def/xiancheng.html?lang=zh").get_data(as_text=True)
    assert label(oxigraph, XC + "County", "zh") in zh and "SHACL" in zh


# --- browse ---------------------------------------------------------------------------------------

def _browse_name(iri: str) -> str:
    return iri[len(XC):] if iri.startswith(XC) else None


def test_every_ontology_class_has_a_browse_page(client, oxigraph):
    from rdflib.namespace import OWL, RDF
    from xiancheng.graph import load_ontology

    classes = sorted(str(c) for c in load_ontology().subjects(RDF.type, OWL.Class) if str(c).startswith(XC))
    assert len(classes) > 20
    for iri in classes:
        name = _browse_name(iri)
        page = client.get(f"/browse/{name}")
        assert page.status_code == 200, iri
        assert 'rel="alternate"; type="application/json"' in page.headers["Link"]
        twin = client.get(f"/browse/{name}.json").get_json()
        count = rows(oxigraph, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{iri}> }}")[0]["n"]
        assert twin["total"] == int(count), iri
    listed = {r["iri"] for r in client.get("/browse/?format=json").get_json()["classes"]}
    assert set(classes) <= listed


def test_browse_pages_cover_every_instance_once(client, oxigraph):
    expected = {r["x"] for r in rows(oxigraph, f"SELECT DISTINCT ?x WHERE {{ ?x a <{XC}County> }}")}
    seen, url = [], "/browse/County.json"
    while url:
        data = client.get(url).get_json()
        assert len(data["items"]) <= data["page_size"]
        seen += [item["iri"] for item in data["items"]]
        url = data["next"] and data["next"].replace("/browse/County?", "/browse/County.json?")
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert data["pages"] == -(-len(expected) // data["page_size"]) and data["page"] == data["pages"]


def test_browse_within_a_division(client, oxigraph):
    expected = {r["x"] for r in rows(oxigraph, f"""SELECT DISTINCT ?x WHERE {{ ?x a <{XC}County> ;
        <{XC}partOf> <{ID}division/141100> }}""")}
    data = client.get("/browse/County.json?within=141100").get_json()
    assert {i["iri"] for i in data["items"]} == expected and data["total"] == len(expected)
    zh = label(oxigraph, ID + "division/141100", "zh")
    assert zh in client.get("/browse/County").get_data(as_text=True)   # offered as a filter


def test_browse_classes_outside_the_ontology_namespace(client, oxigraph):
    count = rows(oxigraph, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a <http://purl.org/linked-data/cube#Observation> }")[0]["n"]
    assert client.get("/browse/qb:Observation.json").get_json()["total"] == int(count)


@pytest.mark.parametrize("path,status", [("/browse/County?page=0", 400), ("/browse/County?page=x", 400),
                                         ("/browse/County?page=999", 404), ("/browse/County?within=abc", 400),
                                         ("/browse/NoSuchClass", 404), ("/browse/nope:Thing", 404)])
def test_browse_errors(client, path, status):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert response.get_json()["error"]["detail"]


# --- every property shows ---------------------------------------------------------------------------

# Used only inside RDF lists, which pages show as lists "( … )" rather than as properties.
LIST_PROPERTIES = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#first",
                   "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"}


def test_every_property_used_in_the_data_shows_on_pages(client, oxigraph):
    from xiancheng.service.reader import curie

    # a resource served here that uses each property (or points to the blank node that does)
    used = rows(oxigraph, """SELECT ?p (SAMPLE(?s) AS ?subject) (SAMPLE(?holder) AS ?via) WHERE {
        { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://kg.xiancheng.example/")) }
        UNION { ?b ?p ?o FILTER(isBlank(?b)) ?holder ?q ?b
                FILTER(STRSTARTS(STR(?holder), "https://kg.xiancheng.example/")) }
        } GROUP BY ?p""")
    every = {r["p"] for r in rows(oxigraph, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
    assert {r["p"] for r in used} == every and len(every) > 100
    for row in used:
        p = row["p"]
        if p in LIST_PROPERTIES:
            continue
        page_of = row["subject"] or row["via"]
        page = client.get(page_of.replace("https://kg.xiancheng.example", "") + ".html?lang=en")
        assert page.status_code == 200, page_of
        text = page.get_data(as_text=True)
        assert f'title="{p}"' in text or curie(p) in text, f"{p} is not shown on the page of {page_of}"


# --- documentation ----------------------------------------------------------------------------------

def test_linked_data_endpoints_are_documented(app):
    text = (DOCS / "linked-data.md").read_text(encoding="utf-8")
    mine = {"resources", "browse", "search", "dumps", "dataset"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in mine:
            fixed = rule.rule.split("<", 1)[0].rstrip(".")
            assert f"`{fixed}" in text, f"docs/linked-data.md does not document {rule.rule}"
    assert "xiancheng dump --all" in text
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/linked-data.md" in readme and "dump --all" in readme


def test_rendered_pages_revalidate_with_etags(client):
    first = client.get(FENYANG + ".html?lang=zh")
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "no-cache"
    again = client.get(FENYANG + ".html?lang=zh", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert client.get(FENYANG + ".html?lang=en", headers={"If-None-Match": etag}).status_code == 200


def test_pages_answer_for_another_base_iri(tmp_path, release):
    """A deployment with its own base: the service still answers /id/… for IRIs under it. (The
    session's release with its data IRIs moved under another base, instead of a second build.)"""
    import gzip
    import json as json_

    from xiancheng.graph.release import open_release
    from xiancheng.graph.workers import WorkerPool
    from xiancheng.service import create_app

    base = "http://data.example.org/kg/"
    moved = tmp_path / "releases" / "moved"
    moved.mkdir(parents=True)
    old = b"https://kg.xiancheng.example/"
    data = gzip.decompress(release.file("nquads").read_bytes())
    data = data.replace(old + b"id/", base.encode() + b"id/").replace(old + b"graph/", base.encode() + b"graph/")
    (moved / "dataset.nq.gz").write_bytes(gzip.compress(data))
    (moved / "dataset.trig").write_bytes(b"")
    meta = json_.loads((release.path / "release.json").read_text())
    meta.update(id=meta["id"] + "-moved", base=base)
    for graph in meta["graphs"].values():
        graph["iri"] = graph["iri"].replace(old.decode(), base)
    (moved / "release.json").write_text(json_.dumps(meta))
    release = open_release(moved)
    with WorkerPool.for_release(release, size=1, deadline=5.0) as pool:
        client = create_app(release=release, pool=pool, data_dir=tmp_path).test_client()
        assert client.get(FENYANG).headers["Location"] == FENYANG + ".html"
        described = parse(client.get(FENYANG + ".nt").data, ox.RdfFormat.N_TRIPLES)
        assert (ox.NamedNode(base + "id/division/141182"), ox.NamedNode(XC + "parentDivision"),
                ox.NamedNode(base + "id/division/141100")) in described
        page = client.get(FENYANG + ".html").get_data(as_text=True)
        assert 'href="/id/division/141100"' in page and base + "id/division/141182" in page
        assert client.get("/def/County").status_code == 303        # the ontology keeps its namespace
        assert client.get("/search.json?q=fenyang").get_json()["results"][0]["href"] == FENYANG
