"""The query page: an editor for SPARQL (YASGUI, shipped in static/vendor/yasgui — nothing is
loaded from elsewhere), the named queries one click away, a results table and download links for
each format.

A named query opens in the editor from ``/queries/<name>.rq?param=value``: its text with the
parameters, validated by type, written as a ``VALUES`` block at the top of the WHERE clause, so
that what the editor shows is plain SPARQL that runs at ``/sparql`` as it stands.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, url_for
from rdflib.term import Node

from xiancheng.graph.formats import RDF_FORMATS, RESULT_FORMATS
from xiancheng.graph.namespaces import PREFIXES, XC
from xiancheng.graph.queries import NamedQuery, ParameterError
from xiancheng.graph.screen import binding_groups

from .errors import ApiError
from .hardening import query_args

bp = Blueprint("ui", __name__)

QUERY_TYPE = "application/sparql-query"


def query_page():
    svc = current_app.extensions["xiancheng"]
    endpoint = url_for("sparql.sparql")
    default_query = DEFAULT_QUERY.format(linfen=svc.minter.division("141100"))
    formats = {"select": list(RESULT_FORMATS), "graph": list(RDF_FORMATS)}
    config = {"endpoint": endpoint, "defaultQuery": default_query, "formats": formats,
              "prefixes": display_prefixes(svc.minter.base), "base": svc.minter.base}
    return render_template("query.html", release=svc.release, queries=list(svc.queries.values()),
                           endpoint=endpoint, default_query=default_query, formats=formats,
                           config=config)


def display_prefixes(base: str) -> dict[str, str]:
    """Prefixes the results table uses to shorten IRIs (besides those the query declares)."""
    return {**{name: str(ns) for name, ns in PREFIXES.items()}, "id": base + "id/",
            "graph": base + "graph/", "xcf": str(XC) + "function/"}


@bp.route("/")
def index():
    return query_page()


@bp.route("/queries/<name>.rq", methods=["GET", "HEAD"])
def query_text(name):
    """A named query as runnable SPARQL, its parameters (from the query string) bound by VALUES."""
    svc = current_app.extensions["xiancheng"]
    query = svc.queries.get(name)
    if query is None:
        raise ApiError(404, "No such query", f"there is no named query '{name}'; see /queries")
    try:
        bindings = query.bindings(query_args().to_dict(),
                                  svc.minter)
    except ParameterError as e:
        raise ApiError(400, "Invalid parameter", str(e)) from None
    return Response(with_values(query, bindings), mimetype=QUERY_TYPE,
                    headers={"Content-Disposition": f'inline; filename="{name}.rq"'})


def with_values(query: NamedQuery, bindings: dict[str, Node]) -> str:
    """``query.text`` with a ``VALUES ?param { term }`` line per bound parameter, inserted right
    after the opening brace of the WHERE clause and of each subquery's (graph.screen.binding_groups;
    named queries with parameters are SELECT queries). Terms come from validated parameters and
    are written with rdflib's escaping."""
    if not bindings:
        return query.text
    described = {p.name: " ".join(p.description.split()) for p in query.params}
    lines = "".join(f"\n  VALUES ?{name} {{ {term.n3()} }}"
                    + (f"  # {described[name]}" if described.get(name) else "")
                    for name, term in bindings.items())
    offsets = binding_groups(query.text)
    if not offsets:
        raise RuntimeError(f"named query '{query.name}' has parameters but no SELECT … WHERE {{ … }}")
    text = query.text
    for offset in offsets:
        rest = text[offset:]
        text = text[:offset] + lines + ("" if rest.startswith("\n") else "\n") + rest
    return text


DEFAULT_QUERY = """\
# 临汾市的县级单位 — the county-level divisions of Linfen (141100), with their labels
PREFIX xc:  <https://kg.xiancheng.example/def/>
PREFIX xcf: <https://kg.xiancheng.example/def/function/>

SELECT ?county ?code (xcf:label(?county) AS ?name) (xcf:label(?county, "en") AS ?english)
WHERE {{
  ?county xc:parentDivision <{linfen}> ;
          xc:divisionCode ?code .
}}
ORDER BY ?code
"""
