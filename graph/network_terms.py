"""The words of the network: namespaces, the labels of terms (from the ontology, and this
project's translations of the few reused terms the ontology does not label), CURIEs, and the
class hierarchy and inverses the ontology declares."""

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

# Labels of the terms the ontology reuses from other vocabularies without labelling them
# (this project's translations, like every English label in the data).
REUSED_LABELS = {
    DCT + "source": ("source", "来源"),
    DCT + "publisher": ("publisher", "发布者"),
    DCT + "replaces": ("replaces", "替代"),
    DCT + "isReplacedBy": ("is replaced by", "被替代为"),
    ORG + "memberOf": ("member of", "任职于"),
    ORG + "member": ("member", "成员"),
    ORG + "organization": ("organization", "所在机构"),
    ORG + "role": ("role", "职务"),
    PROV + "wasDerivedFrom": ("derived from", "来源于"),
    QB + "dataSet": ("data set", "数据集"),
    FOAF + "page": ("page", "网页"),
    SKOS + "Concept": ("concept", "概念"),
    FOAF + "Person": ("person", "人物"),
    FOAF + "Document": ("document", "文件"),
    QB + "Observation": ("observation", "观测值"),
    QB + "DataSet": ("data set", "数据集"),
    ORG + "Membership": ("membership", "任职"),
    ORG + "Organization": ("organization", "机构"),
    GEO + "Feature": ("feature", "地理要素"),
    GEO + "SpatialObject": ("spatial object", "空间对象"),
    ORG + "FormalOrganization": ("formal organization", "正式机构"),
    PROV + "Entity": ("entity", "实体"),
    PROV + "Plan": ("plan", "计划"),
    PROV + "Activity": ("activity", "活动"),
    "http://www.w3.org/2006/time#TemporalEntity": ("temporal entity", "时间实体"),
}


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
        labels = self.labels.get(iri)
        if labels:
            return labels.get(lang) or labels.get("zh") or labels.get("en") or local_name(iri)
        reused = REUSED_LABELS.get(iri)
        if reused:
            return reused[0] if lang == "en" else reused[1]
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
