"""What the founding article states (shanxi-daily-2023-10-10.yaml): the people and their roles,
designations, and every figure as an observation with the sentence it comes from."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import FOAF, ORG, RDF, RDFS, XSD

from ..namespaces import ROLE, XC
from ..readers import date_literal, read_yaml
from .common import add_designation, add_observation

SOURCE = "shanxi-daily-2023-10-10"
NAME = SOURCE
FILES = [f"{SOURCE}.yaml", f"{SOURCE}.txt"]
TITLE = {"zh": "山西日报 2023-10-10:推进以县城为重要载体的新型城镇化建设",
         "en": "Shanxi Daily, 10 Oct 2023: county-town-centred new urbanization"}
ROLES = {"deputy-director"}


def read(ctx):
    data = read_yaml(ctx.sources_dir / f"{SOURCE}.yaml")
    if data.get("source") != SOURCE:
        raise data.error(f"'source' must be {SOURCE}")
    for person in data.get("people") or []:
        ctx.register("person", person.required("id"), ctx.mint_id("person", person["id"], person), person)
    for d in data.get("designations") or []:
        ctx.register("designation", d.required("id"), ctx.mint_id("designation", d["id"], d), d)
    for o in data.get("observations") or []:
        ctx.register("observation", o.required("id"), ctx.mint_id("observation", o["id"], o), o)
    return data


def build(ctx, data) -> Graph:
    g = Graph()
    sources = [SOURCE]
    for person in data.get("people") or []:
        s = ctx.ref("person", person["id"], person)
        g.add((s, RDF.type, FOAF.Person))
        ctx.labels(g, s, person)
        ctx.note(g, s, person)
        ctx.evidence(g, s, person, sources, person.required("quote"))
        if person.optional("speaker_at"):
            g.add((ctx.ref("event", person["speaker_at"], person), XC.participant, s))
        for m in person.get("memberships") or []:
            organisation = ctx.ref("organisation", m.required("organisation"), m)
            role = m.required("role")
            if role not in ROLES:
                raise m.error(f"unknown role '{role}' (expected one of {sorted(ROLES)})")
            membership = ctx.mint_id("membership", f"{person['id']}-{m['organisation']}", m)
            g.add((membership, RDF.type, ORG.Membership))
            g.add((membership, ORG.member, s))
            g.add((membership, ORG.organization, organisation))
            g.add((membership, ORG.role, ROLE[role]))
            reported = date_literal(m.required("reported_on"))
            if reported.datatype != XSD.date:
                raise m.error("reported_on must be YYYY-MM-DD")
            g.add((membership, XC.reportedOn, reported))
            names = ctx.names[s], ctx.names[organisation]
            g.add((membership, RDFS.label, Literal(f"{names[1]['zh']}副主任{names[0]['zh']}", lang="zh")))
            g.add((membership, RDFS.label, Literal(f"{names[0]['en']}, deputy director, {names[1]['en']}", lang="en")))
            ctx.evidence(g, membership, m, sources, m.required("quote"))

    for d in data.get("designations") or []:
        iri = ctx.ref("designation", d["id"], d)
        add_designation(
            ctx, g, iri, d, designee=ctx.division(d.required("designee"), d),
            programme=ctx.ref("programme", d.required("programme"), d), sources=sources,
            status=d.required("status"), batch=d.get("batch"), year=d.get("year"),
            quote=d.required("quote"), note=d.optional("note"))
        for other in d.list("conflicts_with"):
            g.add((iri, XC.conflictsWith, ctx.ref("designation", other, d)))

    for o in data.get("observations") or []:
        add_observation(ctx, g, ctx.ref("observation", o["id"], o), o, sources=sources,
                        quote=o.required("quote"))
    return g
