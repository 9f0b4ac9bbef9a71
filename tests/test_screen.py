"""The query screen (graph/screen.py): what it refuses, what it lets through, what it finds."""

from __future__ import annotations

import pytest

from xiancheng.graph.queries import load_queries
from xiancheng.graph.screen import RefusedQuery, screen


@pytest.mark.parametrize("query, needle", [
    ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE is not allowed"),
    ("select * { service<http://127.0.0.1:9/> {} }", "SERVICE is not allowed"),
    ("SELECT * { SeRvIcE SILENT <http://127.0.0.1:9/> {} }", "SERVICE is not allowed"),
    ("SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> {} }", "SERVICE is not allowed"),
    ("SELECT * { \\U00000073ervice <http://127.0.0.1:9/> {} }", "SERVICE is not allowed"),
    ("SELECT * { SERVICE#comment\n<http://127.0.0.1:9/> {} }", "SERVICE is not allowed"),
    ("SELECT * { OPTIONAL { SERVICE ?endpoint {} } }", "SERVICE is not allowed"),
    ("LOAD <file:///etc/passwd>", "LOAD is an update"),
    ("INSERT DATA { <http://a/s> <http://a/p> 1 }", "INSERT is an update"),
    ("CLEAR ALL", "CLEAR is an update"),
    ("SELECT * WHERE " + "{" * 65 + "}" * 65, "more than 64 deep"),
    ("SELECT * { ?s ?p ?o ", "not balanced"),
    ("ASK {}}", "not balanced"),
    ("# nothing but a comment", "not a query"),
    ("SELECT * { \\uD800 }", "not a valid code point"),
])
def test_refused(query, needle):
    with pytest.raises(RefusedQuery, match=needle):
        screen(query)


def test_keywords_in_strings_iris_comments_and_prefixes_do_not_count():
    text = ("PREFIX service: <http://a/load/> SELECT ('SERVICE' AS ?x) (\"INSERT {\" AS ?y) "
            "{ <http://a/service> service:delete ?o # SERVICE <http://b/>\n }")
    assert screen(text).form == "select"


def test_length_limit():
    with pytest.raises(RefusedQuery, match="limit is 100"):
        screen("ASK {}" + " " * 100, max_length=100)


@pytest.mark.parametrize("query, default, named", [
    ("SELECT * FROM <http://a/g> FROM NAMED <http://a/n> {}", ["http://a/g"], ["http://a/n"]),
    ("PREFIX g: <http://a/> SELECT * FROM # a comment\n g:x FROM NAMED g:y {}", ["http://a/x"], ["http://a/y"]),
    ("PREFIX : <http://a/> ASK FROM :x {}", ["http://a/x"], []),
    ("SELECT * { ?s ?p ?o }", [], []),
])
def test_dataset_clause_is_found(query, default, named):
    screened = screen(query)
    assert (screened.from_graphs, screened.from_named_graphs) == (default, named)


@pytest.mark.parametrize("query, form", [
    ("ASK {}", "ask"), ("construct { ?s ?p ?o } where { ?s ?p ?o }", "construct"),
    ("DESCRIBE <http://a/x>", "describe"), ("PREFIX a: <http://a/> SELECT * {}", "select"),
])
def test_query_form(query, form):
    assert screen(query).form == form


def test_every_named_query_passes():
    for query in load_queries().values():
        assert screen(query.text).form == "select", query.name


def test_tokens_have_their_kinds_and_positions():
    from xiancheng.graph.screen import tokens

    text = 'PREFIX ex: <http://e/>\nSELECT ?x WHERE { ?x ex:p "a } b" . # }\n}'
    found = [(t.kind, t.value) for t in tokens(text)]
    assert found == [("word", "PREFIX"), ("pname", "ex:"), ("iri", "<http://e/>"), ("word", "SELECT"),
                     ("var", "?x"), ("word", "WHERE"), ("open", "{"), ("var", "?x"), ("pname", "ex:p"),
                     ("string", '"a } b"'), ("other", "."), ("comment", "# }"), ("close", "}")]
    assert all(text[t.start:t.end] == t.value for t in tokens(text))


def test_where_group_skips_templates_exists_and_strings():
    from xiancheng.graph.screen import where_group

    cases = {
        "SELECT ?x WHERE { ?x ?p ?o }": "SELECT ?x WHERE {",
        "SELECT (EXISTS { ?a ?b ?c } AS ?e) { ?x ?p ?o }": "SELECT (EXISTS { ?a ?b ?c } AS ?e) {",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }": "CONSTRUCT { ?s ?p ?o } WHERE {",
        "CONSTRUCT WHERE { ?s ?p ?o }": "CONSTRUCT WHERE {",
        "# SELECT { \nASK { ?s ?p '{' }": "# SELECT { \nASK {",
    }
    for query, head in cases.items():
        assert where_group(query) == len(head), query
    assert where_group("DESCRIBE <http://e/x>") is None


def test_subquery_groups_are_the_groups_of_nested_selects():
    from xiancheng.graph.screen import subquery_groups

    query = ("SELECT * WHERE { ?a ?b ?c { SELECT ?x (EXISTS { ?x ?y ?z } AS ?e) WHERE { ?x ?p ?o "
             "{ SELECT ?o { ?o ?q '{ SELECT' } } } } }")
    first = query.index("AS ?e) WHERE {") + len("AS ?e) WHERE {")
    second = query.index("SELECT ?o {") + len("SELECT ?o {")
    assert subquery_groups(query) == [first, second]
    assert subquery_groups("SELECT ?x WHERE { ?x ?p ?o }") == []
