"""The graph explorer and the map in headless Chromium against a live server: nodes drawn, a
click on a node expands it, the path finder shows an explained path, the map marks a programme's
divisions — and nothing is fetched from anywhere but the server."""

from __future__ import annotations

KG = "https://kg.xiancheng.example/id/"
YANGCHENG = KG + "division/140522"
SPONGE = KG + "programme/provincial-sponge-city-demonstration"


def node_count(page) -> int:
    return page.evaluate("window.explorer.cy.nodes().length")


def click_node(page, iri: str) -> None:
    """A real mouse click on the canvas, where cytoscape.js drew the node."""
    point = page.evaluate("""(iri) => {
        const cy = window.explorer.cy, node = cy.getElementById(iri);
        const p = node.renderedPosition(), box = cy.container().getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y}; }""", iri)
    page.mouse.click(point["x"], point["y"])


def test_explorer_search_draw_expand_and_find_a_path(live_server, page):
    page.goto(live_server.url + "/explore")
    page.fill("#search", "阳城县")
    page.click("#search-form button[type=submit]")
    page.click(f'#search-results button[data-iri="{YANGCHENG}"]')
    page.wait_for_function("window.explorer.cy.nodes().length > 1")
    drawn = page.evaluate("window.explorer.cy.nodes().map(n => n.id())")
    assert YANGCHENG in drawn and SPONGE in drawn
    assert page.locator(f'#drawn li[data-iri="{SPONGE}"]').count() == 1
    assert "阳城县" in page.inner_text("#details-label")
    assert page.get_attribute("#details-page", "href") == "/id/division/140522"
    colours = page.evaluate("""[...new Set(window.explorer.cy.nodes().map(n => n.style('background-color')))]""")
    assert len(colours) >= 3   # coloured by type

    before = node_count(page)
    assert page.evaluate(f"window.explorer.cy.getElementById('{SPONGE}').hasClass('expanded')") is False
    click_node(page, SPONGE)
    page.wait_for_function(f"window.explorer.cy.nodes().length > {before}")
    after = page.evaluate("window.explorer.cy.nodes().map(n => n.id())")
    assert {KG + "division/141024", KG + "division/140826", KG + "organisation/shanxi-housing"} <= set(after)
    assert page.evaluate(f"window.explorer.cy.getElementById('{SPONGE}').hasClass('expanded')") is True

    page.fill("#path-from", "阳城县")
    page.fill("#path-to", "山西省住房和城乡建设厅")
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#path-results li .path-zh")
    assert page.inner_text("#path-results li .path-zh >> nth=0") == (
        "阳城县 —所属项目→ 省级海绵城市建设示范 —牵头单位→ 山西省住房和城乡建设厅")
    assert "—led by→" in page.inner_text("#path-results li .path-en >> nth=0")
    on_path = page.evaluate("window.explorer.cy.$('.path').map(e => e.id())")
    assert {YANGCHENG, SPONGE, KG + "organisation/shanxi-housing"} <= set(on_path)
    assert page.external_requests == []


def test_explorer_shows_a_clear_message_for_an_unknown_entity(live_server, page):
    page.goto(live_server.url + "/explore")
    page.fill("#path-from", "/id/division/999999")
    page.fill("#path-to", "阳城县")
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#status.error")
    assert "no entity" in page.inner_text("#status")


def test_explorer_opens_on_an_entity_given_in_the_address(live_server, page):
    page.goto(live_server.url + "/explore?iri=/id/division/140522")
    page.wait_for_function("window.explorer.cy.nodes().length > 1")
    assert page.evaluate(f"window.explorer.cy.getElementById('{YANGCHENG}').selected()")


def test_map_draws_the_divisions_and_marks_a_programme(live_server, page):
    from playwright.sync_api import expect

    page.goto(live_server.url + "/explore/map")
    expect(page.locator("#map circle.division")).to_have_count(128)
    expect(page.locator("#map text.city")).to_have_count(11)
    page.select_option("#layer", "programme")
    expect(page.locator(f'#programme option[value="{SPONGE}"]')).to_have_count(1)
    page.select_option("#programme", SPONGE)
    page.wait_for_function("document.querySelectorAll('#map circle.marked').length === 3")
    marked = page.eval_on_selector_all("#map circle.marked", "cs => cs.map(c => c.dataset.code).sort()")
    assert marked == ["140522", "140826", "141024"]
    assert page.locator("#map-table tbody tr").count() == 3
    page.click('#map circle[data-code="140522"]')
    expect(page.locator("#map-details-label")).to_contain_text("阳城县")
    expect(page.locator("#map-details-page")).to_have_attribute("href", "/id/division/140522")

    page.select_option("#layer", "indicator")
    page.wait_for_function("document.querySelectorAll('#map circle.marked').length === 11")
    fills = page.eval_on_selector_all("#map circle.marked", "cs => new Set(cs.map(c => c.getAttribute('fill'))).size")
    assert fills > 5   # shaded by value
    expect(page.locator("#map-title")).to_contain_text("常住人口")
    assert page.external_requests == []
