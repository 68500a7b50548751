"""First-pass matching of a job title against NKZ names and known aliases (rapidfuzz).

The simple, explainable baseline the dialog starts with: compare what the
person typed with every example title and group name (Russian and Kazakh),
with the everyday words of Kasip's alias lists, and — for text in Latin
letters — with Kazakh names in Latin and English titles from the ISCO-08
crosswalk.  The full resolver (duties, lemmas, the seed's rules,
confidence and questions) builds on top of it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from knowledge.abbreviations import expand_abbreviations
from knowledge.codes import Level
from knowledge.group_knowledge import load_knowledge
from knowledge.translit import fold, is_latin_kazakh_candidate
from knowledge.tree import Group, NkzTree, load_tree

ENGLISH_ALIASES_FILE = Path(__file__).resolve().parent / "data" / "aliases_en.tsv"


@dataclass(frozen=True)
class TitleMatch:
    """One candidate group and the text that matched best."""

    code: str
    score: float
    matched_code: str
    matched_text: str


def normalize_text(text: str) -> str:
    """Abbreviations expanded, lower case, ё→е, punctuation to spaces, collapsed spaces."""
    text = expand_abbreviations(text).replace("ё", "е").replace("Ё", "Е")
    return utils.default_process(re.sub(r"[\W_]+", " ", text)).strip()


@dataclass
class _Index:
    texts: list[str]
    owners: list[str]  # the group (occupation or unit) each text speaks for
    sources: list[str]  # the row or alias the text came from

    def add(self, text: str, owner: str, source: str) -> None:
        if text:
            self.texts.append(text)
            self.owners.append(owner)
            self.sources.append(source)


def _owner(group: Group, tree: NkzTree) -> str:
    """Titles speak for their occupation group; irregular source rows for their parent."""
    if group.level is Level.TITLE:
        return group.parent or group.code
    parent = tree.get(group.parent or "")
    if group.level is Level.OCCUPATION and parent is not None and parent.level is Level.OCCUPATION:
        return parent.code
    return group.code


@lru_cache(maxsize=1)
def _indexes() -> tuple[_Index, _Index]:
    """(Cyrillic index, Latin index), built once per process."""
    tree = load_tree()
    cyrillic, latin = _Index([], [], []), _Index([], [], [])
    for group in tree:
        if group.level < Level.UNIT:
            continue
        owner = _owner(group, tree)
        for name in {group.name_ru, group.name_kz}:
            cyrillic.add(normalize_text(name), owner, group.code)
        latin.add(fold(group.name_kz), owner, group.code)
    for alias in load_knowledge().aliases:
        if tree.get(alias.code) is None:
            continue
        if alias.lang == "en" or is_latin_kazakh_candidate(alias.text):
            latin.add(fold(normalize_text(alias.text)), alias.code, f"alias:{alias.text}")
        else:
            cyrillic.add(normalize_text(alias.text), alias.code, f"alias:{alias.text}")
            if alias.lang == "kk":
                latin.add(fold(alias.text), alias.code, f"alias:{alias.text}")
    if ENGLISH_ALIASES_FILE.exists():
        with ENGLISH_ALIASES_FILE.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if tree.get(row["code"]) is not None:
                    latin.add(fold(normalize_text(row["text"])), row["code"], f"{row['source']}:{row['text']}")
    return cyrillic, latin


def match_title(text: str, limit: int = 5) -> list[TitleMatch]:
    """The best occupation (or unit) groups for a job title, best first.

    Returns an empty list when the text has nothing to match (empty,
    emoji-only, punctuation).  Each group appears once, with its best text.
    """
    query = normalize_text(text[:400])[:200]
    if not re.search(r"[^\W\d_]{2,}", query):
        return []
    cyrillic, latin = _indexes()
    if is_latin_kazakh_candidate(query):
        index, query = latin, fold(query)
    else:
        index = cyrillic
    if not query:
        return []
    # Two cheap C-level passes gather candidates: WRatio catches typos and
    # partial words, token_set_ratio catches the query as a whole word in a
    # longer title.  The blend below then ranks them.
    positions: set[int] = set()
    for scorer in (fuzz.WRatio, fuzz.token_set_ratio):
        for _, _, position in process.extract(query, index.texts, scorer=scorer, limit=limit * 30, score_cutoff=50):
            positions.add(position)
    best: dict[str, TitleMatch] = {}
    for position in positions:
        matched = index.texts[position]
        score = blended_score(query, matched)
        owner = index.owners[position]
        if owner not in best or score > best[owner].score:
            best[owner] = TitleMatch(owner, score, index.sources[position], matched)
    return sorted(best.values(), key=lambda m: (-m.score, m.code))[:limit]


def blended_score(query: str, text: str) -> float:
    """0–100: whole-word overlap counts most, word order a little, substrings least."""
    return (
        0.5 * fuzz.token_set_ratio(query, text)
        + 0.3 * fuzz.token_sort_ratio(query, text)
        + 0.2 * fuzz.partial_ratio(query, text)
    )
