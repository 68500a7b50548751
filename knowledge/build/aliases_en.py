"""English job titles for NKZ groups, brought in through the ISCO-08 crosswalk.

NKZ has no English names, but people (and job ads in Kazakhstan) use
English titles: "backend developer", "welder", "HR manager".  The ILO's
ISCO-08 index of occupational titles and ESCO's occupation labels give
tens of thousands of such titles, each filed under an ISCO-08 unit.  Our
crosswalk says which NKZ units each ISCO unit corresponds to, so:

* an ISCO unit that one NKZ unit covers passes its titles to that unit;
* an ISCO unit shared by several NKZ units passes each title to the NKZ
  unit whose English description and tasks share the most words with it,
  and only when one unit clearly wins — otherwise the title is left out.

Titles are facts of their sources and are kept as published (ILO's
inverted "Adviser, careers" is also turned into "careers adviser").  The
result, ``knowledge/data/aliases_en.tsv``, records the source of each row.

Run after the crosswalk changes::

    python -m knowledge.build.aliases_en
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

from knowledge.group_knowledge import GroupKnowledge, read_knowledge

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
TARGET = Path(__file__).resolve().parents[1] / "data" / "aliases_en.tsv"
COLUMNS = ("text", "code", "isco08", "source", "original")
_STOP = {"and", "or", "of", "the", "a", "an", "in", "for", "to", "on", "with", "by", "other", "not", "elsewhere", "classified"}


def uninvert(title: str) -> str:
    """ILO index form to natural order: "Operator, machine: refining" → "machine operator (refining)"."""
    if ", " not in title:
        return title.strip()
    head, rest = title.split(", ", 1)
    modifier, _, qualifier = rest.partition(":")
    natural = f"{modifier.strip()} {head.strip()}"
    return f"{natural} ({qualifier.strip()})" if qualifier.strip() else natural


def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words if w not in _STOP and len(w) > 2}


def unit_vocabulary(knowledge: GroupKnowledge) -> dict[str, set[str]]:
    """English words each NKZ unit uses about itself (description, tasks, occupation lines)."""
    vocabulary: dict[str, set[str]] = defaultdict(set)
    for code, texts in knowledge.descriptions.items():
        if len(code) == 4:
            vocabulary[code] |= _stems(texts.get("en", ""))
    for code, tasks in knowledge.tasks.items():
        vocabulary[code] |= _stems(" ".join(tasks.get("en", [])))
    for code, texts in knowledge.distinctions.items():
        vocabulary[code.split("-")[0]] |= _stems(texts.get("en", ""))
    return vocabulary


def isco_to_nkz(knowledge: GroupKnowledge) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = defaultdict(list)
    for nkz, crosswalk in sorted(knowledge.crosswalk.items()):
        for isco in crosswalk.isco:
            mapping[isco].append(nkz)
    return mapping


def choose_unit(title: str, units: list[str], vocabulary: dict[str, set[str]]) -> str | None:
    if len(units) == 1:
        return units[0]
    words = _stems(title)
    scored = sorted(((len(words & vocabulary.get(u, set())), u) for u in units), reverse=True)
    if scored[0][0] > 0 and scored[0][0] > scored[1][0]:
        return scored[0][1]
    return None


def read_titles(shared: Path) -> list[tuple[str, str, str, str]]:
    """(isco unit, title, source, original) from the ILO index and ESCO labels."""
    titles: list[tuple[str, str, str, str]] = []
    with (shared / "isco08_ilo_index_titles" / "isco08_index_titles_en.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            titles.append((row["isco08"], uninvert(row["title_en"]), "ilo-index", row["title_en"]))
    with (shared / "esco_occupations_en" / "occupations_en.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            unit = (row.get("iscoGroup") or "")[:4]
            titles.append((unit, row["preferredLabel"].strip(), "esco-preferred", row["preferredLabel"].strip()))
            for label in (row.get("altLabels") or "").splitlines():
                if label.strip():
                    titles.append((unit, label.strip(), "esco-alt", label.strip()))
    return titles


def build(shared: Path = SHARED_DATA, target: Path = TARGET) -> dict[str, int]:
    knowledge = read_knowledge()
    mapping = isco_to_nkz(knowledge)
    vocabulary = unit_vocabulary(knowledge)
    rows: dict[tuple[str, str], tuple[str, ...]] = {}
    counts = {"kept": 0, "ambiguous": 0, "unmapped": 0}
    for isco, text, source, original in read_titles(shared):
        units = mapping.get(isco)
        if not units:
            counts["unmapped"] += 1
            continue
        unit = choose_unit(text, units, vocabulary)
        if unit is None:
            counts["ambiguous"] += 1
            continue
        key = (text.lower(), unit)
        if key not in rows:
            rows[key] = (text, unit, isco, source, original)
            counts["kept"] += 1
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(sorted(rows.values(), key=lambda r: (r[1], r[0].lower())))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build knowledge/data/aliases_en.tsv")
    parser.add_argument("--shared", type=Path, default=SHARED_DATA)
    args = parser.parse_args(argv)
    try:
        counts = build(args.shared)
    except (OSError, KeyError) as error:
        print(f"cannot build English aliases: {error}", file=sys.stderr)
        return 1
    print(f"English aliases: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
