"""The serialisation formats the project reads and writes: one table, used by the stores, the CLI
and the service's content negotiation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str          # the name used on the command line and in ?format=
    media_type: str
    extension: str
    rdflib: str        # rdflib's serializer / parser name
    oxigraph: str      # the attribute of pyoxigraph.RdfFormat / QueryResultsFormat
    dataset: bool = False  # can hold named graphs


RESULT_FORMATS = {f.name: f for f in [
    Format("json", "application/sparql-results+json", "srj", "json", "JSON"),
    Format("xml", "application/sparql-results+xml", "srx", "xml", "XML"),
    Format("csv", "text/csv", "csv", "csv", "CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", "tsv", "TSV"),
]}

RDF_FORMATS = {f.name: f for f in [
    Format("turtle", "text/turtle", "ttl", "turtle", "TURTLE"),
    Format("ntriples", "application/n-triples", "nt", "nt", "N_TRIPLES"),
    Format("rdfxml", "application/rdf+xml", "rdf", "xml", "RDF_XML"),
    Format("jsonld", "application/ld+json", "jsonld", "json-ld", "JSON_LD"),
    Format("trig", "application/trig", "trig", "trig", "TRIG", dataset=True),
    Format("nquads", "application/n-quads", "nq", "nquads", "N_QUADS", dataset=True),
]}


def _lookup(table: dict[str, Format], what: str, name_or_type: str) -> Format:
    key = name_or_type.lower().split(";")[0].strip()
    for fmt in table.values():
        if key in (fmt.name, fmt.media_type, fmt.extension):
            return fmt
    raise KeyError(f"unknown {what} format '{name_or_type}' (use one of: {', '.join(table)})")


def rdf_format(name_or_type: str) -> Format:
    """Look a format up by name, media type or extension; raise ``KeyError`` naming the choices."""
    return _lookup(RDF_FORMATS, "RDF", name_or_type)


def result_format(name_or_type: str) -> Format:
    return _lookup(RESULT_FORMATS, "results", name_or_type)
