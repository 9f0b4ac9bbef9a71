"""The pages in a real browser (Debian's chromium, headless) against `xiancheng serve`: what a
reader sees — labels, a quoted source beside the facts, the map and the chart — in Chinese and
in English, the typeahead box, and nothing fetched from elsewhere. Expected text comes from the
store."""

from __future__ import annotations

XC = "https://kg.xiancheng.example/def/"
ID = "https://kg.xiancheng.example/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def one(store, query: str) -> list[str]:
    rows = store.query(query).rows
    assert rows, query
    return [str(t) for t in rows[0]]


def labels(store, iri: str) -> dict[str, str]:
    return {t.language: str(t) for (t,) in store.query(f"SELECT ?l WHERE {{ <{iri}> <{RDFS_LABEL}> ?l }}").rows}


def test_division_page_in_both_languages(live_server, page, oxigraph):
    # a division with a designation whose evidence quotes its source
    division, quote = one(oxigraph, f"""SELECT ?d ?quote WHERE {{ ?x <{XC}designee> ?d ; <{XC}evidence> ?e .
        ?e <{XC}quote> ?quote FILTER(STRSTARTS(STR(?d), "{ID}division/")) }} ORDER BY ?d ?quote LIMIT 1""")
    names = labels(oxigraph, division)
    path = division.replace("https://kg.xiancheng.example", "")
    page.goto(live_server.url + path)                       # 303 to the page, in Chinese (locale zh-CN)
    assert page.url.endswith(path + ".html")
    assert page.inner_text("h1").startswith(names["zh"])
    concerning = page.locator(".concerning")
    assert quote in concerning.inner_text()
    assert page.locator("svg.dot-map circle.here").bounding_box() is not None
    parent = one(oxigraph, f"SELECT ?p WHERE {{ <{division}> <{XC}parentDivision> ?p }}")[0]
    assert labels(oxigraph, parent)["zh"] in page.inner_text("nav.breadcrumb")

    page.click("text=English")                              # the visible switch
    page.wait_for_load_state()
    assert page.inner_text("h1").startswith(names["en"])
    assert quote in page.locator(".concerning").inner_text()   # quotes stay as the source wrote them
    assert labels(oxigraph, parent)["en"] in page.inner_text("nav.breadcrumb")
    page.goto(live_server.url + path)                       # the choice is remembered
    assert page.inner_text("h1").startswith(names["en"])
    assert page.external_requests == [] and page.console_errors == []


def test_every_quoted_source_is_visible_beside_the_facts(live_server, page, oxigraph):
    town = ID + "specialty-town/xinghuacun-fenjiu"
    quotes = {str(q) for (q,) in oxigraph.query(
        f"SELECT ?q WHERE {{ <{town}> <{XC}evidence> ?e . ?e <{XC}quote> ?q }}").rows}
    assert quotes
    page.goto(live_server.url + "/id/specialty-town/xinghuacun-fenjiu.html?lang=zh")
    sources = page.locator("section.sources")
    for quote in quotes:
        assert sources.locator("blockquote", has_text=quote).is_visible()
    # each value's mark leads to its citation
    mark = page.locator("section.facts a.cite").first
    target = mark.get_attribute("href")
    assert page.locator(target).is_visible()
    assert page.external_requests == []


def test_indicator_chart_is_drawn(live_server, page, oxigraph):
    indicator = ID + "indicator/resident-population"
    count = int(one(oxigraph, f"SELECT (COUNT(?o) AS ?n) WHERE {{ ?o <{XC}indicator> <{indicator}> }}")[0])
    area, unit_zh, unit_en = one(oxigraph, f"""SELECT ?al ?uz ?ue WHERE {{ ?o <{XC}indicator> <{indicator}> ;
        <{XC}refArea> ?a ; <{XC}unitOfMeasure> ?u . ?a <{RDFS_LABEL}> ?al FILTER(lang(?al) = "en")
        ?u <{RDFS_LABEL}> ?uz FILTER(lang(?uz) = "zh") ?u <{RDFS_LABEL}> ?ue FILTER(lang(?ue) = "en") }} LIMIT 1""")
    for lang, unit in (("en", unit_en), ("zh", unit_zh)):
        page.goto(live_server.url + f"/id/indicator/resident-population.html?lang={lang}")
        chart = page.locator("svg.bar-chart").first
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100
        bars = chart.locator("rect.bar")
        assert bars.count() == count
        assert all(bars.nth(i).bounding_box()["width"] > 0 for i in range(count))
        assert unit in page.locator("section.observations").inner_text()
    assert area in page.goto(live_server.url + "/id/indicator/resident-population.html?lang=en").text()
    assert page.external_requests == [] and page.console_errors == []


def test_typeahead_suggests_and_opens(live_server, page, oxigraph):
    names = labels(oxigraph, ID + "division/141182")
    page.goto(live_server.url + "/browse/")
    box = page.locator("header input[data-typeahead]")
    box.fill("fen yang")
    suggestion = page.locator("ul.typeahead li").first
    suggestion.wait_for(state="visible")
    assert names["zh"] in suggestion.inner_text()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/id/division/141182**")
    assert page.inner_text("h1").startswith(names["zh"])
    assert page.external_requests == [] and page.console_errors == []


def test_search_and_404_pages(live_server, page, oxigraph):
    town = labels(oxigraph, ID + "specialty-town/xinghuacun-fenjiu")
    page.goto(live_server.url + "/search?q=汾酒")
    assert page.locator("ol.hits li").first.inner_text().startswith(town["zh"])
    response = page.goto(live_server.url + "/id/division/999999")
    assert response.status == 404
    assert "404" in page.inner_text("h1")
    assert page.locator("main input[name=q]").is_visible()
