"""What every NKZ group means, in Kasip's own words: descriptions, tasks, distinctions.

NKZ 2017 itself publishes codes and names only.  The files
``knowledge/data/groups/*.json`` (one per sub-major group, plus
``majors.json``) add, for every group, what people in it actually do — in
Kazakh, Russian and English — together with the crosswalk to ISCO-08, the
groups people confuse it with, the everyday words people use for its
occupations (aliases), and the everyday phrases in which they describe the
work (``everyday``: "кладу плитку", "шаш қиямын"), which only the search reads.  ``python -m knowledge.build.check_content`` keeps them honest.

>>> knowledge = load_knowledge()
>>> bool(knowledge.description("7212", "kk"))
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

GROUPS_DIR = Path(__file__).resolve().parent / "data" / "groups"
LANGS = ("kk", "ru", "en")


@dataclass(frozen=True)
class Crosswalk:
    """How one NKZ unit group relates to ISCO-08 (decided by meaning, not by equal codes)."""

    isco: tuple[str, ...]
    relation: str  # same | part-of | merges | national
    note: str


@dataclass(frozen=True)
class Confusion:
    """Another group people mix up with this one, and how to tell them apart."""

    code: str
    why: dict[str, str]


@dataclass(frozen=True)
class Alias:
    """A word people use for an occupation, with the NKZ code it means."""

    text: str
    lang: str
    code: str
    kind: str
    source: str


@dataclass
class GroupKnowledge:
    """All hand-written knowledge, indexed by NKZ code."""

    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)
    tasks: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    everyday: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # how people put it in chat; search only
    distinctions: dict[str, dict[str, str]] = field(default_factory=dict)
    crosswalk: dict[str, Crosswalk] = field(default_factory=dict)
    confusions: dict[str, list[Confusion]] = field(default_factory=dict)
    aliases: list[Alias] = field(default_factory=list)
    _confused_from: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    def description(self, code: str, lang: str) -> str | None:
        return _in_language(self.descriptions.get(code), lang)

    def task_list(self, code: str, lang: str) -> list[str]:
        by_lang = self.tasks.get(code) or {}
        return list(by_lang.get(lang) or by_lang.get("ru") or [])

    def distinction(self, code: str, lang: str) -> str | None:
        return _in_language(self.distinctions.get(code), lang)

    def confused_with(self, code: str) -> list[Confusion]:
        """Groups people confuse with *code*, with reasons written from *code*'s side."""
        return list(self.confusions.get(code, []))

    def neighbours(self, code: str) -> list[str]:
        """Codes confused with *code* in either direction (reasons aside), each once."""
        if self._confused_from is None:  # who names whom, reversed once (the dialog asks on every card)
            reverse: dict[str, list[str]] = {}
            for other, items in self.confusions.items():
                for item in items:
                    named = reverse.setdefault(item.code, [])
                    if other not in named:
                        named.append(other)
            self._confused_from = reverse
        found = [c.code for c in self.confusions.get(code, [])]
        return found + [other for other in self._confused_from.get(code, []) if other not in found]


def _in_language(texts: dict[str, str] | None, lang: str) -> str | None:
    """The text in *lang*, else Russian, else any: a card never shows an empty field."""
    if not texts:
        return None
    return texts.get(lang) or texts.get("ru") or next(iter(texts.values()), None)


def read_knowledge(directory: Path = GROUPS_DIR) -> GroupKnowledge:
    knowledge = GroupKnowledge()
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for code, entry in (document.get("groups") or {}).items():
            if "description" in entry:
                knowledge.descriptions[code] = dict(entry["description"])
            if "tasks" in entry:
                knowledge.tasks[code] = {lang: list(items) for lang, items in entry["tasks"].items()}
            if "everyday" in entry:
                knowledge.everyday[code] = {lang: list(items) for lang, items in entry["everyday"].items()}
            if "distinction" in entry:
                knowledge.distinctions[code] = dict(entry["distinction"])
            if "isco08" in entry:
                crosswalk = entry["isco08"]
                knowledge.crosswalk[code] = Crosswalk(tuple(crosswalk["codes"]), crosswalk["relation"], crosswalk["note"])
            if entry.get("confused_with"):
                knowledge.confusions[code] = [Confusion(item["code"], dict(item["why"])) for item in entry["confused_with"]]
        for alias in document.get("aliases") or []:
            knowledge.aliases.append(
                Alias(alias["text"], alias["lang"], alias["code"], alias["kind"], alias.get("source", f"kasip:{path.name}"))
            )
    return knowledge


@lru_cache(maxsize=1)
def load_knowledge() -> GroupKnowledge:
    """The knowledge, loaded once per process."""
    return read_knowledge()
