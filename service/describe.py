"""What a resource page says: the resource's facts, the links to it, and where each fact comes from.

Provenance: a fact lives in one named graph (one curated source file, described in the catalogue
with the documents it draws on). It is attributed to the subject's ``xc:evidence`` whose
``dcterms:source`` is one of those documents — the quoted sentence (``xc:quote``) or the compiler's
note (``xc:sourceNote``), with a link to the document's own page (``foaf:page``). Where the subject
has no such evidence, the graph itself is cited. Facts of the inferred graph are marked as inferred.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from xiancheng.graph.namespaces import XC

from .reader import Term, curie, memo, path_for_iri, ref, select, service

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EVIDENCE = str(XC.evidence)
FIRST_PROPERTIES = [RDF_TYPE, RDFS_LABEL, "http://www.w3.org/2004/02/skos/core#prefLabel",
                    "http://www.w3.org/2004/02/skos/core#altLabel"]
INCOMING_LIMIT = 2000
SUMMARY_PROPERTIES = ["http://www.w3.org/2004/02/skos/core#definition", "http://purl.org/dc/terms/description",
                      "http://www.w3.org/2000/01/rdf-schema#comment"]
OUTGOING_LIMIT = 5000


def graph_iri(name: str) -> str | None:
    return service().release.graphs.get(name, {}).get("iri")


@dataclass
class Value:
    term: Term
    label: str | None = None
    type_label: str | None = None
    graph: str | None = None
    cites: list[int] = field(default_factory=list)
    members: list["Value"] = field(default_factory=list)   # an RDF list or a blank node's values

    @property
    def href(self) -> str | None:
        return path_for_iri(self.term.value) if self.term.is_iri else None


@dataclass
class PropertyGroup:
    iri: str
    label: str
    values: list[Value] = field(default_factory=list)
    total: int = 0

    @property
    def href(self):
        return path_for_iri(self.iri)

    @property
    def curie(self):
        return curie(self.iri)


@dataclass
class Citation:
    number: int
    kind: str                   # evidence, graph, inferred or ontology
    source: str | None = None   # the source document (or graph) IRI
    label: str | None = None
    quote: str | None = None
    quote_lang: str | None = None
    note: str | None = None
    page: str | None = None
    graph: str | None = None
    drawing_on: list[tuple[str, str]] = field(default_factory=list)

    @property
    def href(self):
        return path_for_iri(self.source) if self.source else None


def catalogue(lang: str) -> dict[str, dict]:
    """Each source graph: its label, the documents it draws on and its files."""
    def compute():
        rows = select("""SELECT ?g (xcf:label(?g) AS ?gl) ?src (xcf:label(?src) AS ?sl) ?file WHERE {
            ?g a xc:SourceGraph .
            OPTIONAL { ?g prov:wasDerivedFrom ?src }
            OPTIONAL { ?g xc:sourceFile ?file } }""", lang=lang)
        graphs: dict[str, dict] = {}
        for row in rows:
            entry = graphs.setdefault(row["g"].value, {"label": _v(row, "gl"), "sources": {},
                                                        "files": set()})
            if "src" in row:
                entry["sources"][row["src"].value] = _v(row, "sl") or row["src"].value
            if "file" in row:
                entry["files"].add(row["file"].value)
        return graphs
    return memo("catalogue", compute, lang)


def _v(row: dict, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


class Description:
    """Everything the page of one IRI shows, read with one query: the resource's evidence, its
    facts (with the values of the blank nodes it uses, whose labels are only valid within one
    result), the links to it, and the divisions it is part of (the breadcrumb)."""

    def __init__(self, iri: str, lang: str):
        self.iri, self.lang = iri, lang
        self.inferred_graph = graph_iri("inferred")
        self.ontology_graph = graph_iri("ontology")
        self.citations: list[Citation] = []
        self._cite_keys: dict[tuple, int] = {}
        parts: dict[str, list] = {"0": [], "1": [], "2": [], "3": []}
        for row in self._read():
            parts[row["part"].value].append(row)
        self._read_evidence(parts["0"])
        self._read_outgoing(parts["1"])
        self._read_incoming(parts["2"])
        self._read_ancestors(parts["3"])

    # -- reading --------------------------------------------------------------------------------

    def _read(self) -> list[dict]:
        inferred, s = self.inferred_graph, ref(self.iri)
        return select(f"""SELECT ?part ?p ?o ?g (xcf:label(?p) AS ?pl) (xcf:label(?o) AS ?ol)
                (xcf:label(?ot) AS ?otl) ?bp ?bo (xcf:label(?bo) AS ?bol) ?src (xcf:label(?src) AS ?sl)
                ?quote ?note ?page ?up WHERE {{
            {{ {s} xc:evidence ?o . ?o dcterms:source ?src . BIND("0" AS ?part)
               OPTIONAL {{ ?o xc:quote ?quote }} OPTIONAL {{ ?o xc:sourceNote ?note }}
               OPTIONAL {{ ?src foaf:page ?page }} }}
            UNION
            {{ GRAPH ?g {{ {s} ?p ?o }} BIND("1" AS ?part)
               OPTIONAL {{ GRAPH ?tg {{ ?o a ?ot }} FILTER(?tg != <{inferred}>) }}
               OPTIONAL {{ {{ ?o ?bp ?bo FILTER(?bp NOT IN (rdf:first, rdf:rest, rdf:type)) }}
                           UNION {{ ?o rdf:rest*/rdf:first ?bo BIND(rdf:first AS ?bp) }}
                           FILTER(isBlank(?o)) }} }}
            UNION
            {{ GRAPH ?g {{ ?o ?p {s} }} FILTER(?g != <{inferred}>) BIND("2" AS ?part)
               OPTIONAL {{ GRAPH ?tg {{ ?o a ?ot }} FILTER(?tg != <{inferred}>) }} }}
            UNION
            {{ {s} xc:partOf ?o BIND("3" AS ?part) OPTIONAL {{ ?o xc:partOf ?up }} }}
            }} ORDER BY ?part ?p ?o LIMIT {OUTGOING_LIMIT + INCOMING_LIMIT}""", lang=self.lang)

    def _read_evidence(self, rows) -> None:
        self.evidence = [{"e": r["o"].value, "src": r["src"].value, "label": _v(r, "sl"),
                          "quote": _v(r, "quote"), "quote_lang": r["quote"].lang if "quote" in r else None,
                          "note": _v(r, "note"), "page": _v(r, "page")}
                         for r in sorted(rows, key=lambda r: r["src"].value)]

    def _read_outgoing(self, rows) -> None:
        rows.sort(key=lambda r: r["g"].value == self.inferred_graph)   # cite sources before inferences
        asserted: OrderedDict[str, PropertyGroup] = OrderedDict()
        inferred: OrderedDict[str, PropertyGroup] = OrderedDict()
        values: dict[tuple, Value] = {}
        for row in rows:
            p, o, g = row["p"].value, row["o"], row["g"].value
            key = (p, o, g)
            if key not in values:         # one row per type of the object, or per part of a blank node
                groups = inferred if g == self.inferred_graph else asserted
                group = groups.setdefault(p, PropertyGroup(p, _v(row, "pl") or curie(p)))
                values[key] = Value(o, _v(row, "ol"), _v(row, "otl"), g, self._cite(g))
                group.values.append(values[key])
            if "bp" in row:
                member = Value(row["bo"], _v(row, "bol"),
                               type_label=None if row["bp"].value.endswith("#first") else curie(row["bp"].value))
                if all(m.term != member.term or m.type_label != member.type_label for m in values[key].members):
                    values[key].members.append(member)
        self.types = [v for v in asserted.get(RDF_TYPE, PropertyGroup("", "")).values]
        self.evidence_group = asserted.pop(EVIDENCE, None)
        self.properties = _ordered(asserted)
        self.inferred = _ordered(inferred)
        self.labels = {v.term.lang: v.term.value for v in asserted.get(RDFS_LABEL, PropertyGroup("", "")).values}

    def _read_incoming(self, rows) -> None:
        groups: OrderedDict[str, PropertyGroup] = OrderedDict()
        seen = set()
        for row in rows:
            p, x = row["p"].value, row["o"]
            if (p, x.value) in seen:
                continue
            seen.add((p, x.value))
            group = groups.setdefault(p, PropertyGroup(p, _v(row, "pl") or curie(p)))
            group.values.append(Value(x, _v(row, "ol"), _v(row, "otl"), row["g"].value,
                                      self._cite(row["g"].value, evidence=False)))
        self.truncated = len(rows) >= INCOMING_LIMIT
        self.incoming = sorted(groups.values(), key=lambda grp: (-len(grp.values), grp.label))
        for group in self.incoming:
            group.total = len(group.values)

    def _read_ancestors(self, rows) -> None:
        """The divisions the resource is part of, outermost first (province → prefecture → county)."""
        depth: dict[str, set] = {}
        names = {}
        for row in rows:
            a = row["o"].value
            depth.setdefault(a, set())
            names[a] = _v(row, "ol")
            if "up" in row:
                depth[a].add(row["up"].value)
        self.breadcrumb = [{"iri": a, "href": path_for_iri(a), "label": names[a]}
                           for a in sorted(depth, key=lambda a: (len(depth[a]), a))]

    # -- citations ------------------------------------------------------------------------------

    def _cite(self, graph: str, evidence: bool = True) -> list[int]:
        """The numbers of the citations for a fact stated in ``graph``."""
        if graph == self.inferred_graph:
            return [self._citation(("inferred",), kind="inferred", graph=graph)]
        if graph == self.ontology_graph:
            return [self._citation(("ontology",), kind="ontology", graph=graph, source=str(XC) + "xiancheng")]
        entry = catalogue(self.lang).get(graph, {"label": None, "sources": {}, "files": set()})
        numbers = []
        if evidence:
            for ev in self.evidence:
                if ev["src"] in entry["sources"]:
                    numbers.append(self._citation(("evidence", ev["e"]), kind="evidence", source=ev["src"],
                                                  label=ev["label"], quote=ev["quote"], quote_lang=ev["quote_lang"],
                                                  note=ev["note"], page=ev["page"], graph=graph))
        if not numbers:
            numbers.append(self._citation(("graph", graph), kind="graph", source=graph,
                                          label=entry["label"] or graph, graph=graph,
                                          drawing_on=sorted(entry["sources"].items(), key=lambda kv: kv[1])))
        return numbers

    def _citation(self, key: tuple, **fields) -> int:
        if key not in self._cite_keys:
            number = len(self.citations) + 1
            self.citations.append(Citation(number, **fields))
            self._cite_keys[key] = number
        return self._cite_keys[key]

    def unused_evidence(self) -> list[Citation]:
        """Evidence of the resource not matched to a graph's facts (still shown, never hidden)."""
        cited = {c.source for c in self.citations if c.kind == "evidence"}
        extra = []
        for ev in self.evidence:
            if ev["src"] not in cited:
                extra.append(self.citations[self._citation(
                    ("evidence", ev["e"]), kind="evidence", source=ev["src"], label=ev["label"],
                    quote=ev["quote"], quote_lang=ev["quote_lang"], note=ev["note"], page=ev["page"]) - 1])
        return extra

    # -- what the page shows first --------------------------------------------------------------

    def type_labels(self) -> list[str]:
        return [v.label or curie(v.term.value) for v in self.types]

    def summary(self) -> str | None:
        """A definition or description of the resource from the graph, in the page's language if
        there is one."""
        by_iri = {g.iri: g for g in self.properties}
        for prop in SUMMARY_PROPERTIES:
            group = by_iri.get(prop)
            if group:
                texts = {v.term.lang: v.term.value for v in group.values if v.term.kind == "literal"}
                text = texts.get(self.lang) or texts.get(None) or next(iter(texts.values()), None)
                if text:
                    return text
        return None

    def label(self) -> str:
        return self.labels.get(self.lang) or next(iter(self.labels.values()), None) or curie(self.iri)

    def other_label(self) -> str | None:
        other = "en" if self.lang == "zh" else "zh"
        label = self.labels.get(other)
        return label if label and label != self.label() else None

    def all_types(self) -> set[str]:
        """Asserted and inferred classes of the resource."""
        types = {v.term.value for v in self.types}
        return types | {v.term.value for grp in self.inferred if grp.iri == RDF_TYPE for v in grp.values}

    def has_type(self, *local_names: str) -> bool:
        types = self.all_types()
        return any(str(XC[name]) in types for name in local_names)

    @property
    def exists(self) -> bool:
        return bool(self.properties or self.inferred or self.incoming or self.evidence_group)


def _ordered(groups: OrderedDict) -> list[PropertyGroup]:
    first = [groups[p] for p in FIRST_PROPERTIES if p in groups]
    rest = sorted((g for p, g in groups.items() if p not in FIRST_PROPERTIES), key=lambda g: g.label)
    for group in first + rest:
        group.total = len(group.values)
    return first + rest
