"""The knowledge graph as a plain library: build, validate, reason, release, store and query.

Nothing here imports Flask; the service only reads what this library builds.
"""

from .build import BuildError, BuiltDataset, build_dataset, load_ontology, load_shapes

__all__ = ["BuildError", "BuiltDataset", "build_dataset", "load_ontology", "load_shapes"]
