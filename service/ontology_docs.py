"""The ontology's documentation, generated in Chinese and English: classes, properties and
vocabularies from the ontology graph of the release, and the SHACL shapes from ``shapes.ttl``
(which the release does not hold). Shape IRIs (``/def/shapes/…``) dereference like any term."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import render_template
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from xiancheng.graph.namespaces import XC

from .describe import graph_iri
from .reader import curie, memo, path_for_iri, select

SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES_ONTOLOGY = str(XC) + "shapes"
_shapes: Graph | None = None
_shapes_lock = threading.Lock()


def shapes_graph() -> Graph:
    """``ontology/shapes.ttl``, read once (it is part of the installed package)."""
    global _shapes
    with _shapes_lock:
        if _shapes is None:
            from xiancheng.graph import load_shapes

            _shapes = load_shapes()
        return _shapes


def shape_name(iri: str) -> str:
    """``xcsh:CountyShape``, the prefix shapes.ttl uses."""
    prefix = str(XC) + "shapes/"
    return "xcsh:" + iri[len(prefix):] if iri.startswith(prefix) else curie(iri)


def is_shape(iri: str) -> bool:
    return (URIRef(iri), None, None) in shapes_graph()


def shapes_description(iri: str, fmt: str) -> bytes | None:
    """The triples of a shape (and of the blank nodes it uses), or the whole shapes graph for the
    shapes ontology; None if ``iri`` is not described there."""
    from xiancheng.graph.formats import RDF_FORMATS
    from xiancheng.graph.namespaces import PREFIXES

    shapes = shapes_graph()
    if not is_shape(iri):
        return None
    if iri == SHAPES_ONTOLOGY:
        out = shapes
    else:
        out = Graph(bind_namespaces="none")
        todo, done = [URIRef(iri)], set()
        while todo:
            node = todo.pop()
            done.add(node)
            for triple in shapes.triples((node, None, None)):
                out.add(triple)
                if isinstance(triple[2], BNode) and triple[2] not in done:
                    todo.append(triple[2])
        for prefix, namespace in PREFIXES.items():
            out.bind(prefix, namespace)
        out.bind("xcsh", str(XC) + "shapes/")
    return out.serialize(format=RDF_FORMATS[fmt].rdflib, encoding="utf-8")


# --- reading the ontology graph --------------------------------------------------------------------

def _v(row, name):
    term = row.get(name)
    return term.value if term is not None else None


def _counts(kind: str) -> dict[str, int]:
    def compute():
        if kind == "class":
            rows = select("SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?x } GROUP BY ?x")
        else:
            rows = select("SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?x ?o } GROUP BY ?x")
        return {r["x"].value: int(r["n"].value) for r in rows}
    return memo("counts", compute, kind)


def terms(lang: str) -> dict:
    """Classes, properties and concept schemes of the ontology, with labels in ``lang``."""
    def compute():
        onto = graph_iri("ontology")
        rows = select(f"""SELECT ?x ?kind (xcf:label(?x) AS ?l) ?def ?rel ?o (xcf:label(?o) AS ?ol) WHERE {{
            GRAPH <{onto}> {{
              ?x a ?kind FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                                          owl:AnnotationProperty, skos:ConceptScheme))
              FILTER(isIRI(?x))
              OPTIONAL {{ ?x skos:definition ?def FILTER(lang(?def) = "{lang}") }}
              OPTIONAL {{ ?x ?rel ?o FILTER(?rel IN (rdfs:subClassOf, rdfs:domain, rdfs:range,
                                                      owl:inverseOf, rdfs:subPropertyOf, skos:hasTopConcept))
                          FILTER(isIRI(?o)) }} }} }} ORDER BY ?x""", lang=lang)
        out: dict[str, OrderedDict] = {k: OrderedDict() for k in
                                       ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty",
                                        "ConceptScheme")}
        for r in rows:
            kind = r["kind"].value.rsplit("#", 1)[-1]
            entry = out[kind].setdefault(r["x"].value, {
                "iri": r["x"].value, "curie": curie(r["x"].value), "href": path_for_iri(r["x"].value),
                "label": _v(r, "l"), "definition": _v(r, "def"), "links": OrderedDict()})
            if "rel" in r:
                entry["links"].setdefault(curie(r["rel"].value), OrderedDict())[r["o"].value] = {
                    "iri": r["o"].value, "href": path_for_iri(r["o"].value),
                    "label": _v(r, "ol") or curie(r["o"].value)}
        for entry in out["ObjectProperty"].values():   # a property with both types is listed once
            out["DatatypeProperty"].pop(entry["iri"], None)
        return out
    return memo("terms", compute, lang)


def labels(lang: str) -> dict[str, str]:
    found = {}
    for group in terms(lang).values():
        for entry in group.values():
            found[entry["iri"]] = entry["label"]
    return found


# --- shapes ----------------------------------------------------------------------------------------

def _show(node, shapes: Graph, names: dict[str, str], depth: int = 0) -> str:
    if isinstance(node, URIRef):
        return names.get(str(node)) or curie(str(node))
    if isinstance(node, Literal):
        return str(node)
    if depth > 3:
        return "[…]"
    if (node, RDF.first, None) in shapes:
        return "(" + ", ".join(_show(x, shapes, names, depth + 1) for x in Collection(shapes, node)) + ")"
    return "[" + "; ".join(f"{curie(str(p)).removeprefix('sh:')} {_show(o, shapes, names, depth + 1)}"
                           for p, o in sorted(shapes.predicate_objects(node))) + "]"


def _constraints(node, shapes: Graph, names: dict[str, str], lang: str) -> dict:
    skip = {SH.path, SH.message, SH.name, SH.description, RDF.type, SH.property}
    parts, messages = [], []
    for p, o in sorted(shapes.predicate_objects(node)):
        if p == SH.message:
            if not isinstance(o, Literal) or o.language in (None, lang, "en"):
                messages.append(str(o))
        elif p not in skip:
            parts.append(f"{curie(str(p)).removeprefix('sh:')} {_show(o, shapes, names)}")
    path = shapes.value(node, SH.path)
    return {"iri": str(node) if isinstance(node, URIRef) else None,
            "path": _show(path, shapes, names) if path is not None else None,
            "path_href": path_for_iri(str(path)) if isinstance(path, URIRef) else None,
            "constraints": parts, "messages": messages}


def shapes(lang: str) -> list[dict]:
    def compute():
        g = shapes_graph()
        names = labels(lang)
        out = []
        for shape in sorted(g.subjects(RDF.type, SH.NodeShape)):
            targets = [{"iri": str(t), "label": names.get(str(t)) or curie(str(t)),
                        "href": path_for_iri(str(t))} for t in g.objects(shape, SH.targetClass)]
            node = _constraints(shape, g, names, lang)
            out.append({"iri": str(shape), "curie": shape_name(str(shape)) if isinstance(shape, URIRef) else "",
                        "href": path_for_iri(str(shape)), "targets": targets,
                        "constraints": node["constraints"], "messages": node["messages"],
                        "properties": sorted((_constraints(p, g, names, lang)
                                              for p in g.objects(shape, SH.property)),
                                             key=lambda c: c["path"] or "")})
        return out
    return memo("shapes", compute, lang)


# --- pages -----------------------------------------------------------------------------------------

def ontology_page(lang: str) -> str:
    onto = graph_iri("ontology")
    head = select(f"""SELECT ?o (xcf:label(?o) AS ?l) ?title ?def ?version ?licence WHERE {{
        GRAPH <{onto}> {{ ?o a owl:Ontology
          OPTIONAL {{ ?o dcterms:title ?title FILTER(lang(?title) = "{lang}") }}
          OPTIONAL {{ ?o skos:definition ?def FILTER(lang(?def) = "{lang}") }}
          OPTIONAL {{ ?o owl:versionInfo ?version }} OPTIONAL {{ ?o dcterms:license ?licence }} }} }}""",
                  lang=lang)
    concepts = select(f"""SELECT ?scheme ?c (xcf:label(?c) AS ?l) ?def WHERE {{ GRAPH <{onto}> {{
        ?c skos:inScheme ?scheme OPTIONAL {{ ?c skos:definition ?def FILTER(lang(?def) = "{lang}") }} }} }}
        ORDER BY ?scheme ?c""", lang=lang)
    by_scheme: dict[str, list] = {}
    for r in concepts:
        by_scheme.setdefault(r["scheme"].value, []).append(
            {"iri": r["c"].value, "href": path_for_iri(r["c"].value), "label": _v(r, "l"),
             "curie": curie(r["c"].value), "definition": _v(r, "def")})
    from .describe import Description

    return render_template("ontology.html", head=head[0] if head else {}, terms=terms(lang),
                           d=Description(str(XC) + "xiancheng", lang),
                           shapes=shapes(lang), concepts=by_scheme, instances=_counts("class"),
                           uses=_counts("property"), lang=lang, iri=str(XC) + "xiancheng",
                           path="/def/xiancheng")


def shape_page(iri: str, lang: str) -> str:
    if iri == SHAPES_ONTOLOGY:
        found = shapes(lang)
    else:
        found = [s for s in shapes(lang) if s["iri"] == iri]
        if not found:   # a property shape: show the node shapes that use it
            found = [s for s in shapes(lang) if any(p["iri"] == iri for p in s["properties"])]
    return render_template("shape.html", iri=iri, name=shape_name(iri), path=path_for_iri(iri), found=found,
                           lang=lang)


def term_context(iri: str, lang: str) -> dict:
    """For a class: instances, subclasses, properties on it and its shapes; for a property: uses."""
    all_terms = terms(lang)
    subclasses = [c for c in all_terms["Class"].values() if iri in c["links"].get("rdfs:subClassOf", {})]
    on_class = [p for kind in ("ObjectProperty", "DatatypeProperty") for p in all_terms[kind].values()
                if iri in p["links"].get("rdfs:domain", {}) or iri in p["links"].get("rdfs:range", {})]
    shaped = [s for s in shapes(lang) if any(t["iri"] == iri for t in s["targets"])
              or any(p["path_href"] == path_for_iri(iri) for p in s["properties"])]
    return {"instances": _counts("class").get(iri, 0), "uses": _counts("property").get(iri, 0),
            "is_class": iri in all_terms["Class"], "subclasses": subclasses,
            "properties": on_class, "shapes": shaped}
