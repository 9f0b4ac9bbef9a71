"""The parts of a page that depend on what the resource is: the breadcrumb of the division
hierarchy, a division's map point and what concerns it (towns, programmes, figures), and an
indicator's observations with their chart. Each fact keeps its quotation."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from decimal import Decimal, InvalidOperation

from .charts import bar_chart, dot_map, number
from .describe import graph_iri
from .reader import memo, path_for_iri, select

OBSERVATION_LIMIT = 1000


def _v(row, name):
    term = row.get(name)
    return term.value if term is not None else None


def breadcrumb(iri: str, lang: str) -> list[dict]:
    """The divisions ``iri`` is part of, outermost first (province → prefecture → county)."""
    rows = select("""SELECT ?s ?a (SAMPLE(?al) AS ?label) (COUNT(DISTINCT ?up) AS ?depth) WHERE {
        ?s xc:partOf ?a . BIND(xcf:label(?a) AS ?al) OPTIONAL { ?a xc:partOf ?up } }
        GROUP BY ?s ?a ORDER BY ?depth""", {"s": iri}, lang)
    return [{"iri": r["a"].value, "href": path_for_iri(r["a"].value), "label": _v(r, "label")}
            for r in rows]


def evidence_of_related(iri: str, lang: str) -> dict[str, list[dict]]:
    """Evidence of the n-ary things about ``iri``: designations of it, observations of or in it."""
    rows = select("""SELECT ?s ?x ?src (xcf:label(?src) AS ?sl) ?quote ?note ?page WHERE {
        { ?x xc:designee ?s } UNION { ?x xc:refArea ?s } UNION { ?x xc:indicator ?s }
        ?x xc:evidence ?e . ?e dcterms:source ?src .
        OPTIONAL { ?e xc:quote ?quote } OPTIONAL { ?e xc:sourceNote ?note }
        OPTIONAL { ?src foaf:page ?page } }""", {"s": iri}, lang)
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["x"].value].append({"source": r["src"].value, "href": path_for_iri(r["src"].value),
                                  "label": _v(r, "sl"), "quote": _v(r, "quote"),
                                  "note": _v(r, "note"), "page": _v(r, "page")})
    return out


def division_points() -> list[tuple[str, float, float]]:
    def compute():
        rows = select("""SELECT ?d ?lat ?lon WHERE { ?d a xc:AdministrativeDivision ;
            geo:hasCentroid ?c . ?c xc:latitude ?lat ; xc:longitude ?lon } ORDER BY ?d""")
        return [(r["d"].value, float(r["lat"].value), float(r["lon"].value)) for r in rows]
    return memo("division-points", compute)


def division(iri: str, lang: str, title: str) -> dict:
    """Map, towns, designations and figures for a division page."""
    points = division_points()
    parts = {r["x"].value for r in select(
        "SELECT ?s ?x WHERE { ?x xc:partOf ?s . ?x a xc:AdministrativeDivision }", {"s": iri})}
    coordinates = select("""SELECT ?s ?kind ?lat ?lon WHERE {
        { ?s geo:hasCentroid ?g BIND("centroid" AS ?kind) } UNION { ?s xc:seatGeometry ?g BIND("seat" AS ?kind) }
        ?g xc:latitude ?lat ; xc:longitude ?lon }""", {"s": iri})
    towns = select(f"""SELECT ?s ?t (xcf:label(?t) AS ?tl) (xcf:label(?tt) AS ?ttl) ?county
            (xcf:label(?county) AS ?cl) WHERE {{
        ?t xc:partOf ?s ; xc:locatedIn ?county .
        GRAPH ?tg {{ ?t a ?tt }} FILTER(?tg != <{graph_iri("inferred")}>)
        }} ORDER BY ?t""", {"s": iri}, lang)
    designations = select("""SELECT ?s ?d (xcf:label(?prog) AS ?pl) ?prog ?year ?batch
            (xcf:label(?status) AS ?stl) (xcf:label(?cat) AS ?catl) WHERE {
        ?d xc:designee ?s ; xc:designatedUnder ?prog .
        OPTIONAL { ?d xc:designationYear ?year } OPTIONAL { ?d xc:batch ?batch }
        OPTIONAL { ?d xc:designationStatus ?status } OPTIONAL { ?d xc:category ?cat }
        } ORDER BY ?year ?d""", {"s": iri}, lang)
    evidence = evidence_of_related(iri, lang)
    here = {r["kind"].value: (float(r["lat"].value), float(r["lon"].value)) for r in coordinates}
    centre = here.get("centroid") or here.get("seat")
    if centre and not any(p[0] == iri for p in points):
        points = points + [(iri, *centre)]
    seen_towns = OrderedDict()
    for r in towns:
        seen_towns.setdefault(r["t"].value, {"iri": r["t"].value, "href": path_for_iri(r["t"].value),
                                             "label": _v(r, "tl"), "type": _v(r, "ttl"),
                                             "county": _v(r, "cl"),
                                             "county_href": path_for_iri(r["county"].value)})
    return {
        "map": dot_map(points, iri, parts, title=title) if centre else None,
        "coordinates": here,
        "towns": list(seen_towns.values()),
        "designations": [{"iri": r["d"].value, "href": path_for_iri(r["d"].value),
                          "programme": _v(r, "pl"), "programme_href": path_for_iri(r["prog"].value),
                          "year": _v(r, "year"), "batch": _v(r, "batch"), "status": _v(r, "stl"),
                          "category": _v(r, "catl"), "evidence": evidence.get(r["d"].value, [])}
                         for r in designations],
        "figures": observations(iri, lang, "refArea", evidence)["rows"],
    }


def observations(iri: str, lang: str, by: str, evidence: dict | None = None) -> dict:
    """Observations whose ``by`` (indicator or refArea) is ``iri``, as table rows and charts."""
    rows = select(f"""SELECT ?s ?obs ?ind (xcf:label(?ind) AS ?il) ?area (xcf:label(?area) AS ?al)
            ?period (xcf:label(?period) AS ?pl) ?start ?end ?value ?stated ?unit (xcf:label(?unit) AS ?ul)
            ?symbol (xcf:label(?status) AS ?stl) WHERE {{
        ?obs xc:{by} ?s ; xc:indicator ?ind ; xc:refArea ?area ; xc:refPeriod ?period ; xc:obsValue ?value .
        OPTIONAL {{ ?period xc:startDate ?start }} OPTIONAL {{ ?period xc:endDate ?end }}
        OPTIONAL {{ ?obs xc:valueAsStated ?stated }} OPTIONAL {{ ?obs xc:observationStatus ?status }}
        OPTIONAL {{ ?obs xc:unitOfMeasure ?unit OPTIONAL {{ ?unit xc:symbol ?symbol }} }}
        }} ORDER BY ?ind ?end ?start ?area LIMIT {OBSERVATION_LIMIT}""", {"s": iri}, lang)
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
