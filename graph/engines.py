"""Which engine validates and reasons: the standard one (pyshacl and owlrl, in Python) or the fast
one (the shapes and the OWL-RL rules as SPARQL on Oxigraph: ``fastvalidate``, ``fastreason``).

Both give the same verdict and the same inferred graph (tests compare them). The standard engine
is the reference and the default for the shipped data (11k triples, where it takes seconds); the
fast one is for large data: ``auto`` chooses it above ``FAST_ABOVE`` triples, or for files to
validate above ``FAST_ABOVE_BYTES``. See docs/performance-scale.md.
"""

from __future__ import annotations

from pathlib import Path

from .build import BuiltDataset, load_ontology
from .formats import RDF_FORMATS, rdf_format
from .validate import ValidationResult

ENGINES = ("auto", "standard", "fast")
FAST_ABOVE = 50_000           # triples
FAST_ABOVE_BYTES = 10_000_000  # bytes of files to validate
# What the fast engine reads; RDF/XML and JSON-LD stay with rdflib (pyoxigraph's RDF/XML parser
# expands entities without limit: see DESIGN.md).
FAST_FORMATS = ("turtle", "ntriples", "nquads", "trig")


def choose(engine: str, triples: int | None = None, size: int | None = None) -> str:
    """``standard`` or ``fast`` for ``engine`` (one of ``ENGINES``) and data of this size."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine '{engine}' (use one of: {', '.join(ENGINES)})")
    if engine != "auto":
        return engine
    if triples is not None:
        return "fast" if triples > FAST_ABOVE else "standard"
    return "fast" if (size or 0) > FAST_ABOVE_BYTES else "standard"


def _store(built: BuiltDataset):
    from .store import OxigraphStore  # store imports release, which imports this module

    store = OxigraphStore()
    store.load(built.dataset.serialize(format="nquads", encoding="utf-8"), RDF_FORMATS["nquads"])
    return store


def validate_built(built: BuiltDataset) -> ValidationResult:
    """The fast engine's ``validate.validate_dataset``."""
    from .fastvalidate import validate_store

    return validate_store(_store(built))


def validate_and_reason(built: BuiltDataset) -> ValidationResult:
    """The fast engine on a built dataset: validate it and, if it conforms, add its inferred
    graph (as ``reason.reason`` does)."""
    from .fastreason import infer_store
    from .fastvalidate import validate_store

    store = _store(built)
    result = validate_store(store)
    if result.conforms:
        iri = built.minter.inferred_graph
        infer_store(store, str(built.graphs["ontology"]), [str(g) for g in built.data_graphs()], str(iri))
        target = built.dataset.graph(iri)
        for triple in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}").triples:
            target.add(triple)
        built.graphs["inferred"] = iri
    return result


def validate_files(paths: list[str | Path]) -> ValidationResult:
    """The fast engine on RDF files (Turtle, N-Triples, N-Quads, TriG), validated together with
    the ontology, as ``xiancheng validate FILES`` does with pyshacl."""
    from .fastvalidate import validate_store
    from .store import OxigraphStore

    store = OxigraphStore()
    for number, path in enumerate(paths):
        fmt = rdf_format(Path(path).suffix.lstrip(".") or "turtle")
        if fmt.name not in FAST_FORMATS:
            raise ValueError(f"{path}: the fast engine reads {', '.join(FAST_FORMATS)}; "
                             f"use --engine standard for {fmt.name}")
        store.load(Path(path).read_bytes(), fmt, None if fmt.dataset else f"urn:x-xiancheng:file:{number}")
    store.update("ADD DEFAULT TO <urn:x-xiancheng:file:default>")  # the union is of named graphs
    store.load(load_ontology().serialize(format="nt", encoding="utf-8"), RDF_FORMATS["ntriples"],
               "urn:x-xiancheng:ontology")
    return validate_store(store)
