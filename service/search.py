"""``/search?q=`` over labels in Chinese, pinyin and English, with a JSON twin (``/search.json``)
that also feeds the typeahead box of every page. The index (graph.search) is built from the graph
once per data version (after a write, in the background: see search_index)."""

from __future__ import annotations

import threading

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from xiancheng.graph.namespaces import XC
from xiancheng.graph.search import SearchIndex

from . import i18n
from .pagecache import cached_view, not_current
from .describe import graph_iri
from .errors import ApiError
from .reader import curie, path_for_iri, select, service

bp = Blueprint("search", __name__)

# Ranking among equally good matches: places and the things the data is about before the records
# that describe them (designations, observations).
BOOSTS = {"Province": 12, "PrefectureLevelCity": 12, "County": 10, "CountyLevelCity": 10,
          "MunicipalDistrict": 10, "SpecialtyTown": 8, "RuralETown": 8, "Programme": 6,
          "GovernmentBody": 5, "PolicyDocument": 5, "Indicator": 5, "FormerDivision": 4,
          "DivisionGroup": 4, "Event": 4, "Strategy": 4, "MediaOutlet": 3, "SourceDocument": 2,
          "Designation": 0, "DivisionChange": 1}
KINDS = {"http://www.w3.org/2000/01/rdf-schema#label": (0, "label"),
         "http://www.w3.org/2004/02/skos/core#prefLabel": (1, "label"),
         "http://www.w3.org/2004/02/skos/core#altLabel": (2, "alt"),
         str(XC.pinyin): (3, "pinyin"), str(XC.divisionCode): (4, "code")}
MAX_QUERY = 200
_build_lock = threading.Lock()


def _select_all(text: str) -> list[dict]:
    """All rows of an ordered query, read in chunks below the service's row cap."""
    chunk = max(1000, service().settings.max_rows // 2)
    rows, offset = [], 0
    while True:
        part = select(f"{text} LIMIT {chunk} OFFSET {offset}")
        rows.extend(part)
        if len(part) < chunk:
            return rows
        offset += chunk


def build_index() -> SearchIndex:
    index = SearchIndex()
    predicates = ", ".join(f"<{p}>" for p in KINDS)
    rows = _select_all(f"""SELECT ?x ?p ?text WHERE {{ ?x ?p ?text FILTER(?p IN ({predicates}))
        FILTER(isLiteral(?text) && isIRI(?x)) }} ORDER BY ?x ?p ?text""")
    rows.sort(key=lambda r: KINDS[r["p"].value][0])
    for r in rows:
        index.add(r["x"].value, r["text"].value, KINDS[r["p"].value][1], r["text"].lang)
    types = _select_all(f"""SELECT ?x ?t (xcf:label(?t, "zh") AS ?zh) (xcf:label(?t, "en") AS ?en) WHERE {{
        GRAPH ?g {{ ?x a ?t }} FILTER(?g != <{graph_iri("inferred")}>) }} ORDER BY ?x ?t""")
    for r in types:
        t = r["t"].value
        local = t[len(str(XC)):] if t.startswith(str(XC)) else None
        boost = BOOSTS.get(local, 2) if local else 1
        index.set_type(r["x"].value, t, {k: r[k].value for k in ("zh", "en") if k in r}, boost)
    return index


def search_index() -> SearchIndex:
    """The index of the current data version. After a write (a new version) the previous index is
    served while the new one is built in the background — a rebuild takes seconds, and with writes
    coming every second searches would otherwise wait on rebuilds all the time."""
    app = current_app._get_current_object()
    state = app.extensions.setdefault("xiancheng.search", {"index": None, "version": None, "building": False})
    version = service().version
    if state["version"] == version:
        return state["index"]
    if state["index"] is None:
        with _build_lock:
            if state["version"] != version:
                state["index"], state["version"] = build_index(), version
        return state["index"]
    with _build_lock:
        start, state["building"] = not state["building"], True
    if start:
        threading.Thread(target=_rebuild, args=(app, state), daemon=True, name="search-index").start()
    not_current()
    return state["index"]


def _rebuild(app, state) -> None:
    """One rebuild at a time; a search after a later write starts the next."""
    try:
        with app.app_context():
            version = service().version
            index = build_index()
            with _build_lock:
                state["index"], state["version"] = index, version
    finally:
        with _build_lock:
            state["building"] = False


def _hit_json(hit, lang: str) -> dict:
    e = hit.entry
    return {"iri": e.iri, "href": path_for_iri(e.iri) or e.iri, "label": hit.label(lang),
            "labels": e.labels, "type": e.type,
            "type_label": (e.type_labels.get(lang) or next(iter(e.type_labels.values()), None)
                           or (curie(e.type) if e.type else None)),
            "score": round(hit.score, 2), "matched": hit.matched}


def _params():
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY:
        raise ApiError(400, "Query too long", f"q has {len(q)} characters; send at most {MAX_QUERY}")
    limit = request.args.get("limit", "20")
    if not limit.isdigit() or not 1 <= int(limit) <= 100:
        raise ApiError(400, "Invalid parameter", f"limit must be a whole number from 1 to 100, not {limit!r}")
    type_iri = request.args.get("type") or None
    return q, int(limit), type_iri


@bp.route("/search.json")
@cached_view
def search_json():
    lang = i18n.choose_language()
    q, limit, type_iri = _params()
    if not q:
        raise ApiError(400, "Missing parameter", "send the words to look for as q, e.g. /search.json?q=汾阳")
    hits = search_index().search(q, limit, type_iri)
    return jsonify({"query": q, "type": type_iri, "count": len(hits),
                    "results": [_hit_json(h, lang) for h in hits]})


@bp.route("/search")
@cached_view
def search_page():
    lang = i18n.choose_language()
    q, limit, type_iri = _params()
    hits = [_hit_json(h, lang) for h in search_index().search(q, max(limit, 50), type_iri)] if q else []
    types = {}
    for h in hits:
        if h["type"]:
            types.setdefault(h["type"], {"label": h["type_label"], "count": 0})["count"] += 1
    from flask import make_response

    response = make_response(render_template("search.html", q=q, hits=hits, types=types,
                                             type_iri=type_iri, lang=lang))
    json_href = url_for("search.search_json", q=q) if q else url_for("search.search_json")
    response.headers["Link"] = f'<{json_href}>; rel="alternate"; type="application/json"'
    response.headers["Vary"] = "Accept-Language, Cookie"
    return i18n.remember_language(response)
