"""The NKZ 2017 classifier tree: every group, its names, parents and children.

Loaded from ``knowledge/data/nkz2017.tsv`` (made by ``knowledge.build.nkz``
from the official ESUTD export).  Names are kept exactly as the source has
them, in upper case; :mod:`knowledge.display` makes a readable form for
showing to people.  This module knows nothing of Telegram or SQL.

>>> tree = load_tree()
>>> tree.get("5111-2-002").name_ru
'ПРОВОДНИК НА ВОДНОМ ТРАНСПОРТЕ'
>>> [g.code for g in tree.path("2147-1")]
['2', '21', '214', '2147', '2147-1']
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge.codes import CYRILLIC_X, Level, is_residual, is_undivided, level_of, normalize_code
from knowledge.skill import SkillLevel, skill_level_of

DATA_FILE = Path(__file__).resolve().parent / "data" / "nkz2017.tsv"


@dataclass(frozen=True)
class Group:
    """One row of NKZ 2017: a group at any level, or an example title."""

    code: str
    level: Level
    parent: str | None
    name_ru: str
    name_kz: str
    esutd_id: str
    actual_date: str
    children: tuple[str, ...] = field(default=(), compare=False)

    def name(self, lang: str) -> str:
        """The official name in Kazakh for ``kk``, else in Russian (NKZ has no English)."""
        return self.name_kz if lang == "kk" else self.name_ru

    @property
    def unit(self) -> str | None:
        """The unit-group code this row belongs to (None above unit level)."""
        if self.level < Level.UNIT:
            return None
        return self.code.split("-")[0]

    @property
    def major(self) -> str:
        return self.code[0]

    @property
    def residual(self) -> bool:
        return is_residual(self.code)

    @property
    def undivided(self) -> bool:
        return is_undivided(self.code)

    @property
    def skill_level(self) -> SkillLevel:
        return skill_level_of(self.code)


class NkzTree:
    """All of NKZ 2017 in memory, indexed by code.

    Look-ups accept anything a person might type (see
    :func:`knowledge.codes.normalize_code`); everything returned is a real
    row of the classifier.
    """

    def __init__(self, groups: dict[str, Group]):
        self._groups = groups

    def __len__(self) -> int:
        return len(self._groups)

    def __iter__(self) -> Iterator[Group]:
        return iter(self._groups.values())

    def __contains__(self, code: object) -> bool:
        return code in self._groups

    def get(self, code: str) -> Group | None:
        """The group with exactly this canonical code, or None."""
        return self._groups.get(code)

    def lookup(self, raw: str) -> Group | None:
        """The group a person meant by *raw* ("21471", "x1000", " 7212 "), or None."""
        text = raw.strip().replace("X", CYRILLIC_X).replace("x", CYRILLIC_X)
        if text in self._groups:  # also finds the few irregular source codes
            return self._groups[text]
        code = normalize_code(raw)
        return self._groups.get(code) if code else None

    def at_level(self, level: Level) -> list[Group]:
        return [g for g in self._groups.values() if g.level is level]

    def path(self, code: str) -> list[Group]:
        """From the major group down to *code* itself."""
        chain: list[Group] = []
        current = self._groups.get(code)
        while current is not None:
            chain.append(current)
            current = self._groups.get(current.parent) if current.parent else None
        return list(reversed(chain))

    def children(self, code: str) -> list[Group]:
        group = self._groups.get(code)
        return [self._groups[c] for c in group.children] if group else []

    def titles(self, code: str) -> list[Group]:
        """Every example title at or below *code*, in classifier order."""
        found: list[Group] = []
        stack = [code]
        while stack:
            group = self._groups.get(stack.pop())
            if group is None:
                continue
            if group.level is Level.TITLE:
                found.append(group)
            stack.extend(reversed(group.children))
        return found

    def nearest(self, raw: str, limit: int = 5) -> list[Group]:
        """Existing groups closest to a code that does not exist.

        Closeness is what a person who mistyped would mean: same level as the
        typed shape, longest shared prefix first, then the smallest numeric
        distance.  When the input is not code-shaped at all, nothing.
        """
        code = normalize_code(raw)
        if code is None:
            return []
        level = level_of(code)
        same_level = [g for g in self._groups.values() if g.level is level]

        def closeness(group: Group) -> tuple[int, int]:
            shared = 0
            for a, b in zip(group.code, code):
                if a != b:
                    break
                shared += 1
            return (-shared, abs(_numeric(group.code) - _numeric(code)))

        return sorted(same_level, key=closeness)[:limit]


def _numeric(code: str) -> int:
    digits = "".join(ch for ch in code if ch.isdigit())
    return int(digits) if digits else 0


def read_groups(path: Path = DATA_FILE) -> dict[str, Group]:
    """Read the TSV into groups with their children filled in."""
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    children: dict[str, list[str]] = {}
    for row in rows:
        if row["parent_code"]:
            children.setdefault(row["parent_code"], []).append(row["code"])
    return {
        row["code"]: Group(
            code=row["code"],
            level=Level(int(row["level"])),
            parent=row["parent_code"] or None,
            name_ru=row["name_ru"],
            name_kz=row["name_kz"],
            esutd_id=row["esutd_id"],
            actual_date=row["actual_date"],
            children=tuple(children.get(row["code"], ())),
        )
        for row in rows
    }


@lru_cache(maxsize=1)
def load_tree() -> NkzTree:
    """The classifier, loaded once per process."""
    return NkzTree(read_groups())
