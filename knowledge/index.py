"""The resolver's search index over NKZ 2017 and Kasip's group knowledge, built once and cached.

Two kinds of evidence are indexed:

* **names** — every example title, group name and alias is a short entry
  of its own; a person's title (or a clause of their description) is
  compared with each entry as a whole, so "электросварщик" matches the
  title "электросварщик" and not merely any title that mentions welding;
* **documents** — one per occupation group, with everything Kasip knows
  about it in three languages (names, titles, Kasip's aliases, what the
  work is, tasks, the everyday phrases people describe it in); duties are
  scored against them with BM25.

Building needs the morphological analyser over ~100,000 words, a few
seconds; the result is pickled under the cache folder, keyed by the data it
was built from, so every later start only loads it.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import math
import os
import pickle
import re
import tempfile
from array import array
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.codes import Level
from knowledge.group_knowledge import GROUPS_DIR, GroupKnowledge, load_knowledge
from knowledge.terms import Word, analyze, written_words
from knowledge.translit import fold
from knowledge.tree import DATA_FILE, NkzTree, load_tree

log = logging.getLogger(__name__)

INDEX_FORMAT = 5
ENGLISH_ALIASES_FILE = Path(__file__).resolve().parent / "data" / "aliases_en.tsv"
ABBREVIATIONS_FILE = Path(__file__).resolve().parent / "data" / "abbreviations.tsv"
SOURCE_SPELLING_FILE = Path(__file__).resolve().parent / "data" / "source_spelling.tsv"
PACKAGE_DIR = Path(__file__).resolve().parent
BM25_K1 = 1.2
BM25_B = 0.75

# Entry kinds, in order of how much a match on them is worth.
KIND_WEIGHT = {"title": 1.0, "name": 1.0, "alias": 1.0, "alias_en": 0.9}


def term_weight(term: str) -> float:
    """Roots and folded forms are weaker evidence than exact lemmas and stems."""
    if term.startswith("~"):
        return 0.5
    if term.startswith("f:"):
        return 0.6
    return 1.0


def text_terms(text: str, keep_derivative: bool = True, lang: str | None = None) -> Counter[str]:
    """Term counts of a text, as the index and the queries both see it."""
    return Counter(dict(_text_terms(text, keep_derivative, lang)))


@lru_cache(maxsize=65536)
def _text_terms(text: str, keep_derivative: bool, lang: str | None) -> tuple[tuple[str, int], ...]:
    counts: Counter[str] = Counter()
    for word in analyze(text, lang):
        if word.derivative and not keep_derivative:
            continue
        counts.update(word_terms(word))
    return tuple(counts.items())


def word_terms(word: Word) -> tuple[str, ...]:
    """The terms of one word: its lemmas, stems and roots, plus the folded key of a Kazakh form."""
    terms = list(dict.fromkeys(word.terms))
    kazakh = next((t for t in word.terms if _is_kazakh_form(t)), None)
    if kazakh:
        terms.append(f"f:{_fold(kazakh)}")
    return tuple(terms)


@lru_cache(maxsize=131072)
def _fold(term: str) -> str:
    return fold(term)


def _is_kazakh_form(term: str) -> bool:
    return not term.startswith("~") and any("\u0400" <= ch <= "\u04ff" for ch in term)


class Postings:
    """term → [(id, value)…] packed into three flat arrays, so the index pickles small and loads fast."""

    def __init__(self, lists: dict[str, tuple[list[int], list[float]]]):
        self.slots: dict[str, int] = {}
        self.offsets = array("I", [0])
        self.ids = array("I")
        self.values = array("f")
        self._arrays: tuple[list[int], np.ndarray, np.ndarray] | None = None  # numpy views, made on first use
        for slot, (term, (ids, values)) in enumerate(sorted(lists.items())):
            self.slots[term] = slot
            self.ids.extend(ids)
            self.values.extend(values)
            self.offsets.append(len(self.ids))

    def __contains__(self, term: str) -> bool:
        return term in self.slots

    def __iter__(self):
        return iter(self.slots)

    def gather(self, weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Ids and weight × value of every posting of the weighted terms, in query order.

        The order is that of a loop over the terms and their postings, so sums
        over it (``numpy.bincount``) come out bit for bit as that loop's would.
        """
        arrays = self._arrays
        if arrays is None:
            arrays = self._arrays = (
                list(self.offsets),
                np.frombuffer(self.ids, dtype=np.uint32).astype(np.intp),
                np.frombuffer(self.values, dtype=np.float32).astype(np.float64),
            )
        offsets, ids, values = arrays
        id_parts: list[np.ndarray] = []
        value_parts: list[np.ndarray] = []
        for term, weight in weights.items():
            slot = self.slots.get(term)
            if slot is None:
                continue
            start, end = offsets[slot], offsets[slot + 1]
            id_parts.append(ids[start:end])
            value_parts.append(values[start:end] * weight if weight != 1.0 else values[start:end])
        if not id_parts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float64)
        return np.concatenate(id_parts), np.concatenate(value_parts)

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "_arrays"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._arrays = None

    def get(self, term: str) -> tuple[range, array, array]:
        """Positions into ``ids``/``values`` for *term* (empty when unknown)."""
        slot = self.slots.get(term)
        if slot is None:
            return range(0), self.ids, self.values
        return range(self.offsets[slot], self.offsets[slot + 1]), self.ids, self.values


