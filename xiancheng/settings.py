"""Every setting, declared once with its default and help.

Values come from the defaults, then a TOML file (``--config`` or ``XIANCHENG_CONFIG``), then
environment variables ``XIANCHENG_<NAME>`` (upper case), then explicit overrides (command-line
options, test fixtures).  Nothing is read at import time.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _bool(value: str) -> bool:
    if str(value).lower() in ("1", "true", "yes", "on"):
        return True
    if str(value).lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"'{value}' is not a boolean (use true or false)")


SETTINGS = [
    Setting("data_dir", "var", "Directory for releases and on-disk stores (relative to the working directory).", Path),
    Setting("base_iri", "https://kg.xiancheng.example/", "Base IRI under which data IRIs are minted."),
    Setting("store", "oxigraph", "Store used by the command line's query verb: oxigraph or rdflib."),
    Setting("host", "127.0.0.1", "Address the service listens on."),
    Setting("port", 8000, "Port the service listens on.", int),
    Setting("server", "waitress", "WSGI server for `serve`: waitress, gunicorn, granian, or flask (development only).", str),
    Setting("threads", 8, "Request threads of the waitress server (or of each gunicorn worker).", int),
    Setting("http_workers", 1, "HTTP worker processes (server = gunicorn or granian).", int),
    Setting("query_workers", 2, "Query worker processes per server process; each holds a copy of the store.", int),
    Setting("query_timeout", 10.0, "Seconds a query may run before it is stopped (and its worker replaced).", float),
    Setting("max_rows", 100_000, "Most rows (or triples) a query result may have.", int),
    Setting("max_body", 1_048_576, "Largest request body accepted, in bytes.", int),
    Setting("max_query_length", 100_000, "Longest query accepted, in characters.", int),
    Setting("max_query_depth", 64, "Deepest nesting of brackets accepted in a query.", int),
    Setting("cache_bytes", 64 * 1024 * 1024, "Memory for cached query results (0 turns the cache off).", int),
    Setting("cors_origins", "*", "Origins allowed to call the API from a browser (CORS), comma-separated."),
]

_BY_NAME = {s.name: s for s in SETTINGS}


class Settings(dict):
    """A dict of every declared setting; attribute access for convenience."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def releases_dir(self) -> Path:
        return Path(self["data_dir"]) / "releases"


def load_settings(config_file: str | Path | None = None, environ: dict | None = None,
                  **overrides) -> Settings:
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    config_file = config_file or environ.get("XIANCHENG_CONFIG")
    if config_file:
        with open(config_file, "rb") as f:
            for key, value in tomllib.load(f).items():
                values[_known(key, f"in {config_file}")] = value
    for setting in SETTINGS:
        env = environ.get("XIANCHENG_" + setting.name.upper())
        if env is not None:
            values[setting.name] = env
    for key, value in overrides.items():
        if value is not None:
            values[_known(key, "as an override")] = value
    parsed = Settings()
    for name, value in values.items():
        setting = _BY_NAME[name]
        try:
            parsed[name] = setting.parse(value) if isinstance(value, str) else value
        except ValueError as e:
            raise ValueError(f"setting {name}: {e}") from None
    return parsed


def _known(key: str, where: str) -> str:
    if key not in _BY_NAME:
        raise ValueError(f"unknown setting '{key}' {where} (known: {', '.join(_BY_NAME)})")
    return key
