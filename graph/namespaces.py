"""Namespaces and the minting of IRIs.

The ontology lives at a fixed namespace (``XC``).  Data IRIs are minted under a base IRI that a
deployment may choose (``DEFAULT_BASE`` otherwise); every IRI has a readable, stable key:
divisions by their GB/T 2260 code, everything else by the ``id`` given in the source files.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, GEO, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, TIME, XSD

DEFAULT_BASE = "https://kg.xiancheng.example/"

XC = Namespace(DEFAULT_BASE + "def/")
ONTOLOGY_IRI = URIRef(DEFAULT_BASE + "def/xiancheng")
SHAPES = Namespace(DEFAULT_BASE + "def/shapes/")
DIVISION_LEVEL = Namespace(DEFAULT_BASE + "def/division-level/")
TOWN_LEVEL = Namespace(DEFAULT_BASE + "def/specialty-town-level/")
PROGRAMME_TYPE = Namespace(DEFAULT_BASE + "def/programme-type/")
DESIGNATION_STATUS = Namespace(DEFAULT_BASE + "def/designation-status/")
OBSERVATION_STATUS = Namespace(DEFAULT_BASE + "def/observation-status/")
EVENT_TYPE = Namespace(DEFAULT_BASE + "def/event-type/")
ROLE = Namespace(DEFAULT_BASE + "def/role/")

# CRS of the coordinates: the sources do not state it; Amap/DataV data is normally GCJ-02.
CRS_GCJ02 = URIRef(DEFAULT_BASE + "def/crs/GCJ-02")

PREFIXES = {
    "xc": XC,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "org": ORG,
    "qb": QB,
    "prov": PROV,
    "geo": GEO,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "time": TIME,
    "sh": Namespace("http://www.w3.org/ns/shacl#"),
}

_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")


def check_key(key: str) -> str:
    """Return ``key`` if it is usable in an IRI path segment, else raise ``ValueError``."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"{key!r} is not a valid id: use lower-case letters, digits, '-' and '.'")
    return key


class Minter:
    """Mints the IRIs of one dataset under its base IRI."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith("/"):
            base += "/"
        self.base = base

    def id(self, kind: str, key: str) -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{check_key(key)}")

    def division(self, code: str) -> URIRef:
        if not re.fullmatch(r"\d{6}", code or ""):
            raise ValueError(f"{code!r} is not a six-digit GB/T 2260 code")
        return URIRef(f"{self.base}id/division/{code}")

    def part(self, resource: URIRef, *segments: str) -> URIRef:
        """An IRI for a node that only exists as part of ``resource`` (evidence, geometry)."""
        return URIRef(str(resource) + "/" + "/".join(check_key(s) for s in segments))

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{check_key(name)}")

    @property
    def ontology_graph(self) -> URIRef:
        return self.graph("ontology")

    @property
    def inferred_graph(self) -> URIRef:
        return self.graph("inferred")

    @property
    def catalog_graph(self) -> URIRef:
        return self.graph("catalog")