@dataclass
class Index:
    """Everything the resolver searches, in compact arrays."""

    occupations: list[str] = field(default_factory=list)  # occupation-group codes, by doc id
    units: list[str] = field(default_factory=list)  # unit of each occupation doc
    entry_owner: list[str] = field(default_factory=list)  # code an entry speaks for (occupation or unit)
    entry_text: list[str] = field(default_factory=list)
    entry_kind: list[str] = field(default_factory=list)
    entry_norm: array = field(default_factory=lambda: array("f"))  # Σ w² over the entry's terms
    entry_postings: Postings = field(default_factory=lambda: Postings({}))  # term → entry ids, weights
    doc_postings: Postings = field(default_factory=lambda: Postings({}))  # term → doc ids, BM25 impacts
    idf: dict[str, float] = field(default_factory=dict)
    vocabulary_by_initial: dict[str, list[str]] = field(default_factory=dict)
    words_by_initial: dict[str, list[str]] = field(default_factory=dict)  # words of the names as written, for typos
    english_terms: frozenset[str] = frozenset()  # stems seen in English titles: tells English from Latin Kazakh
    head_boost: dict[str, float] = field(default_factory=dict)  # how often a term heads a title (сварщик vs цеха)
    fingerprint: str = ""


def _entries(tree: NkzTree, knowledge: GroupKnowledge) -> list[tuple[str, str, str]]:
    """(owner code, text, kind) for every name-like text."""
    items: list[tuple[str, str, str]] = []
    for group in tree:
        if group.level < Level.UNIT:
            continue
        if group.level is Level.TITLE:
            owner = group.parent or group.code
        elif group.level is Level.OCCUPATION and (tree.get(group.parent or "") or group).level is Level.OCCUPATION:
            owner = group.parent or group.code  # the irregular source row speaks for its parent
        else:
            owner = group.code
        kind = "title" if group.level >= Level.OCCUPATION else "name"
        for text in dict.fromkeys((group.name_ru, group.name_kz)):
            items.append((owner, text, kind))
    for alias in knowledge.aliases:
        if tree.get(alias.code) is not None:
            items.append((alias.code, alias.text, "alias_en" if alias.lang == "en" else "alias"))
    if ENGLISH_ALIASES_FILE.exists():
        with ENGLISH_ALIASES_FILE.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if tree.get(row["code"]) is not None:
                    items.append((row["code"], row["text"], "alias_en"))
    return items


