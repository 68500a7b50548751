"""ISCO-08 group codes and English titles (ILO), for the NKZ → ISCO-08 crosswalk.

Only codes and titles are kept: they are facts that let a person or a
statistician see which international group an NKZ group corresponds to.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

ISCO_FILE = Path(__file__).resolve().parent / "data" / "isco08_groups.tsv"


@lru_cache(maxsize=1)
def isco_titles() -> dict[str, str]:
    """ISCO-08 code → English title, for all 619 groups (10 major … 436 unit)."""
    with ISCO_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["title_en"] for row in csv.DictReader(handle, delimiter="\t")}


def isco_unit_codes() -> set[str]:
    return {code for code in isco_titles() if len(code) == 4}
