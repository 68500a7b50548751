"""Build a held-out benchmark of real hh.kz vacancies with weak NKZ labels.

    python tests/heldout/build_hh_cases.py                  # default paths below
    python tests/heldout/build_hh_cases.py path/to/vacancies_flat.csv --nkz path/to/nkz.csv

Why it exists: the development cases were written while Kasip was being
tuned, so they cannot tell how well it does on vacancy texts it has never
seen.  This script turns 1,000 real hh.kz ads from Astana into test cases.
Each ad carries one hh "professional role"; ``hh_roles_nkz.tsv`` (next to
this file) maps every role except "Другое" to the NKZ 2017 unit groups a
vacancy with that role legitimately belongs to.  The mapping was written by
hand from the NKZ structure and example titles, without running the
classifier, so the labels are independent of Kasip's answers.  They are
*weak* labels: a role-level guess, and hh employers sometimes pick the wrong
role, so a few cases are mislabelled.

Output: ``hh_astana.jsonl`` next to this file, one case per ad whose role is
mapped::

    {"id": "hh-<id>", "lang": "ru"|"kk"|"en", "type": "vacancy",
     "title": ..., "duties": ..., "expected": ["2512", ...], "note": <role>}

``duties`` is the ad's responsibility text, or its requirement text when the
responsibility is empty, with HTML tags (e.g. ``<highlighttext>``) removed.
``lang`` comes from the title: Kazakh-specific letters make it "kk", a title
whose letters are all ASCII makes it "en", anything else is "ru".

The script refuses to write anything if the TSV names a unit code that is not
a level-4 row of the NKZ CSV, or maps a role twice.  Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_VACANCIES = REPO / "../shared/data/vacancies/hh_kz_astana_all_roles/vacancies_flat.csv"
DEFAULT_NKZ = REPO / "../shared/data/nkz2017_esutd_d_position/nkz2017_actual.csv"
ROLES_TSV = HERE / "hh_roles_nkz.tsv"
OUTPUT = HERE / "hh_astana.jsonl"

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
TAG = re.compile(r"<[^>]*>")
SPACES = re.compile(r"\s+")


class MappingError(ValueError):
    """The role mapping TSV is malformed or names unknown NKZ codes."""


def unit_codes(nkz_csv: Path) -> set[str]:
    """Return the codes of all level-4 rows (unit groups) of the NKZ CSV."""
    with nkz_csv.open(encoding="utf-8", newline="") as f:
        return {row["code"] for row in csv.DictReader(f) if row["level"] == "4"}


def read_roles(tsv: Path, units: set[str]) -> dict[str, tuple[str, list[str]]]:
    """Read ``role_id -> (role_name, [unit codes])``, checking every code.

    Raises MappingError naming every bad line, so one run shows all problems.
    """
    roles: dict[str, tuple[str, list[str]]] = {}
    problems: list[str] = []
    with tsv.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        expected_header = ["role_id", "role_name", "units", "note"]
        if reader.fieldnames != expected_header:
            raise MappingError(f"{tsv}: header must be {expected_header}, got {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            role_id = (row["role_id"] or "").strip()
            codes = [c.strip() for c in (row["units"] or "").split(",") if c.strip()]
            if not role_id or not codes:
                problems.append(f"line {line}: empty role_id or units")
                continue
            if role_id in roles:
                problems.append(f"line {line}: role {role_id} mapped twice")
            unknown = [c for c in codes if c not in units]
            if unknown:
                problems.append(f"line {line}: role {role_id}: not NKZ unit groups: {', '.join(unknown)}")
            if len(set(codes)) != len(codes):
                problems.append(f"line {line}: role {role_id}: repeated unit code")
            roles[role_id] = (row["role_name"].strip(), codes)
    if problems:
        raise MappingError(f"{tsv}:\n  " + "\n  ".join(problems))
    return roles


def clean(text: str) -> str:
    """Strip HTML tags and entities and collapse whitespace."""
    return SPACES.sub(" ", html.unescape(TAG.sub(" ", text or ""))).strip()


def language(title: str) -> str:
    """Guess the language of a vacancy from its title: "kk", "en" or "ru"."""
    if any(ch in KAZAKH_LETTERS for ch in title):
        return "kk"
    letters = [ch for ch in title if ch.isalpha()]
    if letters and all(ch.isascii() for ch in letters):
        return "en"
    return "ru"


def build_cases(
    vacancies_csv: Path, roles: dict[str, tuple[str, list[str]]], with_requirements: bool = False
) -> list[dict[str, object]]:
    """Turn every vacancy whose hh role is mapped into a benchmark case.

    With *with_requirements* the duties are the responsibility text followed
    by the requirement text, as a whole vacancy reads (education, experience).
    """
    cases: list[dict[str, object]] = []
    seen: set[str] = set()
    with vacancies_csv.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            role_id = (row["professional_role_ids"] or "").strip()
            if role_id not in roles or row["id"] in seen:
                continue
            seen.add(row["id"])
            role_name, codes = roles[role_id]
            title = clean(row["name"])
            duties = clean(row["responsibility"]) or clean(row["requirement"])
            if with_requirements and clean(row["responsibility"]):
                duties = f"{duties} {clean(row['requirement'])}".strip()
            cases.append(
                {
                    "id": f"hh-{row['id']}",
                    "lang": language(title),
                    "type": "vacancy",
                    "title": title,
                    "duties": duties,
                    "expected": codes,
                    "note": role_name,
                }
            )
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vacancies", nargs="?", type=Path, default=DEFAULT_VACANCIES, help="hh.kz vacancies_flat.csv")
    parser.add_argument("--nkz", type=Path, default=DEFAULT_NKZ, help="NKZ 2017 CSV (levels 1-6)")
    parser.add_argument("--roles", type=Path, default=ROLES_TSV, help="role -> units TSV")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="JSONL file to write")
    parser.add_argument("--with-requirements", action="store_true",
                        help="append each ad's requirement text to its duties (written to hh_astana_full.jsonl by default)")
    args = parser.parse_args(argv)

    try:
        roles = read_roles(args.roles, unit_codes(args.nkz))
    except MappingError as error:
        print(f"refusing to build: {error}", file=sys.stderr)
        return 1
    cases = build_cases(args.vacancies, roles, args.with_requirements)
    if args.with_requirements and args.output == OUTPUT:
        args.output = OUTPUT.with_name("hh_astana_full.jsonl")
    with args.output.open("w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")

    langs = Counter(str(case["lang"]) for case in cases)
    empty = sum(1 for case in cases if not case["duties"])
    print(
        f"{len(roles)} roles mapped, {len(cases)} cases written to {args.output} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}; {empty} without duties)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