@lru_cache(maxsize=1)
def _source_spelling() -> tuple[tuple[re.Pattern[str], str], ...]:
    fixes = []
    if SOURCE_SPELLING_FILE.exists():
        with SOURCE_SPELLING_FILE.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                fixes.append((re.compile(rf"\b{re.escape(row['wrong'])}", re.IGNORECASE), row["right"]))
    return tuple(fixes)


def searchable(name: str) -> str:
    """An NKZ name as it is indexed: the few misspellings of the source (source_spelling.tsv) put right.

    Only the search sees the correction; cards, matched titles and exports
    show the official text as published.
    """
    for wrong, right in _source_spelling():
        name = wrong.sub(right, name)
    return name


def _documents(tree: NkzTree, knowledge: GroupKnowledge) -> tuple[list[str], list[str], list[Counter[str]]]:
    """One bag of terms per occupation group: its names, titles and everything written about it."""
    codes: list[str] = []
    units: list[str] = []
    bags: list[Counter[str]] = []
    # Aliases join their group's document as the official titles do: without them an exact alias
    # ("nail technician") lost to a group whose document merely shares a word with it (held-out
    # hh.kz vacancies, 4-digit top-1: 69.9% without, 71.1% with).
    aliases_of: dict[str, list[str]] = defaultdict(list)
    for alias in knowledge.aliases:
        aliases_of[alias.code].append(alias.text)
    for group in tree.at_level(Level.OCCUPATION):
        parent = tree.get(group.parent or "")
        if parent is None or parent.level is not Level.UNIT:
            continue
        unit = parent
        texts = [searchable(name) for name in (group.name_ru, group.name_kz, unit.name_ru, unit.name_kz)]
        titles = tree.titles(group.code)
        texts += [searchable(t.name_ru) for t in titles] + [searchable(t.name_kz) for t in titles]
        texts += aliases_of.get(group.code, []) + aliases_of.get(unit.code, [])
        texts += list((knowledge.distinctions.get(group.code) or {}).values())
        texts += list((knowledge.descriptions.get(unit.code) or {}).values())
        for items in (knowledge.tasks.get(unit.code) or {}).values():
            texts += items
        for items in (knowledge.everyday.get(unit.code) or {}).values():
            texts += items
        bag: Counter[str] = Counter()
        for text in texts:
            for term, count in text_terms(text).items():
                bag[term] += count
        codes.append(group.code)
        units.append(unit.code)
        bags.append(bag)
    return codes, units, bags


def build_index(tree: NkzTree | None = None, knowledge: GroupKnowledge | None = None) -> Index:
    tree = tree or load_tree()
    knowledge = knowledge or load_knowledge()
    index = Index(fingerprint=fingerprint())
    entries = _entries(tree, knowledge)
    entry_terms = [
        text_terms(searchable(text) if kind in ("title", "name") else text, lang="en" if kind == "alias_en" else None)
        for _, text, kind in entries
    ]
    document_frequency: Counter[str] = Counter()
    for terms in entry_terms:
        document_frequency.update(terms.keys())
    total = len(entries)
    index.idf = {term: math.log(1 + total / df) for term, df in document_frequency.items()}
    index.head_boost = _head_boost(entries, document_frequency)
    postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for entry_id, ((owner, text, kind), terms) in enumerate(zip(entries, entry_terms)):
        norm = 0.0
        for term in terms:
            weight = index.idf[term] * term_weight(term) * index.head_boost.get(term, 1.0)
            norm += weight * weight
            ids, weights = postings[term]
            ids.append(entry_id)
            weights.append(weight)
        index.entry_owner.append(owner)
        index.entry_text.append(text)
        index.entry_kind.append(kind)
        index.entry_norm.append(norm)
    index.entry_postings = Postings(postings)
    index.english_terms = frozenset(
        term for (_, _, kind), terms in zip(entries, entry_terms) if kind == "alias_en" for term in terms
    )

    index.occupations, index.units, bags = _documents(tree, knowledge)
    doc_frequency: Counter[str] = Counter()
    for bag in bags:
        doc_frequency.update(bag.keys())
    lengths = [sum(bag.values()) for bag in bags]
    average = sum(lengths) / len(lengths)
    n_docs = len(bags)
    doc_postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for doc_id, (bag, length) in enumerate(zip(bags, lengths)):
        for term, tf in bag.items():
            idf = math.log(1 + (n_docs - doc_frequency[term] + 0.5) / (doc_frequency[term] + 0.5))
            impact = idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / average))
            ids, impacts = doc_postings[term]
            ids.append(doc_id)
            impacts.append(impact * term_weight(term))
    index.doc_postings = Postings(doc_postings)

    initials: dict[str, list[str]] = defaultdict(list)
    for term in sorted(set(index.entry_postings.slots) | set(index.doc_postings.slots)):  # sorted: the same typo fix whatever the hash seed
        if not term.startswith(("~", "f:")) and len(term) >= 4:
            initials[term[0]].append(term)
    index.vocabulary_by_initial = dict(initials)
    written: dict[str, set[str]] = defaultdict(set)
    for _, text, _ in entries:
        for word in written_words(searchable(text)):
            if len(word) >= 5:
                written[word[0]].add(word)
    index.words_by_initial = {initial: sorted(found) for initial, found in sorted(written.items())}
    return index



