"""NKZ 2017 code syntax: parsing what people type into canonical codes.

NKZ codes have six levels, and the level is visible in the code's shape:

    2            major group             (or the letter Х)
    21           sub-major group
    214          minor group
    2147         unit group              (Х1000 … Х5000 for major group Х)
    2147-1       occupation group
    2147-1-001   example title

People type codes with spaces, without hyphens (``21471``, ``21471001``) and
with a Latin ``X`` instead of the Cyrillic ``Х`` the data uses.  Everything
that accepts a code from a person goes through :func:`normalize_code`, so the
rest of the program only ever sees canonical codes.
"""

from __future__ import annotations

import re
from enum import IntEnum

CYRILLIC_X = "Х"
"""The data writes major group X with the Cyrillic letter Х (U+0425)."""

_LATIN_OR_CYRILLIC_X = "XxХх"


class Level(IntEnum):
    """The six levels of NKZ 2017, numbered as in the ESUTD source data."""

    MAJOR = 1
    SUB_MAJOR = 2
    MINOR = 3
    UNIT = 4
    OCCUPATION = 5
    TITLE = 6


_CANONICAL = re.compile(
    r"""^(?:
        (?P<major>[1-9Х])
      | (?P<sub>[1-9]\d)
      | (?P<minor>[1-9]\d\d)
      | (?P<unit>[1-9]\d{3}|Х\d000)
      | (?P<occ>(?:[1-9]\d{3}|Х\d000)-\d)
      | (?P<title>(?:[1-9]\d{3}|Х\d000)-\d-\d{3})
    )$""",
    re.VERBOSE,
)

_LEVEL_BY_GROUP = {
    "major": Level.MAJOR,
    "sub": Level.SUB_MAJOR,
    "minor": Level.MINOR,
    "unit": Level.UNIT,
    "occ": Level.OCCUPATION,
    "title": Level.TITLE,
}


def level_of(code: str) -> Level | None:
    """Return the level a canonical code belongs to, or None if it is not canonical."""
    match = _CANONICAL.match(code)
    if match is None:
        return None
    return _LEVEL_BY_GROUP[match.lastgroup or ""]


def is_canonical(code: str) -> bool:
    """True when *code* has the exact shape NKZ uses (it may still not exist)."""
    return level_of(code) is not None


def normalize_code(raw: str) -> str | None:
    """Turn what a person typed into a canonical code, or None if it cannot be one.

    Accepted forms: ``2147-1-001``, ``2147 1 001``, ``21471001``, ``21471``,
    ``2147.1``, ``x1000``, ``Х 1000-0``.  Digits-only input is split by length:
    1–4 digits are a group code, 5 digits a unit plus occupation group,
    8 digits a full example-title code.  The result is only well-formed;
    whether it exists is the tree's business.
    """
    text = raw.strip()
    if not text or len(text) > 32:
        return None
    for x in _LATIN_OR_CYRILLIC_X:
        text = text.replace(x, CYRILLIC_X)
    parts = [p for p in re.split(r"[\s\-‐‑–—._/]+", text) if p]
    if not parts or not all(re.fullmatch(r"Х?\d+|Х", p) for p in parts):
        return None
    joined = "".join(parts)
    head, digits = (CYRILLIC_X, joined[1:]) if joined.startswith(CYRILLIC_X) else ("", joined)
    if len(parts) > 1 and len(parts[0]) == len(head) + 4:
        # The person separated the parts themselves: respect their split.
        candidate = "-".join(parts)
    elif head:
        candidate = _split_x_code(digits)
    else:
        candidate = _split_digits(digits)
    if candidate is None:
        return None
    return candidate if is_canonical(candidate) else None


def _split_digits(digits: str) -> str | None:
    if len(digits) <= 4:
        return digits
    if len(digits) == 5:
        return f"{digits[:4]}-{digits[4]}"
    if len(digits) == 8:
        return f"{digits[:4]}-{digits[4]}-{digits[5:]}"
    return None


def _split_x_code(digits: str) -> str | None:
    if digits == "":
        return CYRILLIC_X
    if len(digits) == 4:
        return CYRILLIC_X + digits
    if len(digits) == 5:
        return f"{CYRILLIC_X}{digits[:4]}-{digits[4]}"
    if len(digits) == 8:
        return f"{CYRILLIC_X}{digits[:4]}-{digits[4]}-{digits[5:]}"
    return None


def parent_code(code: str) -> str | None:
    """The canonical parent of a canonical code, from its shape alone.

    Major group Х has no sub-major or minor groups in NKZ 2017: its unit
    groups (Х1000 …) hang directly under Х.
    """
    level = level_of(code)
    if level is None or level is Level.MAJOR:
        return None
    if level in (Level.OCCUPATION, Level.TITLE):
        return code.rsplit("-", 1)[0]
    if code.startswith(CYRILLIC_X):
        return CYRILLIC_X
    return code[:-1]


def is_residual(code: str) -> bool:
    """Residual groups end in 9: "not elsewhere classified" (н.в.д.г. / б.т.к.).

    Applies to sub-major, minor, unit and occupation groups.  Example-title
    codes and major groups are never residual.
    """
    level = level_of(code)
    if level in (None, Level.MAJOR, Level.TITLE) or code.startswith(CYRILLIC_X):
        return False
    return code[-1] == "9"


def is_undivided(code: str) -> bool:
    """Undivided groups end in 0: the level above was not subdivided (412 → 4120).

    For unit groups this means the minor group has this single unit; for
    occupation groups (``2314-0``) that the unit has a single occupation group.
    """
    level = level_of(code)
    if level not in (Level.UNIT, Level.OCCUPATION) or code.startswith(CYRILLIC_X):
        return False
    return code[-1] == "0"
