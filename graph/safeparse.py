"""Reading what clients upload, safely.

Measured here (see ../shared/DESIGN.md): pyoxigraph expands entities in RDF/XML without limit and
aborts the whole process on an expansion bomb; JSON-LD nested about 4,000 deep and SPARQL with long
operator chains crash it outright; rdflib's JSON-LD parser fetches remote and ``file:`` contexts and
its RDF/XML parser hangs on an entity bomb. So an upload is

1. screened here, in the server: size, strict UTF-8, nesting depth, no DOCTYPE or ENTITY
   declaration in XML, no remote (string) ``@context`` or ``@import`` in JSON-LD;
2. parsed by pyoxigraph (which validates IRIs and language tags) in a separate parser process
   (``Sandbox``) with a memory limit and a deadline; if it crashes or overruns it is replaced and
   the client told, and the server carries on.

rdflib never parses an upload. Blank nodes get fresh labels, so two uploads that both say ``_:b1``
do not share a node. Updates are parsed by the same process before the writer runs them.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import threading

from .formats import RDF_FORMATS, Format
from .screen import tokens

_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", re.IGNORECASE)
_XML_TAG = re.compile(r"<(/?)[A-Za-z_][^>]*?(/?)>")


class UnsafeInput(ValueError):
    """The upload is refused before parsing; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class ParseFailed(ValueError):
    """The parser rejected the document (or failed on it); the message says where and why."""


# --- screening -------------------------------------------------------------------------------

def decode_utf8(data: bytes, what: str = "the body") -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UnsafeInput(f"{what} is not UTF-8 (invalid byte at offset {e.start}); send UTF-8") from None


