"""Screening untrusted SPARQL before an engine sees it.

Both engines execute ``SERVICE`` (an outbound request from the server), and deeply nested queries
crash Oxigraph, so queries from the public endpoint are screened first: the query's codepoint
escapes (``\\u0053ERVICE``) are decoded as a SPARQL parser would, the text is tokenised (so that
keywords inside strings, IRIs and comments do not count), and the query is refused if it calls
``SERVICE``, is an update, nests too deeply or is too long. The screen also finds the query form
(SELECT, ASK, CONSTRUCT, DESCRIBE), which decides the result formats on offer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_LENGTH = 100_000
MAX_DEPTH = 64
# Long chains of operators or clauses (a || b || …, UNION, OPTIONAL, BIND …) make a deep expression
# tree: about 3,000 BINDs or 8,000 additions crashed a pyoxigraph 0.5 process (measured), so a query
# may hold at most this many (|| and && count once).
MAX_CHAIN = 2_000
CHAIN_OPERATORS = set("|&!+-*/^")
CHAIN_KEYWORDS = {"union", "optional", "minus", "bind", "filter", "exists"}

UPDATE_KEYWORDS = {"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"}
FORMS = {"select", "ask", "construct", "describe"}

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NAME = r"[A-Za-z_\u00B7\u00C0-\uFFFF][A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]*"
# One token per match, whitespace skipped in the pattern; the common tokens come first (this runs
# on every query, so it is kept to one C-level match per token and little Python per match).
_TOKEN = re.compile(r"""\s*(?:
    (?P<word>NAME)(?P<local>:[A-Za-z0-9_\-.:%\u00B7\u00C0-\uFFFF]*)?
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<comment>\#[^\n\r]*)
  | (?P<pname>:[A-Za-z0-9_\-.:%\u00B7\u00C0-\uFFFF]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<other>.)
  | $
)""".replace("NAME", _NAME), re.VERBOSE | re.DOTALL)
_SKIP = {"var", "string", "other"}


@dataclass(frozen=True)
class Token:
    kind: str   # word, pname, var, open, close, iri, string, comment or other
    value: str
    start: int
    end: int


def tokens(text: str):
    """The query's tokens, with their positions (whitespace left out). The public face of the
    screen's tokenizer, for code that needs to find its way in a query (service/ui.py,
    graph/remote.py)."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind is None:  # whitespace at the end
            continue
        if kind == "local":
            kind, start = "pname", m.start("word")
        else:
            start = m.start(kind)
        yield Token(kind, text[start:m.end()], start, m.end())


def where_group(text: str) -> int | None:
    """The offset just after the ``{`` that opens the query's WHERE group — not a CONSTRUCT
    template's, nor one inside the SELECT clause (``EXISTS { … }``) — or None if there is none."""
    form = previous = None
    depth = 0
    template_seen = False
    for token in tokens(text):
        if token.kind == "comment":
            continue
        lower = token.value.lower()
        if form is None:
            if token.kind == "word" and lower in FORMS:
                form = lower
            continue
        if token.kind == "open":
            if depth == 0 and token.value == "{":
                if form == "construct" and previous != "where" and not template_seen:
                    template_seen = True
                else:
                    return token.end
            depth += 1
        elif token.kind == "close":
            depth -= 1
        previous = lower
    return None


def subquery_groups(text: str) -> list[int]:
    """The offsets just after the ``{`` that opens the WHERE group of each subquery (a SELECT
    nested in the query), in order; brackets inside a subquery's SELECT clause (``(EXISTS { … }
    AS ?e)``) are not its group."""
    offsets: list[int] = []
    waiting: list[int] = []   # the bracket depths at which subqueries wait for their group
    depth = 0
    for token in tokens(text):
        if token.kind == "word" and depth > 0 and token.value.lower() == "select":
            waiting.append(depth)
        elif token.kind == "open":
            if token.value == "{" and waiting and waiting[-1] == depth:
                offsets.append(token.end)
                waiting.pop()
            depth += 1
        elif token.kind == "close":
            depth -= 1
    return offsets


