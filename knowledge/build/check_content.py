"""Check Kasip's hand-written group knowledge before it is committed.

The files ``knowledge/data/groups/*.json`` hold what every NKZ group means —
descriptions, tasks, distinctions, the ISCO-08 crosswalk and aliases — in
Kasip's own words.  This checker is what keeps them honest: every code
exists, every text is present in every language, nothing is a placeholder or
a duplicate, and no sentence is copied from ISCO-08 or ESCO (no run of
``SHINGLE`` consecutive words shared with those texts).

Usage::

    python -m knowledge.build.check_content                 # all files
    python -m knowledge.build.check_content 21.json 22.json # some files
    python -m knowledge.build.check_content --complete      # also demand full coverage

It exits 1 and lists every problem when anything is wrong.  The test suite
runs the same checks (``tests/test_group_content.py``).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.codes import Level
from knowledge.isco import isco_unit_codes
from knowledge.tree import NkzTree, load_tree

GROUPS_DIR = Path(__file__).resolve().parents[1] / "data" / "groups"
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SHINGLE = 8
LANGS = ("kk", "ru", "en")
RELATIONS = ("same", "part-of", "merges", "national")
MAX_EVERYDAY = 12
ALIAS_KINDS = ("colloquial", "feminine", "kazakh", "abbreviation", "english", "latin-kk", "jargon")
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
PLACEHOLDER = re.compile(r"\b(todo|tbd|fixme|lorem|xxx|placeholder)\b|\.\.\.|…|\?\?", re.IGNORECASE)


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def shingles(text: str, size: int = SHINGLE) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def foreign_shingles(shared: Path = SHARED_DATA) -> set[tuple[str, ...]] | None:
    """All 8-word runs of the ISCO-08 definitions and ESCO descriptions, or None if absent."""
    isco = shared / "isco08_ilo_structure_definitions" / "isco08_structure_definitions.csv"
    esco = shared / "esco_occupations_en" / "occupations_en.csv"
    esco_groups = shared / "esco_occupations_en" / "ISCOGroups_en.csv"
    if not (isco.exists() and esco.exists()):
        return None
    found: set[tuple[str, ...]] = set()
    sources = [
        (isco, ("definition", "tasks_include", "included_occupations", "excluded_occupations", "notes")),
        (esco, ("description", "definition", "scopeNote")),
        (esco_groups, ("description",)),
    ]
    for path, columns in sources:
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in columns:
                    found |= shingles(row.get(column) or "")
    return found


def iter_texts(entry: dict) -> Iterable[tuple[str, str, str]]:
    """(field, lang, text) for every prose string in one group entry."""
    for key in ("description", "distinction"):
        for lang, text in (entry.get(key) or {}).items():
            yield key, lang, text
    for key in ("tasks", "everyday"):
        for lang, items in (entry.get(key) or {}).items():
            for text in items:
                yield key, lang, text
    for item in entry.get("confused_with") or []:
        for lang, text in (item.get("why") or {}).items():
            yield "confused_with", lang, text
    note = (entry.get("isco08") or {}).get("note")
    if note:
        yield "isco08.note", "en", note


def check_language(where: str, lang: str, text: str, report: Report) -> None:
    if not isinstance(text, str) or not text.strip():
        report.add(where, f"empty {lang} text")
        return
    if PLACEHOLDER.search(text):
        report.add(where, f"placeholder-like {lang} text: {text[:60]!r}")
    cyrillic = bool(re.search("[а-яА-ЯёЁ]", text))
    if lang == "en" and cyrillic:
        report.add(where, f"English text contains Cyrillic: {text[:60]!r}")
    if lang in ("ru", "kk") and not cyrillic:
        report.add(where, f"{lang} text is not in Cyrillic: {text[:60]!r}")
    if lang == "ru" and KAZAKH_LETTERS & set(text):
        report.add(where, f"Russian text contains Kazakh letters: {text[:60]!r}")


def sentence_count(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s])


def check_entry(code: str, entry: dict, tree: NkzTree, report: Report) -> None:
    group = tree.get(code)
    if group is None:
        report.add(code, "no such NKZ code")
        return
    level = group.level
    allowed = {
        Level.OCCUPATION: {"distinction"},
        Level.UNIT: {"description", "tasks", "everyday", "isco08", "confused_with"},
    }.get(level, {"description"} if level < Level.UNIT else set())
    for key in entry:
        if key not in allowed:
            report.add(code, f"field {key!r} does not belong to a level-{int(level)} group")
    if level is Level.OCCUPATION:
        distinction = entry.get("distinction") or {}
        for lang in ("kk", "ru"):
            if lang not in distinction:
                report.add(code, f"distinction lacks {lang}")
    elif level <= Level.UNIT:
        description = entry.get("description") or {}
        high = 4 if level is Level.UNIT else 2
        low = 2 if level is Level.UNIT else 1
        for lang in LANGS:
            text = description.get(lang)
            if not text:
                report.add(code, f"description lacks {lang}")
            elif not low <= sentence_count(text) <= high + 1:
                report.add(code, f"{lang} description has {sentence_count(text)} sentences, want {low}-{high}")
    if level is Level.UNIT:
        tasks = entry.get("tasks") or {}
        counts = {lang: len(tasks.get(lang) or []) for lang in LANGS}
        for lang, count in counts.items():
            if not 4 <= count <= 8:
                report.add(code, f"{count} {lang} tasks, want 4-8")
        if len(set(counts.values())) > 1:
            report.add(code, f"task counts differ between languages: {counts}")
        for lang, phrases in (entry.get("everyday") or {}).items():
            if len(phrases) > MAX_EVERYDAY or len(set(phrases)) != len(phrases):
                report.add(code, f"{len(phrases)} {lang} everyday phrases (at most {MAX_EVERYDAY}, no repeats)")
        check_isco(code, entry.get("isco08"), report)
        for item in entry.get("confused_with") or []:
            other = item.get("code", "")
            if tree.get(other) is None:
                report.add(code, f"confused_with names unknown code {other!r}")
            if set((item.get("why") or {})) != set(LANGS):
                report.add(code, f"confused_with {other} needs why in kk, ru, en")
    for key, lang, text in iter_texts(entry):
        if lang not in LANGS:
            report.add(code, f"{key} has unknown language {lang!r}")
        check_language(f"{code} {key}", lang, text, report)


def check_isco(code: str, crosswalk: dict | None, report: Report) -> None:
    if not crosswalk:
        report.add(code, "no isco08 crosswalk")
        return
    relation = crosswalk.get("relation")
    if relation not in RELATIONS:
        report.add(code, f"isco08 relation {relation!r} not in {RELATIONS}")
    codes = crosswalk.get("codes")
    if not isinstance(codes, list) or (not codes and relation != "national"):
        report.add(code, "isco08 codes must be a non-empty list (empty only for national)")
        return
    known = isco_unit_codes()
    for isco in codes:
        if not re.fullmatch(r"\d{4}", str(isco)):
            report.add(code, f"isco08 code {isco!r} is not a 4-digit unit code")
        elif isco not in known:
            report.add(code, f"isco08 code {isco} does not exist in ISCO-08")
    if relation == "same" and len(codes) != 1:
        report.add(code, "relation 'same' takes exactly one ISCO code")
    if not (crosswalk.get("note") or "").strip():
        report.add(code, "isco08 note is empty")


def check_aliases(name: str, aliases: list, tree: NkzTree, report: Report) -> None:
    for number, alias in enumerate(aliases):
        where = f"{name} alias #{number}"
        if tree.get(alias.get("code", "")) is None:
            report.add(where, f"unknown code {alias.get('code')!r}")
        if alias.get("lang") not in LANGS:
            report.add(where, f"lang {alias.get('lang')!r}")
        if alias.get("kind") not in ALIAS_KINDS:
            report.add(where, f"kind {alias.get('kind')!r} not in {ALIAS_KINDS}")
        if not (alias.get("text") or "").strip():
            report.add(where, "empty text")


def load_files(paths: list[Path]) -> dict[Path, dict]:
    return {path: json.loads(path.read_text(encoding="utf-8")) for path in paths}


def check(paths: list[Path], complete: bool = False, tree: NkzTree | None = None) -> Report:
    tree = tree or load_tree()
    report = Report()
    try:
        documents = load_files(paths)
    except (OSError, json.JSONDecodeError) as error:
        report.add("files", str(error))
        return report
    seen_codes: Counter[str] = Counter()
    texts: Counter[tuple[str, str, str]] = Counter()
    for path, document in documents.items():
        for code, entry in (document.get("groups") or {}).items():
            seen_codes[code] += 1
            check_entry(code, entry, tree, report)
            for key, lang, text in iter_texts(entry):
                if key in ("description", "distinction"):
                    texts[(key, lang, text.strip().lower())] += 1
        check_aliases(path.name, document.get("aliases") or [], tree, report)
    for code, count in seen_codes.items():
        if count > 1:
            report.add(code, f"described in {count} files")
    for (key, lang, text), count in texts.items():
        if count > 1:
            report.add("duplicates", f"{count} {lang} {key}s read {text[:70]!r}")
    foreign = foreign_shingles()
    if foreign is not None:
        for path, document in documents.items():
            for code, entry in (document.get("groups") or {}).items():
                for key, lang, text in iter_texts(entry):
                    shared = shingles(text) & foreign
                    if shared:
                        run = " ".join(sorted(shared)[0])
                        report.add(f"{code} {key} {lang}", f"copies ISCO/ESCO wording: {run!r}")
    if complete:
        for group in tree:
            if group.level <= Level.OCCUPATION and group.code not in seen_codes and group.code != "2331-001":
                report.add(group.code, "not described")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check knowledge/data/groups/*.json")
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--complete", action="store_true", help="demand every group be described")
    args = parser.parse_args(argv)
    paths = [p if p.is_absolute() or p.exists() else GROUPS_DIR / p for p in args.files]
    paths = paths or sorted(GROUPS_DIR.glob("*.json"))
    report = check(paths, complete=args.complete)
    for problem in report.problems:
        print(problem)
    print(f"{len(paths)} files, {len(report.problems)} problems")
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
