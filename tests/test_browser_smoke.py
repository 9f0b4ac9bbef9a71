"""The browser fixture works: a page of the live service renders Chinese text, offline."""


def test_query_page_renders_offline(live_server, page):
    page.goto(live_server.url + "/")
    assert "县城新型城镇化知识图谱" in page.inner_text("header")
    assert page.external_requests == []
