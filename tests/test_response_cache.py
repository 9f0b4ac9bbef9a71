"""The ResponseCache in front of Flask (service/cache.py): a repeated GET of a cached result is
answered without running Flask, byte for byte as the first time; anything that could change the
answer sends the request through Flask again."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from xiancheng.graph.release import Release

QUERY = ("SELECT ?name WHERE { <https://kg.xiancheng.example/id/division/141182> "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name")


@pytest.fixture
def counted(data_dir, release, pool):
    """A fresh app (own caches, the session's query workers) that counts the requests Flask sees."""
    from xiancheng.service import create_app

    app = create_app(release=release, pool=pool, data_dir=data_dir, query_timeout=3.0)
    app.flask_requests = 0

    @app.before_request
    def count():
        app.flask_requests += 1

    return app


def _get(client, query=QUERY, headers=None, **params):
    return client.get("/sparql?" + urlencode({"query": query, **params}),
                      headers={"Accept": "application/sparql-results+json", **(headers or {})})


def test_a_repeated_request_skips_flask_with_the_same_answer(counted):
    client = counted.test_client()
    first = _get(client)
    assert first.status_code == 200 and counted.flask_requests == 1
    second = _get(client)
    assert counted.flask_requests == 1
    assert second.status_code == 200
    assert second.data == first.data
    assert dict(second.headers) == dict(first.headers)


def test_revalidation_gets_304_without_flask(counted):
    client = counted.test_client()
    etag = _get(client).headers["ETag"]
    answer = _get(client, headers={"If-None-Match": etag})
    assert answer.status_code == 304 and answer.data == b""
    assert answer.headers["ETag"] == etag and "Content-Type" not in answer.headers
    assert counted.flask_requests == 1
    assert _get(client, headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_gets_the_headers_only(counted):
    client = counted.test_client()
    first = _get(client)
    head = client.head("/sparql?" + urlencode({"query": QUERY}), headers={"Accept": "application/sparql-results+json"})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(first.data))
    assert counted.flask_requests == 1


@pytest.mark.parametrize("change", [
    {"headers": {"Accept": "text/csv"}},
    {"headers": {"Accept-Language": "en"}},
    {"headers": {"Origin": "http://example.org"}},
    {"format": "xml"},
    {"inference": "false"},
    {"query": QUERY + " # another text"},
])
def test_anything_that_can_change_the_answer_goes_through_flask(counted, change):
    client = counted.test_client()
    first = _get(client)
    change = dict(change)
    headers = change.pop("headers", {})
    other = _get(client, headers=headers, **change)
    assert other.status_code == 200
    assert counted.flask_requests == 2
    if "Accept" in headers or "format" in change:
        assert other.data != first.data
    if "Origin" in headers:
        assert other.headers["Access-Control-Allow-Origin"] == "*"


def test_a_new_data_version_is_never_answered_from_the_old(counted):
    client = counted.test_client()
    first = _get(client)
    service = counted.extensions["xiancheng"]
    service.release = Release(service.release.path, {**service.release.meta, "id": "another-version"})
    second = _get(client)
    assert counted.flask_requests == 2
    assert second.headers["X-Data-Version"] == "another-version"
    assert second.headers["ETag"] != first.headers["ETag"]


def test_errors_and_evicted_results_go_through_flask(counted):
    client = counted.test_client()
    for _ in range(2):
        assert _get(client, query="SELECT * {").status_code == 400
    assert counted.flask_requests == 2
    _get(client)
    counted.extensions["xiancheng"].cache.clear()
    assert _get(client).status_code == 200
    assert counted.flask_requests == 4


def test_posts_are_not_answered_from_it(counted):
    client = counted.test_client()
    for _ in range(2):
        answer = client.post("/sparql", data=QUERY.encode(), headers={"Content-Type": "application/sparql-query",
                                                                     "Accept": "application/sparql-results+json"})
        assert answer.status_code == 200
    assert counted.flask_requests == 2
