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

from .reader import Term, curie, memo, path_for_iri, select, service

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EVIDENCE = str(XC.evidence)
FIRST_PROPERTIES = [RDF_TYPE, RDFS_LABEL, "http://www.w3.org/2004/02/skos/core#prefLabel",
                    "http://www.w3.org/2004/02/skos/core#altLabel"]
INCOMING_LIMIT = 2000
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


def label_of(iri: str, lang: str) -> str | None:
    rows = select("SELECT ?x (xcf:label(?x) AS ?l) WHERE {}", {"x": iri}, lang)
    return _v(rows[0], "l") if rows else None


class Description:
    """Everything the page of one IRI shows, read with a handful of queries."""

    def __init__(self, iri: str, lang: str):
        self.iri, self.lang = iri, lang
        self.inferred_graph = graph_iri("inferred")
        self.ontology_graph = graph_iri("ontology")
        self.citations: list[Citation] = []
        self._cite_keys: dict[tuple, int] = {}
        self._read_evidence()
        self._read_outgoing()
        self._read_incoming()

    # -- reading --------------------------------------------------------------------------------

    def _read_evidence(self) -> None:
        rows = select("""SELECT ?s ?e ?src (xcf:label(?src) AS ?sl) ?quote ?note ?page WHERE {
            ?s xc:evidence ?e . ?e dcterms:source ?src .
            OPTIONAL { ?e xc:quote ?quote } OPTIONAL { ?e xc:sourceNote ?note }
            OPTIONAL { ?src foaf:page ?page } } ORDER BY ?src""", {"s": self.iri}, self.lang)
        self.evidence = [{"e": r["e"].value, "src": r["src"].value, "label": _v(r, "sl"),
                          "quote": _v(r, "quote"), "note": _v(r, "note"), "page": _v(r, "page")}
                         for r in rows]

    def _read_outgoing(self) -> None:
        # blank nodes (OWL axioms, RDF lists) are read in the same query: their labels are only
        # valid within one result
        rows = select(f"""SELECT ?s ?p ?o ?g (xcf:label(?p) AS ?pl) (xcf:label(?o) AS ?ol)
                (xcf:label(?ot) AS ?otl) ?bp ?bo (xcf:label(?bo) AS ?bol) WHERE {{
            GRAPH ?g {{ ?s ?p ?o }}
            OPTIONAL {{ GRAPH ?tg {{ ?o a ?ot }} FILTER(?tg != <{self.inferred_graph}>) }}
            OPTIONAL {{ {{ ?o ?bp ?bo FILTER(?bp NOT IN (rdf:first, rdf:rest, rdf:type)) }}
                        UNION {{ ?o rdf:rest*/rdf:first ?bo BIND(rdf:first AS ?bp) }}
                        FILTER(isBlank(?o)) }}
            }} LIMIT {OUTGOING_LIMIT}""", {"s": self.iri}, self.lang)
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

    def _read_incoming(self) -> None:
        rows = select(f"""SELECT ?s ?x ?p ?g (xcf:label(?p) AS ?pl) (xcf:label(?x) AS ?xl)
                (xcf:label(?xt) AS ?xtl) WHERE {{
            GRAPH ?g {{ ?x ?p ?s }} FILTER(?g != <{self.inferred_graph}>)
            OPTIONAL {{ GRAPH ?tg {{ ?x a ?xt }} FILTER(?tg != <{self.inferred_graph}>) }}
            }} ORDER BY ?p ?x LIMIT {INCOMING_LIMIT}""", {"s": self.iri}, self.lang)
        groups: OrderedDict[str, PropertyGroup] = OrderedDict()
        seen = set()
        for row in rows:
            p, x = row["p"].value, row["x"]
            if (p, x.value) in seen:
                continue
            seen.add((p, x.value))
            group = groups.setdefault(p, PropertyGroup(p, _v(row, "pl") or curie(p)))
            group.values.append(Value(x, _v(row, "xl"), _v(row, "xtl"), row["g"].value,
                                      self._cite(row["g"].value, evidence=False)))
        self.truncated = len(rows) >= INCOMING_LIMIT
        self.incoming = sorted(groups.values(), key=lambda grp: (-len(grp.values), grp.label))
        for group in self.incoming:
            group.total = len(group.values)

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
                                                  label=ev["label"], quote=ev["quote"], note=ev["note"],
                                                  page=ev["page"], graph=graph))
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
                    quote=ev["quote"], note=ev["note"], page=ev["page"]) - 1])
        return extra

    # -- what the page shows first --------------------------------------------------------------

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
