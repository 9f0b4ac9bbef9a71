"""Browse pages: every class with its instances, paginated, each page with a JSON twin.

    /browse/                         the classes and how many instances each has
    /browse/County?page=2            the counties (including inferred instances of subclasses)
    /browse/County?within=141100     the counties within 吕梁市 (by xc:partOf)
    /browse/qb:Observation.json      the same as JSON; classes outside xc: are named prefix:Name
"""

from __future__ import annotations

import math
import re

from flask import Blueprint, jsonify, render_template, request, url_for

from xiancheng.graph.namespaces import PREFIXES, XC

from . import i18n
from .pagecache import cached_view
from .errors import ApiError
from .reader import base, curie, memo, path_for_iri, ref, select, service
from .ontology_docs import terms

bp = Blueprint("browse", __name__)
PAGE_SIZE = 50


def class_name(iri: str) -> str | None:
    """The path segment naming a class: ``County`` for xc:County, else ``qb:Observation``."""
    if iri.startswith(str(XC)) and "/" not in iri[len(str(XC)):]:
        return iri[len(str(XC)):]
    name = curie(iri)
    return name if name != iri else None


def class_iri(name: str) -> str:
    prefix, colon, local = name.partition(":")
    if not colon:
        prefix, local = "xc", name
    if prefix not in PREFIXES or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", local):
        raise ApiError(404, "No such class", f"'{name}' names no class; see /browse/")
    return str(PREFIXES[prefix]) + local


def class_counts() -> dict[str, int]:
    def compute():
        rows = select("SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c")
        return {r["c"].value: int(r["n"].value) for r in rows}
    return memo("class-counts", compute)


def within_choices(lang: str) -> list[dict]:
    def compute():
        rows = select("""SELECT ?level ?d (xcf:label(?d) AS ?l) WHERE { ?d a ?level }
            ORDER BY ?d""", {"level": str(XC.PrefectureLevelCity)}, lang)
        return [{"code": r["d"].value.rsplit("/", 1)[-1], "label": r["l"].value if "l" in r else ""}
                for r in rows]
    return memo("within", compute, lang)


@bp.route("/browse/")
@cached_view
def index():
    lang = i18n.choose_language()
    counts = class_counts()
    declared = terms(lang)["Class"]
    rows = []
    for iri in sorted(set(declared) | set(counts)):
        name = class_name(iri)
        if name is None:
            continue
        label = declared[iri]["label"] if iri in declared else None
        rows.append({"iri": iri, "name": name, "label": label or curie(iri), "count": counts.get(iri, 0),
                     "declared": iri in declared, "href": url_for("browse.listing", name=name)})
    if _wants_json():
        return jsonify({"classes": [{k: r[k] for k in ("iri", "name", "label", "count", "href")} for r in rows]})
    response = render_template("browse_index.html", rows=rows, lang=lang)
    return i18n.remember_language(_html(response, url_for("browse.index") + "?format=json"))


@bp.route("/browse/<name>")
@cached_view
def listing(name):
    as_json = name.endswith(".json") or _wants_json()
    name = name.removesuffix(".json")
    lang = i18n.choose_language()
    iri = class_iri(name)
    declared = terms(lang)["Class"]
    total_all = class_counts().get(iri, 0)
    if iri not in declared and total_all == 0:
        raise ApiError(404, "No such class", f"nothing in the dataset is a {curie(iri)}; see /browse/")
    page = _int_arg("page", 1)
    within = request.args.get("within")
    where = f"?x a {ref(iri)} ."
    if within:
        if not re.fullmatch(r"\d{6}", within):
            raise ApiError(400, "Invalid parameter", f"within must be a six-digit division code such as "
                           f"141100, not {within!r}")
        where += f" ?x xc:partOf {ref(f'{base()}id/division/{within}')} ."
    total = int(select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")[0]["n"].value) if total_all else 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page > pages:
        raise ApiError(404, "No such page", f"page {page} is past the last page ({pages})")
    rows = select(f"""SELECT DISTINCT ?x (xcf:label(?x, "zh") AS ?zh) (xcf:label(?x, "en") AS ?en)
        WHERE {{ {where} }} ORDER BY ?x LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}""")
    items = [{"iri": r["x"].value, "href": path_for_iri(r["x"].value),
              "label": {"zh": r["zh"].value if "zh" in r else None, "en": r["en"].value if "en" in r else None}}
             for r in rows]
    label = declared[iri]["label"] if iri in declared else curie(iri)

    def link(p):
        args = {"page": p, **({"within": within} if within else {})}
        return url_for("browse.listing", name=name, **args)

    result = {"class": iri, "name": name, "label": label, "total": total, "page": page, "pages": pages,
              "page_size": PAGE_SIZE, "within": within, "items": items,
              "previous": link(page - 1) if page > 1 else None,
              "next": link(page + 1) if page < pages else None}
    if as_json:
        return jsonify(result)
    json_href = url_for("browse.listing", name=name + ".json", page=page,
                        **({"within": within} if within else {}))
    html = render_template("browse.html", r=result, lang=lang, definition=declared.get(iri, {}).get("definition"),
                           class_href=path_for_iri(iri),
                           within_choices=within_choices(lang) if _has_parts(iri) else [])
    return i18n.remember_language(_html(html, json_href))


def _has_parts(iri: str) -> bool:
    return memo("has-parts", lambda: bool(select(
        f"SELECT ?x WHERE {{ ?x a {ref(iri)} ; xc:partOf ?w }} LIMIT 1")), iri)


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ApiError(400, "Invalid parameter", f"{name} must be a whole number from 1, not {value!r}")
    return int(value)


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return request.args.get("format") == "json" or (
        accept.best_match(["text/html", "application/json"]) == "application/json"
        and accept["application/json"] > accept["text/html"])


def _html(body: str, json_href: str):
    from flask import make_response

    response = make_response(body)
    response.headers["Link"] = f'<{json_href}>; rel="alternate"; type="application/json"'
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    response.headers["X-Data-Version"] = service().version
    return response


@bp.app_template_global("browse_href")
def browse_href(iri: str) -> str:
    """The browse page of a class (its own page if it cannot be named in a path)."""
    name = class_name(iri)
    return url_for("browse.listing", name=name) if name else (path_for_iri(iri) or iri)
