"""Tables of designations: sponge-city pilots, rural e-towns, the 2017 county classification and
the poverty-county exits.  Each table is one named graph."""

from __future__ import annotations

from types import SimpleNamespace

from rdflib import Graph
from rdflib.namespace import RDF

from ..namespaces import XC
from ..readers import Record, read_csv
from .common import add_designation


def _table(name, files, title, columns, key, read_extra, build_rows):
    """A builder module made from a CSV table whose rows are designations."""

    def read(ctx):
        rows = read_csv(ctx.sources_dir / files[0], columns, key=key)
        for row in rows:
            read_extra(ctx, row)
        return rows

    def build(ctx, rows) -> Graph:
        g = Graph()
        for row in rows:
            build_rows(ctx, g, row)
        return g

    return SimpleNamespace(NAME=name, FILES=files, TITLE=title, read=read, build=build)


def _register_designation(prefix):
    def read_extra(ctx, row: Record):
        key = f"{prefix}{row.required('id')}" if prefix else row.required("id")
        ctx.register("designation", row["id"], ctx.mint_id("designation", key, row), row)
    return read_extra


def _sponge_row(ctx, g, row):
    add_designation(
        ctx, g, ctx.ref("designation", row["id"], row), row,
        designee=ctx.division(row.required("designee_code"), row),
        programme=ctx.ref("programme", row.required("programme"), row),
        sources=row.list("sources"), batch=row.optional("batch"),
        batch_note=row.optional("batch_note"), year=row.optional("year"),
        reported_on=row.optional("reported_on"), funding_note=row.optional("funding_note"),
        note=row.optional("note"))


sponge = _table(
    "sponge-city", ["sponge_city.csv"],
    {"zh": "海绵城市建设示范", "en": "Sponge-city demonstrations"},
    ["id", "designee_code", "programme", "batch", "batch_note", "year", "reported_on",
     "funding_note", "sources", "note"], "id", _register_designation(None), _sponge_row)


def _e_town_read(ctx, row):
    ctx.register("rural e-town", row.required("id"), ctx.mint_id("rural-e-town", row["id"], row), row,
                 {"zh": row.required("name_zh"), "en": row.required("name_en")})


def _e_town_row(ctx, g, row):
    town = ctx.ref("rural e-town", row["id"], row)
    g.add((town, RDF.type, XC.RuralETown))
    ctx.labels(g, town, row, ctx.names[town])
    g.add((town, XC.locatedIn, ctx.division(row.required("county_code"), row)))
    ctx.note(g, town, row)
    sources = row.list("sources")
    ctx.evidence(g, town, row, sources)
    add_designation(
        ctx, g, ctx.mint_id("designation", "rural-e-town-" + row["id"], row), row, designee=town,
        programme=ctx.ref("programme", "rural-e-towns", row), sources=sources,
        status="proposed-for-support", year=row.optional("year"),
        funding_note=row.optional("funding_note"))


e_towns = _table(
    "rural-e-towns", ["rural_e_towns.csv"],
    {"zh": "乡村e镇(2022年拟支持名单中点名的11个)", "en": "Rural e-towns (the 11 named of the 100 proposed in 2022)"},
    ["id", "name_zh", "name_en", "county_code", "year", "funding_note", "sources", "note"], "id",
    _e_town_read, _e_town_row)


def _classification_row(ctx, g, row):
    code = row.required("code_in_source")
    designee = ctx.division(code, row, former_ok=True)
    current = ctx.division(row.required("current_code"), row)
    if code != row["current_code"] and current not in _successors(ctx, designee):
        raise row.error(f"{code} was not replaced by {row['current_code']} in division_changes.csv")
    add_designation(
        ctx, g, ctx.mint_id("designation", f"county-class-2017-{code}", row), row, designee=designee,
        programme=ctx.ref("programme", "regional-transformation-assessment", row),
        sources=row.list("sources"), status="classified", year="2017",
        category=ctx.ref("category", row.required("class"), row),
        document=ctx.ref("document", "regional-transformation-assessment-measures", row),
        note=row.optional("note"))


def _successors(ctx, former):
    return ctx.facts.setdefault("successors", {}).get(former, set())


classification = _table(
    "county-classification-2017", ["county_classification_2017.csv"],
    {"zh": "2017年山西县域分类(第一、二类)", "en": "Shanxi county classification 2017 (classes I and II)"},
    ["name_in_source", "code_in_source", "current_code", "class", "sources", "note"],
    "code_in_source", lambda ctx, row: None, _classification_row)


def _poverty_row(ctx, g, row):
    add_designation(
        ctx, g, ctx.ref("designation", row["id"], row), row,
        designee=ctx.division(row.required("code"), row),
        programme=ctx.ref("programme", "poverty-county-exit", row), sources=row.list("sources"),
        status=row.required("status"), date=row.required("date"),
        category=ctx.ref("category", row.required("category"), row),
        decided_by=ctx.ref("organisation", row.required("decided_by"), row),
        note=row.optional("note"))


poverty = _table(
    "poverty-exits", ["poverty_exits.csv"],
    {"zh": "贫困县退出(2018—2019年)", "en": "Poverty-county exits (2018–2019)"},
    ["id", "name_in_source", "code", "category", "status", "date", "decided_by", "sources", "note"],
    "id", _register_designation("poverty-"), _poverty_row)