def json_depth(text: str) -> int:
    """How deeply a JSON text nests arrays and objects (strings are skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _bracket_depth(text: str) -> int:
    """Nesting of [ ( { in Turtle-like text (strings, IRIs and comments skipped)."""
    depth = deepest = 0
    for token in tokens(text):
        if token.kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind == "close":
            depth -= 1
    return deepest


def _xml_depth(text: str) -> int:
    depth = deepest = 0
    for m in _XML_TAG.finditer(text):
        if m.group(1):
            depth -= 1
        elif not m.group(2):
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _remote_contexts(node) -> list[str]:
    """Every JSON-LD context given by reference (a string) or imported: both would be fetched."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for ctx in value if isinstance(value, list) else [value]:
                    if isinstance(ctx, str):
                        found.append(ctx)
                    elif isinstance(ctx, dict) and "@import" in ctx:
                        found.append(str(ctx["@import"]))
            found += _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += _remote_contexts(item)
    return found


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_KEYS = ("@id", "@type", "@vocab", "@base")


def _jsonld_problems(node) -> list[str]:
    """Values a JSON-LD processor would drop without a word (an ill-formed language tag, an IRI
    with characters no IRI may hold): the client should hear about them."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@language" and isinstance(value, str) and not _LANGUAGE_TAG.match(value):
                found.append(f"{value!r} is not a language tag")
            elif key in _IRI_KEYS:
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str) and _NOT_IN_IRIS.search(v):
                        found.append(f"{v!r} is not a valid IRI")
            found += _jsonld_problems(value)
    elif isinstance(node, list):
        for item in node:
            found += _jsonld_problems(item)
    return found


def screen_rdf(data: bytes, fmt: Format, max_bytes: int, max_depth: int) -> None:
    """Refuse an upload that is too large, not UTF-8, too deeply nested or that would make a
    parser fetch or expand something."""
    if len(data) > max_bytes:
        raise UnsafeInput(f"the document is {len(data)} bytes; the limit is {max_bytes} (setting "
                          "max_body)", 413)
    if fmt.name == "rdfxml":
        declared = _XML_ENCODING.search(data[:200])
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            raise UnsafeInput(f"the XML declares encoding {declared.group(1).decode()}; send UTF-8", 415)
        if _XML_DECLARATIONS.search(data):
            raise UnsafeInput("RDF/XML with a DOCTYPE or ENTITY declaration is refused (entities can "
                              "expand without limit); send the document without them")
    text = decode_utf8(data, "the document")
    if fmt.name == "jsonld":
        if json_depth(text) > max_depth:
            raise UnsafeInput(f"the JSON-LD nests more than {max_depth} deep; flatten it")
        try:
            document = json.loads(text)
        except ValueError as e:
            raise ParseFailed(f"the JSON-LD is not valid JSON: {e}") from None
        if not isinstance(document, (dict, list)):
            raise ParseFailed("a JSON-LD document is a JSON object or array")
        remote = _remote_contexts(document)
        if remote:
            raise UnsafeInput(f"the JSON-LD refers to a remote context ({remote[0]}); the server "
                              "never fetches contexts: put the context inline")
        problems = _jsonld_problems(document)
        if problems:
            raise UnsafeInput(f"the JSON-LD has values that would be dropped: {problems[0]}")
    elif fmt.name == "rdfxml":
        if _xml_depth(text) > max_depth:
            raise UnsafeInput(f"the RDF/XML nests elements more than {max_depth} deep")
    elif fmt.name in ("turtle", "trig"):
        if _bracket_depth(text) > max_depth:
            raise UnsafeInput(f"the document nests brackets more than {max_depth} deep")


# --- the parser process ------------------------------------------------------------------------

def _parse(ox, data: bytes, fmt: str, base_iri: str | None) -> bytes:
    fresh: dict[str, object] = {}

    def relabel(term):
        if isinstance(term, ox.BlankNode):
            if term.value not in fresh:
                fresh[term.value] = ox.BlankNode()
            return fresh[term.value]
        return term

    quads = [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), q.graph_name)
             for q in ox.parse(data, format=getattr(ox.RdfFormat, fmt), base_iri=base_iri)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b""


def _sandbox_main(conn, memory_bytes: int) -> None:
    import resource

    import pyoxigraph as ox

    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            kind, args = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            if kind == "parse":
                conn.send(("ok", _parse(ox, *args)))
            elif kind == "update":
                text, base_iri = args
                try:   # pyoxigraph cannot only parse an update: run it on an empty store
                    ox.Store().update(text, base_iri=base_iri)
                except (RuntimeError, OSError):
                    pass   # it parsed; what it does to an empty store is beside the point
                conn.send(("ok", None))
        except (SyntaxError, ValueError, OSError) as e:
            conn.send(("error", str(e)))
        except MemoryError:
            conn.send(("error", "the document needs more memory than the parser may use"))


class Sandbox:
    """A parser process, started on first use and replaced if it dies or overruns its deadline."""

    def __init__(self, deadline: float = 10.0, memory_bytes: int = 2 << 30):
        self.deadline = deadline
        self.memory_bytes = memory_bytes
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._process = self._conn = None
        self.restarts = 0

    def _start(self) -> None:
        self._conn, child = self._ctx.Pipe()
        self._process = self._ctx.Process(target=_sandbox_main, args=(child, self.memory_bytes),
                                          daemon=True, name="xiancheng-parser")
        self._process.start()
        child.close()

    def _kill(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(timeout=5)
            self._conn.close()
        self._process = self._conn = None

    def _call(self, kind: str, args: tuple, what: str):
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._kill()
                self._start()
            try:
                self._conn.send((kind, args))
                if not self._conn.poll(self.deadline):
                    self._kill()
                    self.restarts += 1
                    raise ParseFailed(f"reading {what} took more than {self.deadline:g} s; it was stopped")
                status, payload = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self._kill()
                self.restarts += 1
                raise ParseFailed(f"the parser failed on {what} (it may be nested too deeply or "
                                  "malformed); nothing was changed") from None
        if status == "error":
            raise ParseFailed(payload)
        return payload

    def parse(self, data: bytes, fmt: Format, base_iri: str | None = None) -> bytes:
        """The document as N-Quads (blank nodes relabelled); ``ParseFailed`` if it is not valid."""
        return self._call("parse", (data, fmt.oxigraph, base_iri), "the document")

    def check_update(self, text: str, base_iri: str | None = None) -> None:
        """Parse (and run on an empty store) a SPARQL update; ``ParseFailed`` with the parser's
        message if it is not valid."""
        self._call("update", (text, base_iri), "the update")

    def close(self) -> None:
        with self._lock:
            self._kill()


UPLOAD_FORMATS = {name: RDF_FORMATS[name] for name in ("turtle", "ntriples", "rdfxml", "jsonld")}