def _head_boost(entries: list[tuple[str, str, str]], frequency: Counter[str]) -> dict[str, float]:
    """Weight for the word that names the occupation: first in Russian and English, last in Kazakh.

    "Кассир в супермаркете" and "директор супермаркета" share the rarer word,
    but a title is about its head noun; terms that usually stand at the head
    of NKZ titles (кассир, сварщик, жолсерік) weigh more than their context.
    """
    heads: Counter[str] = Counter()
    for _, text, _ in entries:
        analyzed = [w for w in analyze(text) if not w.derivative]
        if not analyzed:
            continue
        for word in {analyzed[0], analyzed[-1]}:
            heads.update(set(word.terms))
    boost: dict[str, float] = {}
    for term, count in heads.items():
        if frequency.get(term):
            boost[term] = 1.0 + HEAD_WEIGHT * min(1.0, count / frequency[term])
    return boost


HEAD_WEIGHT = 0.8


def fingerprint() -> str:
    """Changes whenever anything the index is built from changes."""
    digest = hashlib.sha256(f"format {INDEX_FORMAT}".encode())
    sources = [DATA_FILE, ENGLISH_ALIASES_FILE, ABBREVIATIONS_FILE, SOURCE_SPELLING_FILE, *sorted(GROUPS_DIR.glob("*.json"))]
    # The code that turns text into terms is part of what the index is built from.
    sources += [PACKAGE_DIR / name for name in ("terms.py", "kazakh_stem.py", "translit.py", "abbreviations.py")]
    sources.append(Path(__file__))
    for path in sources:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """KASIP_CACHE_DIR; else var/cache in a source checkout; else the user's cache folder."""
    configured = os.environ.get("KASIP_CACHE_DIR")
    if configured:
        return Path(configured)
    project = PACKAGE_DIR.parent
    if (project / "pyproject.toml").exists():
        return project / "var" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kasip"


def load_index() -> Index:
    """The cached index if it matches the data, else a fresh build (saved for next time)."""
    key = fingerprint()
    path = cache_dir() / f"resolver-index-{key}.pickle"
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)
        if isinstance(index, Index) and index.fingerprint == key:
            return index
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    log.info("building the resolver index (first start after a data change)")
    index = build_index()
    _save(index, path)
    return index


def _save(index: Index, path: Path) -> None:
    """Write atomically; an unwritable cache only costs the next start a rebuild."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
        for old in path.parent.glob("resolver-index-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not cache the resolver index in %s: %s", path.parent, error)
