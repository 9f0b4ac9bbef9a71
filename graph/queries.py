"""Named competency queries: ``queries/*.rq`` files whose ``#+`` comment header (YAML) documents
them, in the manner of grlc::

    #+ summary: Which counties were designated sponge-city demonstration counties?
    #+ params:
    #+   - name: county
    #+     type: division
    #+     description: GB/T 2260 code of the county
    #+     required: false

Parameters are validated by type and passed to the engine as pre-bound variables (never spliced
into the query text); a parameter must therefore be a variable of the query's SELECT clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery

from .namespaces import Minter, check_key


def _queries_dir() -> Path:
    here = Path(__file__).resolve().parent.parent / "queries"
    if here.is_dir():
        return here
    from importlib.resources import files

    return Path(str(files("xiancheng") / "queries"))


QUERIES_DIR = _queries_dir()


class ParameterError(ValueError):
    """A parameter value is missing or malformed; the message says what to send."""


def _division(value: str, minter: Minter) -> URIRef:
    if not re.fullmatch(r"\d{6}", value):
        raise ValueError("a six-digit GB/T 2260 code such as 141182")
    return minter.division(value)


def _key(kind: str):
    def convert(value: str, minter: Minter) -> URIRef:
        try:
            return minter.id(kind, check_key(value))
        except ValueError:
            raise ValueError(f"an id such as those in graph/sources (lower-case letters, digits, '-')") from None
    return convert


def _year(value: str, minter: Minter) -> Literal:
    if not re.fullmatch(r"(19|20)\d\d", value):
        raise ValueError("a year such as 2023")
    return Literal(value, datatype=XSD.gYear)


def _string(value: str, minter: Minter) -> Literal:
    if not value or len(value) > 200:
        raise ValueError("a non-empty string of at most 200 characters")
    return Literal(value)


PARAM_TYPES = {
    "division": _division,
    "organisation": _key("organisation"),
    "programme": _key("programme"),
    "source": _key("source"),
    "indicator": _key("indicator"),
    "year": _year,
    "string": _string,
}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    required: bool = False
    example: str | None = None


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: list[Parameter] = field(default_factory=list)

    def bindings(self, values: dict[str, str], minter: Minter) -> dict:
        """Validate ``values`` (strings from a URL or the command line) into RDF terms."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ParameterError(f"unknown parameter(s) {', '.join(unknown)} for query '{self.name}' "
                                 f"(it takes: {', '.join(known) or 'none'})")
        bindings = {}
        for p in self.params:
            value = values.get(p.name)
            if value is None or value == "":
                if p.required:
                    raise ParameterError(f"query '{self.name}' needs parameter '{p.name}': {p.description}")
                continue
            try:
                bindings[p.name] = PARAM_TYPES[p.type](str(value).strip(), minter)
            except ValueError as e:
                raise ParameterError(f"parameter '{p.name}' must be {e}; got {value!r}") from None
        return bindings


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[3:] if line.startswith("#+ ") else line[2:]
                       for line in text.splitlines() if line.startswith("#+"))
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as e:
        raise ValueError(f"{path.name}: the #+ header is not valid YAML: {e}") from None
    if not meta.get("summary"):
        raise ValueError(f"{path.name}: the #+ header needs a summary")
    params = []
    for p in meta.get("params") or []:
        if p.get("type") not in PARAM_TYPES:
            raise ValueError(f"{path.name}: parameter {p.get('name')} has unknown type {p.get('type')!r}")
        params.append(Parameter(p["name"], p["type"], p.get("description", ""),
                                bool(p.get("required", False)), p.get("example")))
    query = NamedQuery(path.stem, path, text, meta["summary"], meta.get("description", ""),
                       list(meta.get("tags") or []), params)
    _check_projection(query)
    return query


def _check_projection(query: NamedQuery) -> None:
    """Parameters are pre-bound by the engine, which (Oxigraph) only allows for projected
    variables; check this when the file is read rather than when a user calls it."""
    try:
        parsed = prepareQuery(query.text)
    except Exception as e:
        raise ValueError(f"{query.path.name}: not valid SPARQL: {e}") from None
    projected = {str(v) for v in getattr(parsed.algebra, "PV", [])}
    for p in query.params:
        if p.name not in projected:
            raise ValueError(f"{query.path.name}: parameter ?{p.name} must be in the SELECT clause")


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    return {q.name: q for q in map(parse_query_file, sorted(Path(directory).glob("*.rq")))}
