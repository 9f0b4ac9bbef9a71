"""State shared by the builders of one dataset: the IRI minter, what has been registered so far,
and the helpers every builder uses to state labels and evidence the same way."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from .namespaces import XC, Minter
from .periods import Period, parse_period
from .readers import Record


class BuildContext:
    def __init__(self, sources_dir: Path, minter: Minter):
        self.sources_dir = Path(sources_dir)
        self.mint = minter
        self.known: dict[str, dict[str, URIRef]] = {}
        self.texts: dict[str, str] = {}  # source id -> full text, for the sources whose text we keep
        self.facts: dict[str, object] = {}  # things builders tell each other (e.g. division levels)
        self.periods: dict[str, Period] = {}  # the reference periods used, by slug
        self.names: dict[URIRef, dict[str, str]] = {}  # zh/en names, for labels of n-ary nodes
        self.indicator_units: dict[URIRef, URIRef] = {}

    # --- registry ------------------------------------------------------------------------------

    def mint_id(self, kind: str, key: str, record: Record) -> URIRef:
        """``mint.id`` with the error reported against the record."""
        try:
            return self.mint.id(kind, key)
        except ValueError as e:
            raise record.error(str(e)) from None

    def register(self, kind: str, key: str, iri: URIRef, record: Record,
                 names: dict | None = None) -> URIRef:
        table = self.known.setdefault(kind, {})
        if key in table:
            raise record.error(f"{kind} '{key}' is defined twice")
        table[key] = iri
        names = names or record.get("label")
        if isinstance(names, dict) and names.get("zh") and names.get("en"):
            self.names[iri] = {"zh": str(names["zh"]).strip(), "en": str(names["en"]).strip()}
        return iri

    def ref(self, kind: str, key, record: Record) -> URIRef:
        key = str(key).strip()
        try:
            return self.known[kind][key]
        except KeyError:
            raise record.error(f"unknown {kind} '{key}'") from None

    def area(self, key, record: Record) -> URIRef:
        """A division code, or ``group:<id>``."""
        key = str(key).strip()
        if key.startswith("group:"):
            return self.ref("group", key[6:], record)
        return self.division(key, record)

    def division(self, code, record: Record, former_ok: bool = False) -> URIRef:
        code = str(code).strip()
        if code in self.known.get("division", {}):
            return self.known["division"][code]
        if former_ok and code in self.known.get("former division", {}):
            return self.known["former division"][code]
        raise record.error(f"unknown division code '{code}'")

    def period(self, key, record: Record) -> URIRef:
        """The IRI of a reference period; the periods used are described in the reference graph."""
        try:
            period = parse_period(key)
        except ValueError as e:
            raise record.error(str(e)) from None
        self.periods[period.slug] = period
        return self.mint.id("period", period.slug)

    # --- statements ----------------------------------------------------------------------------

    def labels(self, g: Graph, subject: URIRef, record: Record, label: dict | None = None,
               concept: bool = False) -> None:
        """Add the zh and en labels (both required): ``label``, or the record's ``label``."""
        label = label if label is not None else record.get("label")
        if not isinstance(label, dict) or not str(label.get("zh") or "").strip() \
                or not str(label.get("en") or "").strip():
            raise record.error("a label needs both zh and en")
        for lang in ("zh", "en"):
            text = Literal(str(label[lang]).strip(), lang=lang)
            g.add((subject, RDFS.label, text))
            if concept:
                g.add((subject, SKOS.prefLabel, text))
        alt = record.get("alt_labels") or {}
        for lang, values in alt.items():
            for value in values:
                g.add((subject, SKOS.altLabel, Literal(value, lang=lang)))

    def note(self, g: Graph, subject: URIRef, record: Record, key: str = "note") -> None:
        text = record.optional(key)
        if text:
            g.add((subject, SKOS.note, Literal(text, lang="en")))

    def evidence(self, g: Graph, subject: URIRef, record: Record, sources: list[str],
                 quote: str | None = None, note: str | None = None) -> None:
        """State which sources support ``subject``; a quote goes to the source whose text we keep
        and must be a verbatim part of it."""
        if not sources:
            raise record.error("no source: every fact needs at least one source id")
        quoted = False
        for source in sources:
            document = self.ref("source", source, record)
            ev = self.mint.part(subject, "evidence", source)
            g.add((subject, XC.evidence, ev))
            g.add((ev, RDF.type, XC.Evidence))
            g.add((ev, DCTERMS.source, document))
            if note:
                g.add((ev, XC.sourceNote, Literal(note, lang="en")))
            if quote and source in self.texts:
                if quote not in self.texts[source]:
                    raise record.error(f"the quote is not a verbatim part of {source}: {quote[:40]}…")
                g.add((ev, XC.quote, Literal(quote, lang="zh")))
                quoted = True
        if quote and not quoted:
            raise record.error("a quote is given but none of its sources is a text kept in the "
                               "project; give a note instead")

    def evidence_list(self, g: Graph, subject: URIRef, record: Record) -> None:
        """Evidence given as a YAML list of {source, quote | note}."""
        entries = record.get("evidence")
        if not entries:
            raise record.error("no evidence: every entry needs at least one source")
        for entry in entries:
            if not isinstance(entry, dict) or "source" not in entry:
                raise record.error("each evidence entry needs a 'source'")
            if not entry.get("quote") and not entry.get("note"):
                raise record.error(f"evidence from {entry['source']} needs a quote or a note")
            self.evidence(g, subject, record, [entry["source"]], entry.get("quote"),
                          entry.get("note"))
