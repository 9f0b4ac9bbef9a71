"""The knowledge graph as a plain library: build, validate, reason, release, store and query.

Nothing here imports Flask; the service only reads what this library builds. The names below are
imported on first use, so that a query worker process (graph.workers) starts without loading
rdflib or pyshacl.
"""

from importlib import import_module

_EXPORTS = {
    "BuildError": ".build", "BuiltDataset": ".build", "build_dataset": ".build",
    "load_ontology": ".build", "load_shapes": ".build",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
