"""Skill levels of NKZ 2017 (the four ISCO-08 levels), derived from the major group.

NKZ fixes the skill level by major group only: 2 → 4, 3 → 3, 4–8 → 2,
9 → 1.  It does not fix it for managers (major group 1): ISCO-08 puts most
managers at level 4 and the hospitality, retail and other services managers
of sub-major group 14 at level 3, so we report "3–4" with that note.  Major
group Х (armed forces, special bodies, incomplete descriptions) has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.codes import CYRILLIC_X

_BY_MAJOR = {"2": 4, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1}


@dataclass(frozen=True)
class SkillLevel:
    """The skill level of a group, as precisely as NKZ allows.

    ``low``/``high`` bound the level (equal when NKZ fixes it); ``isco08``
    is the level ISCO-08 gives where NKZ leaves it open (managers only).
    Both bounds are None for major group Х.
    """

    low: int | None
    high: int | None
    isco08: int | None = None

    @property
    def fixed(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def label(self) -> str:
        """A short label for people: "2", "3–4" or "—"."""
        if self.low is None:
            return "—"
        return str(self.low) if self.fixed else f"{self.low}–{self.high}"

    @property
    def best(self) -> int | None:
        """One number for machines: the fixed level, else the ISCO-08 one."""
        return self.low if self.fixed else self.isco08


def skill_level_of(code: str) -> SkillLevel:
    """Skill level for any canonical code (only its first characters matter)."""
    major = code[:1]
    if major in _BY_MAJOR:
        level = _BY_MAJOR[major]
        return SkillLevel(level, level)
    if major == "1":
        return SkillLevel(3, 4, isco08=3 if code[:2] == "14" else 4)
    if major == CYRILLIC_X:
        return SkillLevel(None, None)
    raise ValueError(f"not an NKZ code: {code!r}")
