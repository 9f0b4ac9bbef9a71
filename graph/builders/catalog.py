"""The catalogue: source documents and the organisations that appear in the sources."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS

from ..namespaces import XC
from ..readers import date_literal, read_yaml

NAME = "catalog"
FILES = ["documents.yaml", "organisations.yaml"]
TITLE = {"zh": "来源文件与机构", "en": "Source documents and organisations"}

KINDS = {"government-body": XC.GovernmentBody, "media-outlet": XC.MediaOutlet}
DOCUMENT_KINDS = {"news-report", "repost", "official-notice", "data-package", "compiled-table"}


def read(ctx):
    documents = read_yaml(ctx.sources_dir / "documents.yaml")
    organisations = read_yaml(ctx.sources_dir / "organisations.yaml")
    for doc in documents:
        key = doc.required("id")
        ctx.register("source", key, ctx.mint_id("source", key, doc), doc)
    for org in organisations:
        key = org.required("id")
        ctx.register("organisation", key, ctx.mint_id("organisation", key, org), org)
    # The texts we keep: the founding article.
    for doc in documents:
        path = ctx.sources_dir / f"{doc['id']}.txt"
        if path.exists():
            ctx.texts[doc["id"]] = path.read_text(encoding="utf-8")
    return documents, organisations


def build(ctx, state) -> Graph:
    documents, organisations = state
    g = Graph()
    for doc in documents:
        s = ctx.ref("source", doc["id"], doc)
        g.add((s, RDF.type, XC.SourceDocument))
        kind = doc.required("kind")
        if kind not in DOCUMENT_KINDS:
            raise doc.error(f"unknown kind '{kind}' (expected one of {sorted(DOCUMENT_KINDS)})")
        g.add((s, DCTERMS.type, Literal(kind)))
        ctx.labels(g, s, doc)
        for lang, title in (doc.get("title") or {}).items():
            g.add((s, DCTERMS.title, Literal(title, lang=lang)))
        if doc.optional("publisher"):
            g.add((s, DCTERMS.publisher, ctx.ref("organisation", doc["publisher"], doc)))
        if doc.optional("issued"):
            try:
                g.add((s, DCTERMS.issued, date_literal(doc["issued"])))
            except ValueError as e:
                raise doc.error(str(e)) from None
        if doc.optional("url"):
            g.add((s, FOAF.page, URIRef(doc.required("url"))))
        if doc.optional("licence"):
            g.add((s, DCTERMS.license, Literal(doc["licence"])))
        g.add((s, RDFS.comment, Literal(doc.required("note"), lang="en")))
        if doc.optional("retrieval"):
            g.add((s, XC.retrievalNote, Literal(doc["retrieval"], lang="en")))
    for org in organisations:
        s = ctx.ref("organisation", org["id"], org)
        kind = org.required("kind")
        if kind not in KINDS:
            raise org.error(f"unknown kind '{kind}' (expected one of {sorted(KINDS)})")
        g.add((s, RDF.type, KINDS[kind]))
        ctx.labels(g, s, org)
        if org.optional("jurisdiction"):
            g.add((s, XC.jurisdiction, ctx.division(org["jurisdiction"], org)))
        ctx.note(g, s, org)
        ctx.evidence_list(g, s, org)
    return g


def describe_graphs(ctx, g: Graph, described: list[tuple[URIRef, object]]) -> None:
    """Describe each source graph (title, files, documents it draws on) in the catalogue."""
    for iri, module in described:
        g.add((iri, RDF.type, XC.SourceGraph))
        for lang, text in module.TITLE.items():
            g.add((iri, RDFS.label, Literal(text, lang=lang)))
            g.add((iri, DCTERMS.title, Literal(text, lang=lang)))
        for name in module.FILES:
            g.add((iri, XC.sourceFile, Literal(f"graph/sources/{name}")))
