"""The two n-ary statements several source files make: designations and observations."""

from __future__ import annotations

import re
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import QB, RDF, RDFS, SKOS, XSD

from ..namespaces import DESIGNATION_STATUS, OBSERVATION_STATUS, XC
from ..readers import Record, date_literal, decimal_literal, positive_integer

DESIGNATION_STATUSES = {"designated", "proposed-for-support", "exit-proposed", "exit-approved",
                        "classified"}
OBSERVATION_STATUSES = {"achieved", "target", "planned", "not-stated"}


def name(ctx, iri: URIRef, lang: str) -> str:
    return ctx.names[iri][lang]


def _checked(record: Record, parse, value):
    try:
        return parse(value)
    except ValueError as e:
        raise record.error(str(e)) from None


def add_designation(ctx, g: Graph, iri: URIRef, record: Record, *, designee: URIRef,
                    programme: URIRef, sources: list[str], status: str = "designated",
                    batch=None, batch_note=None, year=None, date=None, reported_on=None,
                    category: URIRef | None = None, decided_by: URIRef | None = None,
                    document: URIRef | None = None, event: URIRef | None = None,
                    funding_note=None, quote=None, note=None) -> None:
    g.add((iri, RDF.type, XC.Designation))
    g.add((iri, XC.designee, designee))
    g.add((iri, XC.designatedUnder, programme))
    if status not in DESIGNATION_STATUSES:
        raise record.error(f"unknown status '{status}' (expected one of {sorted(DESIGNATION_STATUSES)})")
    g.add((iri, XC.designationStatus, DESIGNATION_STATUS[status]))
    suffix_zh = suffix_en = ""
    if batch not in (None, ""):
        number = _checked(record, positive_integer, batch)
        g.add((iri, XC.batch, Literal(number, datatype=XSD.integer)))
        suffix_zh, suffix_en = f"(第{number}批)", f" (batch {number})"
    if batch_note:
        g.add((iri, XC.batchNote, Literal(batch_note, lang="en")))
    if year not in (None, ""):
        lit = _checked(record, date_literal, year)
        if lit.datatype != XSD.gYear:
            raise record.error(f"year '{year}' must be a year (YYYY)")
        g.add((iri, XC.designationYear, lit))
    if date not in (None, ""):
        lit = _checked(record, date_literal, date)
        if lit.datatype == XSD.gYear:
            raise record.error(f"date '{date}' must be YYYY-MM or YYYY-MM-DD (use the year column)")
        g.add((iri, XC.designationDate, lit))
    if reported_on not in (None, ""):
        lit = _checked(record, date_literal, reported_on)
        if lit.datatype != XSD.date:
            raise record.error(f"reported_on '{reported_on}' must be YYYY-MM-DD")
        g.add((iri, XC.reportedOn, lit))
    for predicate, value in ((XC.category, category), (XC.decidedBy, decided_by),
                             (XC.decisionDocument, document), (XC.announcedAt, event)):
        if value is not None:
            g.add((iri, predicate, value))
    if funding_note:
        g.add((iri, XC.fundingNote, Literal(funding_note)))
    if note:
        g.add((iri, SKOS.note, Literal(note, lang="en")))
    g.add((iri, RDFS.label, Literal(f"{name(ctx, designee, 'zh')} — {name(ctx, programme, 'zh')}{suffix_zh}", lang="zh")))
    g.add((iri, RDFS.label, Literal(f"{name(ctx, designee, 'en')} — {name(ctx, programme, 'en')}{suffix_en}", lang="en")))
    ctx.evidence(g, iri, record, sources, quote)


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?")
_CHINESE_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                     "九": 9, "十": 10}
_MULTIPLIERS = {None: 1, "万": 10_000, "亿": 100_000_000}


def stated_number(text: str) -> Decimal | None:
    """The number a figure as written means (``12.1万公里`` → 121000), or None if it has none."""
    m = _NUMBER.search(text)
    if m:
        return Decimal(m[1]) * _MULTIPLIERS[m[2]]
    if text and text[0] in _CHINESE_NUMERALS:
        return Decimal(_CHINESE_NUMERALS[text[0]])
    return None


def add_observation(ctx, g: Graph, iri: URIRef, record: Record, *, sources: list[str],
                    quote: str | None = None) -> None:
    """An observation from a record with indicator, area, period, value, as_stated, status, note."""
    indicator = ctx.ref("indicator", record.required("indicator"), record)
    area = ctx.area(record.required("area"), record)
    period = ctx.period(record.required("period"), record)
    value = _checked(record, decimal_literal, record.required("value"))
    as_stated = record.required("as_stated")
    if quote and as_stated not in quote:
        raise record.error(f"as_stated '{as_stated}' does not appear in the quote")
    stated = stated_number(as_stated)
    if stated is None and not record.optional("note"):
        raise record.error(f"as_stated '{as_stated}' has no number; add a note saying how it was read")
    if stated is not None and stated != value.toPython():
        raise record.error(f"value {value} does not match as_stated '{as_stated}' (= {stated})")
    g.add((iri, RDF.type, QB.Observation))
    g.add((iri, QB.dataSet, XC.figures))
    g.add((iri, XC.indicator, indicator))
    g.add((iri, XC.refArea, area))
    g.add((iri, XC.refPeriod, period))
    g.add((iri, XC.obsValue, value))
    g.add((iri, XC.unitOfMeasure, ctx.indicator_units[indicator]))
    g.add((iri, XC.valueAsStated, Literal(as_stated, lang="zh")))
    status = record.optional("status")
    if status:
        if status not in OBSERVATION_STATUSES:
            raise record.error(f"unknown status '{status}' (expected one of {sorted(OBSERVATION_STATUSES)})")
        g.add((iri, XC.observationStatus, OBSERVATION_STATUS[status]))
    ctx.note(g, iri, record)
    p = ctx.periods[str(period).rsplit("/", 1)[1]]
    g.add((iri, RDFS.label, Literal(
        f"{name(ctx, indicator, 'zh')}:{name(ctx, area, 'zh')},{p.label_zh}", lang="zh")))
    g.add((iri, RDFS.label, Literal(
        f"{name(ctx, indicator, 'en')}: {name(ctx, area, 'en')}, {p.label_en}", lang="en")))
    ctx.evidence(g, iri, record, sources, quote)
