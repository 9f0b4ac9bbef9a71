"""Build the dataset: one named graph per source file, plus the ontology graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from . import builders
from .builders import catalog, reference
from .context import BuildContext
from .namespaces import DEFAULT_BASE, PREFIXES, XC, Minter
from .readers import SourceError

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCES_DIR = PACKAGE_DIR / "sources"


def _ontology_dir() -> Path:
    """ontology/ beside graph/ in a checkout; the packaged copy in an installed wheel."""
    here = PACKAGE_DIR.parent / "ontology"
    if here.is_dir():
        return here
    from importlib.resources import files

    return Path(str(files("xiancheng") / "ontology"))


ONTOLOGY_DIR = _ontology_dir()
ONTOLOGY_FILES = ["xiancheng.ttl", "divisions.ttl", "places.ttl", "organisations.ttl", "programmes.ttl",
                  "events.ttl", "indicators.ttl", "provenance.ttl", "vocabularies.ttl",
                  "reused-terms.ttl"]
SHAPES_FILE = "shapes.ttl"


class BuildError(Exception):
    """The sources cannot be built into a dataset; the message says what to fix."""


@dataclass
class BuiltDataset:
    dataset: Dataset
    minter: Minter
    graphs: dict[str, URIRef] = field(default_factory=dict)  # name -> graph IRI

    def graph(self, name: str) -> Graph:
        return self.dataset.graph(self.graphs[name])

    def data_graphs(self) -> list[URIRef]:
        """Every asserted graph but the ontology."""
        return [iri for name, iri in self.graphs.items() if name not in ("ontology", "inferred")]

    def asserted_graphs(self) -> list[URIRef]:
        return [iri for name, iri in self.graphs.items() if name != "inferred"]

    def union(self, names: list[str] | None = None) -> Graph:
        """A plain graph holding the triples of the named graphs (all asserted ones by default)."""
        g = Graph()
        for iri in (names and [self.graphs[n] for n in names]) or self.asserted_graphs():
            for triple in self.dataset.graph(iri):
                g.add(triple)
        return g


def new_dataset() -> Dataset:
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True)
    return ds


def load_ontology(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    g = Graph()
    for name in ONTOLOGY_FILES:
        g.parse(ontology_dir / name, format="turtle")
    return g


def load_shapes(ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    return Graph().parse(ontology_dir / SHAPES_FILE, format="turtle")


def build_dataset(sources_dir: Path = SOURCES_DIR, ontology_dir: Path = ONTOLOGY_DIR,
                  base: str = DEFAULT_BASE) -> BuiltDataset:
    """Read every source file and build the dataset; raise ``BuildError`` naming the file, the
    line and the problem if a source is wrong."""
    minter = Minter(base)
    ctx = BuildContext(Path(sources_dir), minter)
    try:
        states = [(module, module.read(ctx)) for module in builders.MODULES]
        graphs = {module.NAME: module.build(ctx, state) for module, state in states}
    except SourceError as e:
        raise BuildError(str(e)) from e
    except FileNotFoundError as e:
        raise BuildError(f"missing source file: {e.filename}") from e
    reference.describe_periods(ctx, graphs[reference.NAME])

    built = BuiltDataset(new_dataset(), minter)
    described = []
    for module in builders.MODULES:
        iri = minter.graph(module.NAME)
        built.graphs[module.NAME] = iri
        described.append((iri, module))
    catalog_graph = graphs[catalog.NAME]
    catalog.describe_graphs(ctx, catalog_graph, described)
    for name, g in graphs.items():
        for document in set(g.objects(None, DCTERMS.source)):
            catalog_graph.add((minter.graph(name), PROV.wasDerivedFrom, document))
    # The reference vocabulary names what the observation tables measure.
    for name in ("census-2020", "figures", "shanxi-daily-2023-10-10"):
        for document in set(graphs[name].objects(None, DCTERMS.source)):
            catalog_graph.add((minter.graph(reference.NAME), PROV.wasDerivedFrom, document))
    compiled = ctx.known["source"].get("shanxi-reference-tables-2026")
    for module in builders.MODULES:
        if any(f.endswith(".csv") for f in module.FILES) and compiled:
            catalog_graph.add((minter.graph(module.NAME), PROV.wasDerivedFrom, compiled))

    ontology_iri = minter.ontology_graph
    built.graphs = {"ontology": ontology_iri, **built.graphs}
    target = built.dataset.graph(ontology_iri)
    for triple in load_ontology(ontology_dir):
        target.add(triple)
    for name, g in graphs.items():
        target = built.dataset.graph(built.graphs[name])
        for triple in g:
            target.add(triple)
    check_each_triple_once(built)
    return built


def check_each_triple_once(built: BuiltDataset) -> None:
    """A triple must live in exactly one graph: engines differ on whether the union default graph
    removes duplicates (rdflib does, Oxigraph does not), and answers must not depend on it."""
    seen: dict[tuple, str] = {}
    clashes = []
    for name, iri in built.graphs.items():
        for triple in built.dataset.graph(iri):
            if triple in seen and seen[triple] != name:
                clashes.append((seen[triple], name, triple))
            seen[triple] = name
    if clashes:
        lines = [f"  {a} and {b}: {' '.join(t.n3() for t in triple)}" for a, b, triple in clashes[:10]]
        raise BuildError(f"{len(clashes)} triple(s) are stated in two graphs; state each fact in one "
                         "source file:\n" + "\n".join(lines))
