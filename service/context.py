"""The parts of a page that depend on what the resource is: a division's map point and what
concerns it (towns, programmes, figures), and an indicator's observations with their chart.
Each fact keeps its quotation."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from decimal import Decimal, InvalidOperation

from .charts import bar_chart, dot_map, number
from .describe import graph_iri
from .reader import memo, path_for_iri, ref, select

OBSERVATION_LIMIT = 1000


def _v(row, name):
    term = row.get(name)
    return term.value if term is not None else None


def evidence_of_related(iri: str, lang: str) -> dict[str, list[dict]]:
    """Evidence of the n-ary things about ``iri``: designations of it, observations of or in it."""
    s = ref(iri)
    rows = select(f"""SELECT ?x ?src (xcf:label(?src) AS ?sl) ?quote ?note ?page WHERE {{
        {{ ?x xc:designee {s} }} UNION {{ ?x xc:refArea {s} }} UNION {{ ?x xc:indicator {s} }}
        ?x xc:evidence ?e . ?e dcterms:source ?src .
        OPTIONAL {{ ?e xc:quote ?quote }} OPTIONAL {{ ?e xc:sourceNote ?note }}
        OPTIONAL {{ ?src foaf:page ?page }} }}""", lang=lang)
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["x"].value].append(_evidence(r))
    return out


def _evidence(r) -> dict:
    return {"source": r["src"].value, "href": path_for_iri(r["src"].value), "label": _v(r, "sl"),
            "quote": _v(r, "quote"), "quote_lang": r["quote"].lang if "quote" in r else None,
            "note": _v(r, "note"), "page": _v(r, "page")}


def division_points() -> list[tuple[str, float, float]]:
    def compute():
        rows = select("""SELECT ?d ?lat ?lon WHERE { ?d a xc:AdministrativeDivision ;
            geo:hasCentroid ?c . ?c xc:latitude ?lat ; xc:longitude ?lon } ORDER BY ?d""")
        return [(r["d"].value, float(r["lat"].value), float(r["lon"].value)) for r in rows]
    return memo("division-points", compute)


def division(iri: str, lang: str, title: str) -> dict:
    """Map, towns, designations (with their evidence) and figures for a division page: one query
    for all but the figures."""
    s = ref(iri)
    rows = select(f"""SELECT ?kind ?x (xcf:label(?x) AS ?xl) ?lat ?lon ?t (xcf:label(?t) AS ?tl)
            ?y (xcf:label(?y) AS ?yl) ?year ?batch (xcf:label(?status) AS ?stl) (xcf:label(?cat) AS ?catl)
            ?src (xcf:label(?src) AS ?sl) ?quote ?note ?page WHERE {{
        {{ {s} geo:hasCentroid ?g BIND("centroid" AS ?kind) ?g xc:latitude ?lat ; xc:longitude ?lon }}
        UNION {{ {s} xc:seatGeometry ?g BIND("seat" AS ?kind) ?g xc:latitude ?lat ; xc:longitude ?lon }}
        UNION {{ ?x xc:partOf {s} ; a xc:AdministrativeDivision BIND("part" AS ?kind) }}
        UNION {{ ?x xc:partOf {s} ; xc:locatedIn ?y BIND("town" AS ?kind)
                 GRAPH ?tg {{ ?x a ?t }} FILTER(?tg != <{graph_iri("inferred")}>) }}
        UNION {{ ?x xc:designee {s} ; xc:designatedUnder ?y BIND("designation" AS ?kind)
                 OPTIONAL {{ ?x xc:designationYear ?year }} OPTIONAL {{ ?x xc:batch ?batch }}
                 OPTIONAL {{ ?x xc:designationStatus ?status }} OPTIONAL {{ ?x xc:category ?cat }} }}
        UNION {{ {{ ?x xc:designee {s} }} UNION {{ ?x xc:refArea {s} }}
                 ?x xc:evidence ?e . ?e dcterms:source ?src . BIND("evidence" AS ?kind)
                 OPTIONAL {{ ?e xc:quote ?quote }} OPTIONAL {{ ?e xc:sourceNote ?note }}
                 OPTIONAL {{ ?src foaf:page ?page }} }}
        }} ORDER BY ?kind ?year ?x""", lang=lang)
    here, parts, towns, designations = {}, set(), OrderedDict(), OrderedDict()
    evidence: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        kind = r["kind"].value
        if kind in ("centroid", "seat"):
            here[kind] = (float(r["lat"].value), float(r["lon"].value))
        elif kind == "part":
            parts.add(r["x"].value)
        elif kind == "town":
            towns.setdefault(r["x"].value, {"iri": r["x"].value, "href": path_for_iri(r["x"].value),
                                            "label": _v(r, "xl"), "type": _v(r, "tl"), "county": _v(r, "yl"),
                                            "county_href": path_for_iri(r["y"].value)})
        elif kind == "designation":
            designations.setdefault(r["x"].value, {
                "iri": r["x"].value, "href": path_for_iri(r["x"].value), "programme": _v(r, "yl"),
                "programme_href": path_for_iri(r["y"].value), "year": _v(r, "year"), "batch": _v(r, "batch"),
                "status": _v(r, "stl"), "category": _v(r, "catl"), "evidence": evidence[r["x"].value]})
        else:
            evidence[r["x"].value].append(_evidence(r))
    points = division_points()
    centre = here.get("centroid") or here.get("seat")
    if centre and not any(p[0] == iri for p in points):
        points = points + [(iri, *centre)]
    return {
        "map": dot_map(points, iri, parts, title=title) if centre else None,
        "coordinates": here,
        "towns": list(towns.values()),
        "designations": list(designations.values()),
        "figures": observations(iri, lang, "refArea", evidence)["rows"],
    }


def observations(iri: str, lang: str, by: str, evidence: dict | None = None) -> dict:
    """Observations whose ``by`` (indicator or refArea) is ``iri``, as table rows and charts."""
    s = ref(iri)
    rows = select(f"""SELECT ?obs ?ind (xcf:label(?ind) AS ?il) ?area (xcf:label(?area) AS ?al)
            ?period (xcf:label(?period) AS ?pl) ?start ?end ?value ?stated ?unit (xcf:label(?unit) AS ?ul)
            ?symbol (xcf:label(?status) AS ?stl) WHERE {{
        ?obs xc:{by} {s} ; xc:indicator ?ind ; xc:refArea ?area ; xc:refPeriod ?period ; xc:obsValue ?value .
        OPTIONAL {{ ?period xc:startDate ?start }} OPTIONAL {{ ?period xc:endDate ?end }}
        OPTIONAL {{ ?obs xc:valueAsStated ?stated }} OPTIONAL {{ ?obs xc:observationStatus ?status }}
        OPTIONAL {{ ?obs xc:unitOfMeasure ?unit OPTIONAL {{ ?unit xc:symbol ?symbol }} }}
        }} ORDER BY ?ind ?end ?start ?area LIMIT {OBSERVATION_LIMIT}""", lang=lang)
    evidence = evidence if evidence is not None else evidence_of_related(iri, lang)
    table = []
    for r in rows:
        table.append({
            "iri": r["obs"].value, "href": path_for_iri(r["obs"].value),
            "indicator": _v(r, "il"), "indicator_href": path_for_iri(r["ind"].value),
            "area": _v(r, "al"), "area_href": path_for_iri(r["area"].value), "area_iri": r["area"].value,
            "period": _v(r, "pl"), "period_href": path_for_iri(r["period"].value),
            "period_iri": r["period"].value,
            "value": r["value"].value, "display": number(r["value"].value),
            "stated": _v(r, "stated"), "unit": _v(r, "ul"), "symbol": _v(r, "symbol"),
            "status": _v(r, "stl"), "evidence": evidence.get(r["obs"].value, []),
        })
    return {"rows": table, "charts": charts(table) if by == "indicator" else [],
            "truncated": len(rows) >= OBSERVATION_LIMIT}


def charts(table: list[dict]) -> list[dict]:
    """One bar chart per unit and per value of the dimension that does not vary along the bars:
    by area when the areas outnumber the periods, else by period (in order of time)."""
    areas = {row["area_iri"] for row in table}
    periods = {row["period_iri"] for row in table}
    along, across = ("area", "period") if len(areas) >= len(periods) else ("period", "area")
    groups: OrderedDict[tuple, list[dict]] = OrderedDict()
    for row in table:
        groups.setdefault((row["unit"], row[across]), []).append(row)
    out = []
    for (unit, fixed), rows in groups.items():
        bars = []
        for row in rows:
            try:
                value = float(Decimal(row["value"]))
            except InvalidOperation:
                continue
            bars.append((row[along] or "", value, row["display"]))
        if along == "area":
            bars.sort(key=lambda b: -b[1])
        unit_text = rows[0]["symbol"] or unit or ""
        out.append({"along": along, "fixed": fixed, "unit": unit, "count": len(bars),
                    "svg": bar_chart(bars[:60], unit_text, title=f"{fixed or ''} ({unit or ''})")})
    return out
