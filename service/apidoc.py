"""The OpenAPI description of the JSON and RDF API, served at /openapi.json (written as
service/openapi.yaml; schemathesis tests the service against it)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from flask import Blueprint, jsonify

bp = Blueprint("apidoc", __name__)

OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.yaml"


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    return yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document())
