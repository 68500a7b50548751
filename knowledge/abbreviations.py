"""Abbreviations people use in job titles (гл., зам., нач., орынб., sr., dev…), expanded.

"Гл. бух" and "зам. нач. отдела" must meet the NKZ titles "главный
бухгалтер" and "заместитель начальника отдела".  The table lives in
``knowledge/data/abbreviations.tsv`` so that a counsellor can extend it
without touching code.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

ABBREVIATIONS_FILE = Path(__file__).resolve().parent / "data" / "abbreviations.tsv"


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """Lower-case abbreviation (without its final dot) → expansion."""
    with ABBREVIATIONS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["abbreviation"].rstrip(".").lower(): row["expansion"] for row in csv.DictReader(handle, delimiter="\t")}


_WORD = re.compile(r"[^\W\d_][\w.\-]*", re.UNICODE)


def expand_abbreviations(text: str) -> str:
    """Replace each known abbreviation (with or without its dot) by its full form."""
    table = abbreviations()

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if "-" in word.strip("-") and word.lower() not in table:
            return "-".join(_WORD.sub(replace, piece) for piece in word.split("-"))
        key = word.rstrip(".").lower()
        if key in table:
            return table[key]
        # "гл.бух", "зам.нач": dotted runs of abbreviations written together.
        parts = [p for p in word.lower().split(".") if p]
        if len(parts) > 1 and all(p in table for p in parts):
            return " ".join(table[p] for p in parts)
        return word

    return _WORD.sub(replace, text)