def binding_groups(text: str) -> list[int]:
    """Where VALUES blocks that bind a query's parameters go: just after the ``{`` of its WHERE
    group and of each subquery's (a subquery is evaluated on its own, so the outer block alone
    would not reach it, where the engine's pre-binding does), last first, so that inserting in this
    order leaves the other offsets valid. Empty if the query has no WHERE group."""
    start = where_group(text)
    return [] if start is None else sorted({start, *subquery_groups(text)}, reverse=True)


class RefusedQuery(ValueError):
    """The query is not accepted; the message says why and what to do instead."""


@dataclass
class Screened:
    text: str                        # the query as received (engines decode escapes themselves)
    form: str                        # select, ask, construct or describe
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    depth: int = 0


def decode_codepoints(text: str) -> str:
    """Apply SPARQL's codepoint escapes (section 19.2), which a parser applies before parsing."""
    def replace(m):
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise RefusedQuery(f"the escape {m.group(0)} is not a valid code point")
        return chr(code)
    return _CODEPOINT.sub(replace, text)


def screen(text: str, max_length: int = MAX_LENGTH, max_depth: int = MAX_DEPTH) -> Screened:
    if len(text) > max_length:
        raise RefusedQuery(f"the query is {len(text)} characters long; the limit is {max_length}")
    decoded = decode_codepoints(text)
    depth = deepest = 0
    form = None
    prefixes: dict[str, str] = {}
    froms: list[tuple[bool, str]] = []
    state = None          # "prefix", "prefix-iri", "from" or "from-named" while reading a clause
    prefix_name = ""
    chain = 0
    for m in _TOKEN.finditer(decoded):
        kind = m.lastgroup
        if kind == "comment" or kind is None:  # a comment may stand inside a clause
            continue
        if kind == "other" or kind == "word":
            symbol = m.group(kind)
            if symbol in CHAIN_OPERATORS or (kind == "word" and symbol.lower() in CHAIN_KEYWORDS):
                chain += 0.5 if symbol in "|&" else 1
                if chain > MAX_CHAIN:
                    raise RefusedQuery(f"the query chains more than {MAX_CHAIN} operators and clauses "
                                       "(||, &&, +, UNION, OPTIONAL, BIND, FILTER …); split it or use VALUES")
        if kind in _SKIP:
            state = None
            continue
        if kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > max_depth:
                    raise RefusedQuery(f"the query nests brackets more than {max_depth} deep; simplify it")
            state = None
            continue
        if kind == "close":
            depth -= 1
            if depth < 0:
                raise RefusedQuery("the query's brackets are not balanced")
            state = None
            continue
        value = m.group(kind) if kind != "local" else m.group("word") + m.group("local")
        if kind == "word":
            word = value.lower()
            if word == "service":
                raise RefusedQuery("SERVICE is not allowed: this endpoint never makes requests to "
                                   "other services; query each endpoint yourself")
            if word in UPDATE_KEYWORDS:
                raise RefusedQuery(f"{value.upper()} is an update; this endpoint only answers queries")
            if form is None and word in FORMS:
                form = word
            if word == "prefix":
                state = "prefix"
                continue
            if word == "from":
                state = "from"
                continue
            if word == "named" and state == "from":
                state = "from-named"
                continue
        elif kind == "local":
            kind = "pname"
        if state == "prefix" and kind == "pname":
            prefix_name, state = value.rstrip(":").lower(), "prefix-iri"
            continue
        if state == "prefix-iri" and kind == "iri":
            prefixes[prefix_name] = value[1:-1]
        elif state in ("from", "from-named") and kind in ("iri", "pname"):
            if kind == "iri":
                froms.append((state == "from-named", value[1:-1]))
            else:
                prefix, _, local = value.partition(":")
                if prefix.lower() in prefixes:
                    froms.append((state == "from-named", prefixes[prefix.lower()] + local))
        state = None
    if depth != 0:
        raise RefusedQuery("the query's brackets are not balanced")
    if form is None:
        raise RefusedQuery("not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return Screened(text, form, [g for named, g in froms if not named],
                    [g for named, g in froms if named], deepest)


def dataset_clause(text: str) -> tuple[list[str], list[str]]:
    """The graphs named by FROM and FROM NAMED (a query with either defines its own dataset)."""
    if "from" not in text.lower():
        return [], []
    try:
        screened = screen(text, max_length=10**9, max_depth=10**9)
    except RefusedQuery:
        return [], []
    return screened.from_graphs, screened.from_named_graphs
