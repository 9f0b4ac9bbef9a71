"""The reference vocabulary (reference.yaml): units, indicators, division groups, industries,
category schemes, and the reference periods that observations use."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from ..namespaces import XC
from ..readers import read_yaml

NAME = "reference"
FILES = ["reference.yaml"]
TITLE = {"zh": "参考词表:指标、单位、区划组、产业与时期", "en": "Reference vocabulary: indicators, units, groups, industries and periods"}

SCHEMES = {  # registry kind -> (scheme key, zh, en)
    "unit": ("units", "计量单位", "units of measure"),
    "indicator": ("indicators", "指标", "indicators"),
    "industry": ("industries", "产业", "industries"),
}


def read(ctx):
    data = read_yaml(ctx.sources_dir / "reference.yaml")
    for kind, section in (("unit", "units"), ("indicator", "indicators"), ("group", "groups"),
                          ("industry", "industries")):
        for entry in data.get(section) or []:
            key = entry.required("id")
            iri = ctx.register(kind, key, ctx.mint_id(kind, key, entry), entry)
            if kind == "indicator":
                ctx.indicator_units[iri] = ctx.ref("unit", entry.required("unit"), entry)
    for scheme in data.get("category_schemes") or []:
        ctx.register("category scheme", scheme.required("id"),
                     ctx.mint_id("concept-scheme", scheme["id"], scheme), scheme)
        for category in scheme.get("categories") or []:
            key = category.required("id")
            ctx.register("category", key, ctx.mint_id("category", key, category), category)
    return data


def _scheme(ctx, g, kind):
    key, zh, en = SCHEMES[kind]
    scheme = ctx.mint.id("concept-scheme", key)
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for text, lang in ((zh, "zh"), (en, "en")):
        g.add((scheme, SKOS.prefLabel, Literal(text, lang=lang)))
        g.add((scheme, RDFS.label, Literal(text, lang=lang)))
    return scheme


def _in_scheme(g, concept, scheme):
    g.add((concept, RDF.type, SKOS.Concept))
    g.add((concept, SKOS.inScheme, scheme))
    g.add((concept, SKOS.topConceptOf, scheme))
    g.add((scheme, SKOS.hasTopConcept, concept))


def _definition(g, subject, entry):
    for lang, text in (entry.get("definition") or {}).items():
        g.add((subject, SKOS.definition, Literal(text, lang=lang)))


def build(ctx, data) -> Graph:
    g = Graph()
    schemes = {kind: _scheme(ctx, g, kind) for kind in SCHEMES}

    for unit in data.get("units") or []:
        s = ctx.ref("unit", unit["id"], unit)
        g.add((s, RDF.type, XC.Unit))
        _in_scheme(g, s, schemes["unit"])
        ctx.labels(g, s, unit, concept=True)
        _definition(g, s, unit)
        if unit.optional("symbol"):
            g.add((s, XC.symbol, Literal(unit["symbol"])))

    for indicator in data.get("indicators") or []:
        s = ctx.ref("indicator", indicator["id"], indicator)
        g.add((s, RDF.type, XC.Indicator))
        _in_scheme(g, s, schemes["indicator"])
        ctx.labels(g, s, indicator, concept=True)
        g.add((s, XC.unitOfMeasure, ctx.ref("unit", indicator.required("unit"), indicator)))
        if indicator.optional("programme"):
            g.add((s, XC.relatedProgramme, ctx.ref("programme", indicator["programme"], indicator)))

    for industry in data.get("industries") or []:
        s = ctx.ref("industry", industry["id"], industry)
        _in_scheme(g, s, schemes["industry"])
        ctx.labels(g, s, industry, concept=True)

    for scheme_entry in data.get("category_schemes") or []:
        scheme = ctx.ref("category scheme", scheme_entry["id"], scheme_entry)
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        ctx.labels(g, scheme, scheme_entry, concept=True)
        _definition(g, scheme, scheme_entry)
        for category in scheme_entry.get("categories") or []:
            s = ctx.ref("category", category["id"], category)
            _in_scheme(g, s, scheme)
            ctx.labels(g, s, category, concept=True)

    levels = ctx.facts["division levels"]
    for group in data.get("groups") or []:
        s = ctx.ref("group", group["id"], group)
        g.add((s, RDF.type, XC.DivisionGroup))
        ctx.labels(g, s, group)
        _definition(g, s, group)
        g.add((s, XC.membershipRule, Literal(group.required("rule"), lang="en")))
        wanted = group.list("member_levels")
        if wanted:
            members = sorted(code for code, level in levels.items() if level in wanted)
            for code in members:
                g.add((s, XC.member, ctx.division(code, group)))
            stated = group.get("member_count")
            if stated is not None and int(stated) != len(members):
                raise group.error(f"the source counts {stated} members but the rule finds "
                                  f"{len(members)} in divisions.csv")
        if group.get("member_count") is not None:
            g.add((s, XC.memberCount, Literal(int(group["member_count"]), datatype=XSD.integer)))
    return g


def describe_periods(ctx, g: Graph) -> None:
    """Describe every reference period the builders used."""
    for slug, period in sorted(ctx.periods.items()):
        s = ctx.mint.id("period", slug)
        g.add((s, RDF.type, XC.Period))
        g.add((s, RDFS.label, Literal(period.label_zh, lang="zh")))
        g.add((s, RDFS.label, Literal(period.label_en, lang="en")))
        if period.start:
            g.add((s, XC.startDate, Literal(period.start.isoformat(), datatype=XSD.date)))
        g.add((s, XC.endDate, Literal(period.end.isoformat(), datatype=XSD.date)))
