"""The ontology files, shipped as package data."""
