"""The words of the network: namespaces, the labels of terms (from the ontology, which labels
the reused W3C terms too), CURIEs, and the class hierarchy and inverses the ontology declares."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from .namespaces import PREFIXES, XC

RDF = str(PREFIXES["rdf"])
RDFS = str(PREFIXES["rdfs"])
SKOS = str(PREFIXES["skos"])
OWL = str(PREFIXES["owl"])
GEO = str(PREFIXES["geo"])
ORG = str(PREFIXES["org"])
QB = str(PREFIXES["qb"])
DCT = str(PREFIXES["dcterms"])
FOAF = str(PREFIXES["foaf"])
PROV = str(PREFIXES["prov"])
X = str(XC)

TYPE, LABEL, ALT_LABEL, PREF_LABEL = RDF + "type", RDFS + "label", SKOS + "altLabel", SKOS + "prefLabel"
NOTE = SKOS + "note"

# Structure rather than content: neither nodes nor edges.
LEFT_OUT_CLASSES = {GEO + "Geometry", SKOS + "ConceptScheme", X + "SourceGraph"}
STRUCTURAL_PREDICATES = {TYPE, SKOS + "inScheme", SKOS + "topConceptOf", SKOS + "hasTopConcept",
                         RDFS + "subClassOf", RDFS + "domain", RDFS + "range"}
# Generic classes a node's type is never chosen from (when it has a more telling one).
GENERIC_CLASSES = {PROV + "Entity", GEO + "Feature", GEO + "SpatialObject", OWL + "Thing"}
GEOMETRY_PREDICATES = [GEO + "hasCentroid", X + "seatGeometry", GEO + "hasDefaultGeometry",
                       GEO + "hasGeometry"]
CODE_PREDICATES = [X + "divisionCode", DCT + "identifier"]

_NAMESPACES = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


@lru_cache(maxsize=4096)
def curie(iri: str) -> str:
    for ns, prefix in _NAMESPACES:
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@lru_cache(maxsize=4096)
def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def value_of(literal: ox.Literal):
    kind = literal.datatype.value.rsplit("#", 1)[-1]
    try:
        if kind in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger"):
            return int(literal.value)
        if kind in ("decimal", "double", "float"):
            return float(literal.value)
    except ValueError:
        pass
    if kind == "boolean":
        return literal.value == "true"
    return literal.value


class Vocabulary:
    """Labels of classes, properties and terms; the class hierarchy; declared inverses."""

    def __init__(self, labels: dict, superclasses: dict, inverses: dict):
        self.labels = labels                  # iri -> {"en": …, "zh": …}
        self.superclasses = superclasses      # class -> set of direct superclasses
        self.inverses = inverses              # property -> its declared inverse
        self._ancestors: dict[str, set] = {}

    def label(self, iri: str, lang: str = "zh") -> str:
        labels = self.labels.get(iri)  # the ontology labels reused terms too (reused-terms.ttl)
        if labels:
            return labels.get(lang) or labels.get("zh") or labels.get("en") or local_name(iri)
        return local_name(iri)

    def ancestors(self, cls: str) -> set:
        """``cls`` and every class it is a subclass of."""
        if cls not in self._ancestors:
            seen, todo = {cls}, [cls]
            while todo:
                for sup in self.superclasses.get(todo.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            self._ancestors[cls] = seen
        return self._ancestors[cls]
