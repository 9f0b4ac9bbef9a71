"""Programmes, strategies, policy documents, events and event series (programmes.yaml)."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, XSD

from ..namespaces import EVENT_TYPE, PROGRAMME_TYPE, XC
from ..readers import date_literal, positive_integer, read_yaml

NAME = "programmes"
FILES = ["programmes.yaml"]
TITLE = {"zh": "项目、政策文件与活动", "en": "Programmes, policy documents and events"}

CLASSES = {"programme": XC.Programme, "strategy": XC.Strategy}
PROGRAMME_TYPES = {"strategy", "campaign", "engineering-project", "reform", "demonstration",
                   "designation-scheme", "training-campaign", "initiative", "assessment"}
EVENT_TYPES = {"press-conference", "plenary-session", "workshop", "work-conference"}


def read(ctx):
    data = read_yaml(ctx.sources_dir / "programmes.yaml")
    for kind, section in (("programme", "programmes"), ("document", "documents"),
                          ("event", "events"), ("event series", "event_series")):
        for entry in data.get(section) or []:
            key = entry.required("id")
            slug = kind.replace(" ", "-")
            ctx.register(kind, key, ctx.mint_id(slug, key, entry), entry)
    return data


def _date(entry, key):
    try:
        return date_literal(entry.required(key))
    except ValueError as e:
        raise entry.error(str(e)) from None


def build(ctx, data) -> Graph:
    g = Graph()
    for p in data.get("programmes") or []:
        s = ctx.ref("programme", p["id"], p)
        cls = p.required("class")
        if cls not in CLASSES:
            raise p.error(f"unknown class '{cls}' (expected programme or strategy)")
        g.add((s, RDF.type, CLASSES[cls]))
        ptype = p.required("type")
        if ptype not in PROGRAMME_TYPES:
            raise p.error(f"unknown programme type '{ptype}'")
        g.add((s, XC.programmeType, PROGRAMME_TYPE[ptype]))
        ctx.labels(g, s, p)
        if p.optional("scope"):
            g.add((s, XC.spatialScope, ctx.division(p["scope"], p)))
        for target in p.list("serves"):
            g.add((s, XC.serves, ctx.ref("programme", target, p)))
        if p.optional("component_of"):
            g.add((s, XC.componentOf, ctx.ref("programme", p["component_of"], p)))
        for org in p.list("led_by"):
            g.add((s, XC.ledBy, ctx.ref("organisation", org, p)))
        for doc in p.list("based_on"):
            g.add((s, XC.basedOn, ctx.ref("document", doc, p)))
        for industry in p.list("industries"):
            g.add((s, XC.industry, ctx.ref("industry", industry, p)))
        if p.optional("period"):
            g.add((s, XC.coversPeriod, ctx.period(p["period"], p)))
        ctx.note(g, s, p)
        ctx.evidence_list(g, s, p)

    for d in data.get("documents") or []:
        s = ctx.ref("document", d["id"], d)
        g.add((s, RDF.type, XC.PolicyDocument))
        ctx.labels(g, s, d)
        g.add((s, DCTERMS.title, Literal(d.required("title"), lang="zh")))
        if d.optional("number"):
            g.add((s, XC.documentNumber, Literal(d["number"])))
        if d.optional("issued"):
            g.add((s, DCTERMS.issued, _date(d, "issued")))
        if d.optional("issued_by"):
            g.add((s, XC.issuedBy, ctx.ref("organisation", d["issued_by"], d)))
        if d.optional("scope"):
            g.add((s, XC.spatialScope, ctx.division(d["scope"], d)))
        if d.optional("covers"):
            g.add((s, XC.coversPeriod, ctx.period(d["covers"], d)))
        ctx.note(g, s, d)
        ctx.evidence_list(g, s, d)

    for series in data.get("event_series") or []:
        s = ctx.ref("event series", series["id"], series)
        g.add((s, RDF.type, XC.EventSeries))
        ctx.labels(g, s, series)
        ctx.evidence_list(g, s, series)

    for e in data.get("events") or []:
        s = ctx.ref("event", e["id"], e)
        g.add((s, RDF.type, XC.Event))
        etype = e.required("type")
        if etype not in EVENT_TYPES:
            raise e.error(f"unknown event type '{etype}'")
        g.add((s, XC.eventType, EVENT_TYPE[etype]))
        ctx.labels(g, s, e)
        g.add((s, XC.eventDate, _date(e, "date")))
        if e.optional("series"):
            g.add((s, XC.inSeries, ctx.ref("event series", e["series"], e)))
        if e.get("number") is not None:
            try:
                number = positive_integer(e["number"])
            except ValueError as err:
                raise e.error(str(err)) from None
            g.add((s, XC.seriesNumber, Literal(number, datatype=XSD.integer)))
        if e.optional("organizer"):
            g.add((s, XC.organizer, ctx.ref("organisation", e["organizer"], e)))
        for org in e.list("participants"):
            g.add((s, XC.participant, ctx.ref("organisation", org, e)))
        for topic in e.list("topics"):
            g.add((s, XC.topic, ctx.ref("programme", topic, e)))
        ctx.note(g, s, e)
        ctx.evidence_list(g, s, e)
    return g
