"""Specialty towns (specialty_towns.csv): each town, placed in its county, and its designation."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from ..namespaces import TOWN_LEVEL, XC
from ..readers import read_csv
from .common import add_designation

NAME = "specialty-towns"
FILES = ["specialty_towns.csv"]
TITLE = {"zh": "山西特色专业镇", "en": "Specialty towns of Shanxi"}
COLUMNS = ["id", "name_zh", "name_en", "industry", "county_code", "level", "batch", "batch_note",
           "year", "date", "reported_on", "event", "document", "sources", "quote", "note"]
LEVELS = {"provincial": ("provincial-key", "provincial-key-specialty-towns"),
          "municipal": ("municipal", "municipal-specialty-towns")}
COUNTY_LEVELS = {"county", "county_city", "district"}


def read(ctx):
    rows = read_csv(ctx.sources_dir / "specialty_towns.csv", COLUMNS, key="id")
    for row in rows:
        key = row["id"]
        ctx.register("specialty town", key, ctx.mint_id("specialty-town", key, row), row,
                     {"zh": row.required("name_zh"), "en": row.required("name_en")})
    return rows


def build(ctx, rows) -> Graph:
    g = Graph()
    levels = ctx.facts["division levels"]
    for row in rows:
        town = ctx.ref("specialty town", row["id"], row)
        level = row.required("level")
        if level not in LEVELS:
            raise row.error(f"unknown level '{level}' (expected provincial or municipal)")
        county_code = row.required("county_code")
        county = ctx.division(county_code, row)
        if levels[county_code] not in COUNTY_LEVELS:
            raise row.error(f"{county_code} is not a county-level division")
        g.add((town, RDF.type, XC.SpecialtyTown))
        g.add((town, XC.locatedIn, county))
        g.add((town, XC.industry, ctx.ref("industry", row.required("industry"), row)))
        g.add((town, XC.specialtyTownLevel, TOWN_LEVEL[LEVELS[level][0]]))
        ctx.labels(g, town, row, ctx.names[town])
        short = row["name_zh"].removesuffix("专业镇")
        if short != row["name_zh"]:
            g.add((town, SKOS.altLabel, Literal(short, lang="zh")))
        ctx.note(g, town, row)
        sources = row.list("sources")
        ctx.evidence(g, town, row, sources, row.optional("quote"))

        designation = ctx.mint_id("designation", "specialty-town-" + row["id"], row)
        add_designation(
            ctx, g, designation, row, designee=town,
            programme=ctx.ref("programme", LEVELS[level][1], row), sources=sources,
            batch=row.optional("batch"), batch_note=row.optional("batch_note"),
            year=row.optional("year"), date=row.optional("date"),
            reported_on=row.optional("reported_on"),
            event=ctx.ref("event", row["event"], row) if row.optional("event") else None,
            document=ctx.ref("document", row["document"], row) if row.optional("document") else None,
            quote=row.optional("quote"))
    return g

