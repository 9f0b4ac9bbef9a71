"""Division code changes since 2018 (former_divisions.csv and division_changes.csv)."""

from __future__ import annotations

from itertools import groupby

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..namespaces import DIVISION_LEVEL, XC
from ..readers import date_literal, read_csv
from .divisions import LEVELS

NAME = "division-changes"
FILES = ["former_divisions.csv", "division_changes.csv"]
TITLE = {"zh": "2018—2020年行政区划变更", "en": "Division changes 2018–2020"}
FORMER_COLUMNS = ["code", "name_zh", "name_en", "level", "parent_code", "sources", "note"]
CHANGE_COLUMNS = ["change_id", "old_code", "new_codes", "description_zh", "approval_date",
                  "effective_date", "date", "approved_by", "sources", "note"]
SHARED = ["description_zh", "approval_date", "effective_date", "date", "approved_by"]


def read(ctx):
    former = read_csv(ctx.sources_dir / "former_divisions.csv", FORMER_COLUMNS, key="code")
    current = ctx.known.get("division", {})
    for row in former:
        code = row["code"]
        if code in current:
            raise row.error(f"code {code} is also a current division; a reused code needs its own id")
        if row.required("level") not in LEVELS:
            raise row.error(f"unknown level '{row['level']}'")
        ctx.register("former division", code, ctx.mint.division(code), row,
                     {"zh": row.required("name_zh"), "en": row.required("name_en")})
    changes = read_csv(ctx.sources_dir / "division_changes.csv", CHANGE_COLUMNS)
    groups = []
    for change_id, rows in groupby(changes, key=lambda r: r.required("change_id")):
        rows = list(rows)
        if change_id in {g[0] for g in groups}:
            raise rows[0].error(f"the rows of change '{change_id}' must be together")
        for row in rows[1:]:
            for column in SHARED:
                if row[column] != rows[0][column]:
                    raise row.error(f"'{column}' differs from line {rows[0].line} of the same change")
        ctx.register("division change", change_id, ctx.mint_id("division-change", change_id, rows[0]), rows[0])
        groups.append((change_id, rows))
        successors = ctx.facts.setdefault("successors", {})
        for row in rows:
            for old in row.list("old_code"):
                successors.setdefault(ctx.division(old, row, former_ok=True), set()).update(
                    ctx.division(new, row) for new in row.list("new_codes"))
    return former, groups


def _date(row, key):
    try:
        return date_literal(row[key])
    except ValueError as e:
        raise row.error(str(e)) from None


def build(ctx, state) -> Graph:
    former, groups = state
    g = Graph()
    for row in former:
        s = ctx.ref("former division", row["code"], row)
        g.add((s, RDF.type, XC.FormerDivision))
        g.add((s, XC.divisionCode, Literal(row["code"])))
        g.add((s, XC.divisionLevel, DIVISION_LEVEL[LEVELS[row["level"]][1]]))
        g.add((s, RDFS.label, Literal(row["name_zh"], lang="zh")))
        g.add((s, RDFS.label, Literal(row["name_en"], lang="en")))
        g.add((s, XC.parentDivision, ctx.division(row.required("parent_code"), row)))
        ctx.note(g, s, row)
        ctx.evidence(g, s, row, row.list("sources"))

    for change_id, rows in groups:
        first = rows[0]
        s = ctx.ref("division change", change_id, first)
        g.add((s, RDF.type, XC.DivisionChange))
        g.add((s, DCTERMS.description, Literal(first.required("description_zh"), lang="zh")))
        olds, news, sources, notes = [], [], [], []
        for row in rows:
            old_codes, new_codes = row.list("old_code"), row.list("new_codes")
            if not old_codes or not new_codes:
                raise row.error("a change needs old_code and new_codes")
            for old in old_codes:
                old_iri = ctx.division(old, row, former_ok=True)
                for new in new_codes:
                    g.add((old_iri, XC.replacedBy, ctx.division(new, row)))
                olds.append(old_iri)
            news.extend(ctx.division(new, row) for new in new_codes)
            sources.extend(src for src in row.list("sources") if src not in sources)
            if row.optional("note") and row["note"] not in notes:
                notes.append(row["note"])
        olds, news = list(dict.fromkeys(olds)), list(dict.fromkeys(news))
        for iri in olds:
            g.add((s, XC.formerUnit, iri))
        for iri in news:
            g.add((s, XC.successorUnit, iri))
        if first.optional("approval_date"):
            g.add((s, XC.approvalDate, _date(first, "approval_date")))
        if first.optional("effective_date"):
            g.add((s, XC.effectiveDate, _date(first, "effective_date")))
        if first.optional("date"):
            g.add((s, DCTERMS.date, _date(first, "date")))
        if not (first.optional("approval_date") or first.optional("effective_date") or first.optional("date")):
            raise first.error("a change needs an approval_date, an effective_date or a date")
        if first.optional("approved_by"):
            g.add((s, XC.approvedBy, ctx.ref("organisation", first["approved_by"], first)))
        for note in notes:
            g.add((s, SKOS.note, Literal(note, lang="en")))
        year = next(first[k][:4] for k in ("approval_date", "effective_date", "date") if first.optional(k))
        zh = "、".join(ctx.names[i]["zh"] for i in olds) + " → " + "、".join(ctx.names[i]["zh"] for i in news)
        en = ", ".join(ctx.names[i]["en"] for i in olds) + " → " + ", ".join(ctx.names[i]["en"] for i in news)
        g.add((s, RDFS.label, Literal(f"{zh}({year})", lang="zh")))
        g.add((s, RDFS.label, Literal(f"{en} ({year})", lang="en")))
        ctx.evidence(g, s, first, sources)
    return g
