"""Xiancheng KG: a knowledge graph of county-town-centred new urbanization (以县城为重要载体的新型城镇化)."""

__version__ = "0.1.0"
