"""Search over labels in Chinese, pinyin and English.

Each resource is indexed by its labels (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``), its
code (``xc:divisionCode``), the pinyin the data gives (``xc:pinyin``) and the pinyin of its Chinese
labels from pypinyin (every reading of a character with several, up to a few combinations). A
query matches whole labels, their starts or any part; a Latin query also matches pinyin at syllable
boundaries ("fenyang" and "fen yang" find 汾阳 ``fen yang``) and syllable initials ("fy").
Results are ranked by how well they match, then by what kind of thing they are, then by length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
NOT_WORD = re.compile(r"[\s\W_]+", re.UNICODE)
MAX_READINGS = 8

# how well a key matches: (equal, starts with, contains / starts at an inner syllable)
TEXT_SCORES = (100, 85, 65)
PINYIN_SCORES = (95, 80, 55)
INITIALS_SCORES = (45, 40, 0)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def compact(text: str) -> str:
    return NOT_WORD.sub("", normalise(text))


def readings(text: str) -> list[list[str]]:
    """Syllable lists for the Chinese ``text``: the usual reading first, then each other reading of
    one character at a time (at most ``MAX_READINGS`` in all). Other characters stay as they are."""
    from pypinyin import Style, pinyin

    options = pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda s: [s.lower()])
    options = [[o.replace("ü", "v").strip() for o in dict.fromkeys(opts)] for opts in options]
    usual = [opts[0] for opts in options]
    combos = [usual]
    for i, opts in enumerate(options):
        for other in opts[1:]:
            if len(combos) >= MAX_READINGS:
                break
            combos.append(usual[:i] + [other] + usual[i + 1:])
    return [[s for s in combo if s] for combo in combos]


@dataclass
class Key:
    text: str                     # compact form
    kind: str                     # text, pinyin or initials
    starts: frozenset = frozenset()   # where the syllables of a pinyin key start in ``text``


def _pinyin_key(syllables) -> Key:
    starts, at = set(), 0
    for s in syllables:
        starts.add(at)
        at += len(s)
    return Key("".join(syllables), "pinyin", frozenset(starts))


@dataclass
class Entry:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)    # lang → preferred label
    type: str | None = None
    type_labels: dict[str, str] = field(default_factory=dict)
    boost: int = 0
    keys: list[Key] = field(default_factory=list)


@dataclass
class Hit:
    entry: Entry
    score: float
    matched: str

    def label(self, lang: str) -> str:
        return self.entry.labels.get(lang) or next(iter(self.entry.labels.values()), self.entry.iri)


class SearchIndex:
    def __init__(self):
        self.entries: dict[str, Entry] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, iri: str, text: str, kind: str, lang: str | None = None) -> None:
        """``kind``: label (the preferred label in ``lang``), alt (another name), pinyin or code."""
        entry = self.entries.setdefault(iri, Entry(iri))
        if kind == "label" and lang and lang not in entry.labels:
            entry.labels[lang] = text
        if kind == "pinyin":
            syllables = tuple(s for s in normalise(text).replace("ü", "v").split() if s)
            self._add_syllables(entry, syllables)
            return
        entry.keys.append(Key(compact(text), "text"))
        if CJK.search(text):
            for syllables in readings(text):
                self._add_syllables(entry, tuple(syllables))

    def _add_syllables(self, entry: Entry, syllables: tuple[str, ...]) -> None:
        if not syllables:
            return
        joined = "".join(syllables)
        if any(k.kind == "pinyin" and k.text == joined for k in entry.keys):
            return
        entry.keys.append(_pinyin_key(syllables))
        entry.keys.append(Key("".join(s[0] for s in syllables), "initials"))
        if "v" in joined:   # lü is typed as lv or lu
            entry.keys.append(_pinyin_key([s.replace("v", "u") for s in syllables]))

    def set_type(self, iri: str, type_iri: str, labels: dict[str, str], boost: int) -> None:
        entry = self.entries.get(iri)
        if entry is not None and (entry.type is None or boost > entry.boost):
            entry.type, entry.type_labels, entry.boost = type_iri, labels, boost

    def search(self, query: str, limit: int = 20, type_iri: str | None = None) -> list[Hit]:
        q = compact(query)
        if not q:
            return []
        latin = q.isascii() and q.isalnum()
        hits = []
        for entry in self.entries.values():
            if type_iri and entry.type != type_iri:
                continue
            best, matched = 0, ""
            for key in entry.keys:
                score = _score(q, key, latin)
                if score > best:
                    best, matched = score, key.kind
            if best:
                label = next(iter(entry.labels.values()), entry.iri)
                hits.append(Hit(entry, best + entry.boost - min(len(label), 99) / 100, matched))
        hits.sort(key=lambda h: (-h.score, h.entry.iri))
        return hits[:limit]


def _score(q: str, key: Key, latin: bool) -> int:
    if key.kind == "text":
        if key.text == q:
            return TEXT_SCORES[0]
        if key.text.startswith(q):
            return TEXT_SCORES[1]
        return TEXT_SCORES[2] if q in key.text else 0
    if not latin:
        return 0
    if key.kind == "initials":
        if len(q) < 2:
            return 0
        return INITIALS_SCORES[0] if key.text == q else INITIALS_SCORES[1] if key.text.startswith(q) else 0
    if key.text == q:
        return PINYIN_SCORES[0]
    if key.text.startswith(q):
        return PINYIN_SCORES[1]
    if len(q) >= 3:
        at = key.text.find(q, 1)
        while at != -1:
            if at in key.starts:
                return PINYIN_SCORES[2]
            at = key.text.find(q, at + 1)
    return 0
