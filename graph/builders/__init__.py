"""One builder per kind of source file.

Each module defines ``NAME`` (the named graph), ``FILES`` (the source files it reads), ``TITLE``
(zh/en), ``read(ctx)`` which parses the files and registers the ids they define, and
``build(ctx, state)`` which returns the graph.  All ``read`` steps run before any ``build``
step, so files may refer to ids defined in other files.
"""

from . import (article, catalog, changes, designations, divisions, observations, programmes,
               reference, towns)

# The order only matters for reading (a registry entry must exist before a reference to it is
# resolved in a later *read*); building happens after all reading.
MODULES = [catalog, programmes, reference, divisions, changes, towns, designations.sponge,
           designations.e_towns, designations.classification, designations.poverty,
           observations.census, observations.figures, article]
