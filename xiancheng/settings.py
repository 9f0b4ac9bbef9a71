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
    Setting("server", "granian", "WSGI server for `serve`: granian (the fastest), waitress, gunicorn, or flask (development only).", str),
    Setting("threads", 8, "Request threads of each HTTP worker (granian, gunicorn or waitress).", int),
    Setting("http_workers", 1, "HTTP worker processes (server = gunicorn or granian).", int),
    Setting("query_workers", 2, "Query worker processes per server process; each holds a copy of the store.", int),
    Setting("query_timeout", 10.0, "Seconds a query may run before it is stopped (and its worker replaced).", float),
    Setting("max_rows", 100_000, "Most rows (or triples) a query result may have.", int),
    Setting("max_body", 1_048_576, "Largest request body accepted, in bytes.", int),
    Setting("max_query_length", 100_000, "Longest query accepted, in characters.", int),
    Setting("max_query_depth", 64, "Deepest nesting of brackets accepted in a query.", int),
    Setting("cache_bytes", 64 * 1024 * 1024, "Memory for cached query results (0 turns the cache off).", int),
    Setting("cors_origins", "*", "Origins allowed to call the API from a browser (CORS), comma-separated."),
    Setting("network_max_hops", 6, "Most hops of a neighbourhood, subgraph radius or path in the network API.", int),
    Setting("network_max_paths", 20, "Most paths one path request may ask for (k).", int),
    Setting("network_max_nodes", 2000, "Most nodes (or ranked entities) one network answer may hold; more is cut off and marked truncated.", int),
    Setting("network_max_edges", 10000, "Most edges one neighbourhood or subgraph answer may hold.", int),
    Setting("network_timeout", 5.0, "Seconds a network question may take (paths stop there; rankings go on in the background).", float),
    Setting("store_path", "", "Directory of the on-disk Oxigraph store: the release is bulk-loaded there once and opened read-only by every worker; empty: each query worker loads the release into memory."),
    Setting("remote_query_url", "", "SPARQL 1.1 query endpoint of a remote store; when set, the service runs its queries there."),
    Setting("remote_update_url", "", "SPARQL 1.1 update endpoint of the remote store (used by `xiancheng load`)."),
    Setting("remote_graph_store_url", "", "Graph Store Protocol endpoint of the remote store (used by `xiancheng load`; preferred to updates)."),
    Setting("remote_user", "", "User name for HTTP basic authentication to the remote store."),
    Setting("remote_password", "", "Password for HTTP basic authentication to the remote store."),
    Setting("remote_union_default_graph", False, "The remote store's default graph is the union of its named graphs (and it holds only this release): queries with inference then name no graphs, which is faster.", _bool),
    Setting("remote_connections", 16, "Pooled HTTP connections to the remote store per server process.", int),
    Setting("remote_connect_timeout", 3.0, "Seconds to wait for a connection to the remote store.", float),
    Setting("load_batch", 50_000, "Triples per request when `xiancheng load` pushes a release to a remote store.", int),
    Setting("access_log", True, "Write one JSON line per request (method, path, status, durations) to standard error.", _bool),
    Setting("tokens_file", "", "TOML file of access tokens (SHA-256 digests with roles read, write, admin); empty: <data_dir>/tokens.toml. No write token: writes are off."),
    Setting("shapes_file", "", "SHACL shapes every write must satisfy (Turtle); empty: the project's ontology/shapes.ttl."),
    Setting("write_timeout", 30.0, "Seconds a write may wait for the writes before it; past that 503.", float),
    Setting("query_budget", 60.0, "Seconds of query time each client may use per budget window (0: no budget); past that 429.", float),
    Setting("query_budget_window", 60.0, "The window of the query budget, in seconds.", float),
    Setting("content_security_policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'", "Content-Security-Policy header of HTML pages (empty: none)."),
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
