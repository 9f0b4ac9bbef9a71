"""Reading the curated source files, with errors that name the file, the row and the problem."""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from rdflib import Literal
from rdflib.namespace import XSD


class SourceError(Exception):
    """A problem in a source file; the build stops and reports it."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path.name}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {message}")


class Record(dict):
    """A row or mapping read from a source file; remembers where it came from."""

    path: Path
    line: int | None

    def error(self, message: str) -> SourceError:
        ident = self.get("id") or self.get("code") or self.get("change_id")
        label = f" ({ident})" if isinstance(ident, str) else ""
        return SourceError(self.path, self.line, message + label)

    def required(self, key: str) -> str:
        value = self.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.error(f"missing value for '{key}'")
        return value.strip() if isinstance(value, str) else value

    def optional(self, key: str) -> str | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def list(self, key: str) -> list:
        """A list value: a YAML list, or a ';'-separated CSV cell."""
        value = self.get(key)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, list):
            return value
        raise self.error(f"'{key}' must be a list")


class _Loader(yaml.SafeLoader):
    """SafeLoader that records line numbers and refuses duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Record:
    loader.flatten_mapping(node)
    record = Record()
    record.line = node.start_mark.line + 1
    record.path = Path(loader.name) if isinstance(loader.name, str) else Path("?")
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in record:
            raise SourceError(record.path, key_node.start_mark.line + 1, f"duplicate key '{key}'")
        record[key] = loader.construct_object(value_node, deep=True)
    return record


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Keep dates and times as the strings the researcher wrote; they are parsed with explicit precision.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path):
    with open(path, encoding="utf-8") as f:
        loader = _Loader(f)
        loader.name = str(path)
        try:
            return loader.get_single_data()
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            raise SourceError(path, mark.line + 1 if mark else None, f"not valid YAML: {e}") from None
        finally:
            loader.dispose()


def read_csv(path: Path, columns: list[str], key: str | None = None) -> list[Record]:
    """Read a CSV file whose header must be exactly ``columns``; ``key`` must be unique."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise SourceError(path, 1, "the file is empty") from None
        if header != columns:
            raise SourceError(path, 1, f"expected columns {columns}, found {header}")
        rows, seen = [], {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise SourceError(path, line, f"expected {len(columns)} cells, found {len(row)}")
            record = Record(zip(columns, row))
            record.path, record.line = Path(path), line
            if key:
                value = record.required(key)
                if value in seen:
                    raise record.error(f"duplicate {key} '{value}' (first on line {seen[value]})")
                seen[value] = line
            rows.append(record)
    return rows


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def date_literal(value: str) -> Literal:
    """``YYYY`` → xsd:gYear, ``YYYY-MM`` → xsd:gYearMonth, ``YYYY-MM-DD`` → xsd:date."""
    import datetime

    m = _DATE.match(str(value).strip())
    if not m:
        raise ValueError(f"'{value}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m.groups()
    if day:
        datetime.date(int(year), int(month), int(day))  # raises on 2023-02-30
        return Literal(f"{year}-{month}-{day}", datatype=XSD.date)
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"'{value}' has no month {month}")
        return Literal(f"{year}-{month}", datatype=XSD.gYearMonth)
    return Literal(year, datatype=XSD.gYear)


def decimal_literal(value) -> Literal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a number") from None
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a finite number")
    return Literal(number, datatype=XSD.decimal)


def positive_integer(value) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[1-9]\d*", text):
        raise ValueError(f"'{value}' is not a positive whole number")
    return int(text)
