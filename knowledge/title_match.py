"""First-pass matching of a job title against NKZ names (rapidfuzz).

This is the simple, honest baseline the dialog starts with: compare what the
person typed with every example title and group name, in Russian and
Kazakh, and keep the best-scoring occupation groups.  The full resolver
(duties, lemmas, the seed's rules, confidence and questions) builds on top
of it; this module stays the fast, explainable "title match" step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

from knowledge.codes import Level
from knowledge.tree import Group, NkzTree, load_tree


@dataclass(frozen=True)
class TitleMatch:
    """One candidate occupation group and the NKZ text that matched best."""

    code: str
    score: float
    matched_code: str
    matched_text: str


def normalize_text(text: str) -> str:
    """Lower case, ё→е, punctuation to spaces, collapsed spaces."""
    text = text.replace("ё", "е").replace("Ё", "Е")
    return utils.default_process(re.sub(r"[\W_]+", " ", text)).strip()


@dataclass(frozen=True)
class _Index:
    texts: list[str]
    owners: list[str]  # occupation-group (or unit) code each text belongs to
    sources: list[str]  # the code of the row the text came from


def _owner(group: Group, tree: NkzTree) -> str:
    if group.level is Level.TITLE:
        return group.parent or group.code
    if group.level is Level.OCCUPATION and tree.get(group.parent or "") is not None:
        parent = tree.get(group.parent or "")
        if parent is not None and parent.level is Level.OCCUPATION:  # irregular source rows
            return parent.code
    return group.code


@lru_cache(maxsize=1)
def _index() -> _Index:
    tree = load_tree()
    texts: list[str] = []
    owners: list[str] = []
    sources: list[str] = []
    for group in tree:
        if group.level < Level.UNIT:
            continue
        owner = _owner(group, tree)
        for name in {group.name_ru, group.name_kz}:
            texts.append(normalize_text(name))
            owners.append(owner)
            sources.append(group.code)
    return _Index(texts, owners, sources)


def match_title(text: str, limit: int = 5) -> list[TitleMatch]:
    """The best occupation (or unit) groups for a job title, best first.

    Returns an empty list when the text has nothing to match (empty,
    emoji-only, punctuation).  Each group appears once, with its best text.
    """
    query = normalize_text(text)[:200]
    if not re.search(r"[^\W\d_]{2,}", query):
        return []
    index = _index()
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
