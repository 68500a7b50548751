"""Convert the ESUTD export of NKZ 2017 into Kasip's own data file.

Run once when the source changes (``make data`` or
``python -m knowledge.build.nkz ../shared/data/nkz2017_esutd_d_position/nkz2017_actual.csv``).
The result, ``knowledge/data/nkz2017.tsv``, is committed, so Kasip runs
without the shared folder.

Why a separate file instead of reading the source CSV: the source carries
columns we can derive from the code (level, parent, unit, major), a per-major
skill level that is not a per-group fact, and internal ids.  We keep only the
facts — code and the official Russian and Kazakh names, byte for byte — and
the ESUTD id and date that let anyone trace a row back to its source.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

from knowledge.codes import Level, level_of, parent_code

DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / (
    "nkz2017_esutd_d_position/nkz2017_actual.csv"
)
DEFAULT_TARGET = Path(__file__).resolve().parents[1] / "data" / "nkz2017.tsv"
COLUMNS = ("code", "level", "parent_code", "name_ru", "name_kz", "esutd_id", "actual_date")

KNOWN_IRREGULAR_CODES = {
    "2331-001": (
        "ESUTD lists this row at level 5 under occupation group 2331-0 with a code "
        "that has no NKZ shape; by its name it is example title 2331-0-001. "
        "Kept exactly as in the source, so the official counts still add up."
    ),
}
"""Source rows whose code does not follow the NKZ pattern, kept as they are, with why."""


class SourceError(ValueError):
    """The source file does not look like the NKZ 2017 export we expect."""


def read_source(path: Path) -> list[dict[str, str]]:
    """Read and check the ESUTD CSV; raise SourceError on anything unexpected."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        code = row["code"]
        if code in KNOWN_IRREGULAR_CODES:
            if row["parent_code"] not in seen:
                raise SourceError(f"line {number}: irregular {code} has unknown parent {row['parent_code']!r}")
        else:
            _check_shape(number, row)
        if code in seen:
            raise SourceError(f"line {number}: duplicate code {code}")
        if not row["name_ru"].strip() or not row["name_kz"].strip():
            raise SourceError(f"line {number}: {code} lacks a Russian or Kazakh name")
        for field in ("name_ru", "name_kz"):
            if "\t" in row[field] or "\n" in row[field]:
                raise SourceError(f"line {number}: {code} {field} contains a tab or newline")
        seen.add(code)
    return rows


def _check_shape(number: int, row: dict[str, str]) -> None:
    code = row["code"]
    level = level_of(code)
    if level is None:
        raise SourceError(f"line {number}: {code!r} is not an NKZ code")
    if int(row["level"]) != level:
        raise SourceError(f"line {number}: {code} has level {row['level']}, shape says {level}")
    expected_parent = parent_code(code) or ""
    if row["parent_code"] != expected_parent:
        raise SourceError(f"line {number}: {code} parent {row['parent_code']!r} != {expected_parent!r}")


def write_target(rows: list[dict[str, str]], target: Path) -> None:
    """Write the compact TSV, sorted in classifier order (parents before children)."""
    ordered = sorted(rows, key=lambda r: _sort_key(r["code"]))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        for row in ordered:
            writer.writerow([row["code"], row["level"], row["parent_code"], row["name_ru"], row["name_kz"], row["esutd_id"], row["actual_date"]])


def _sort_key(code: str) -> tuple[str, ...]:
    # "Х" sorts after the digits in Unicode, so major group X comes last, as in print.
    return tuple(code.split("-"))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET)
    args = parser.parse_args(argv)
    try:
        rows = read_source(args.source)
    except (OSError, SourceError, KeyError) as error:
        print(f"cannot convert {args.source}: {error}", file=sys.stderr)
        return 1
    write_target(rows, args.target)
    counts = {level.name.lower(): sum(1 for r in rows if int(r["level"]) == level) for level in Level}
    print(f"wrote {len(rows)} rows to {args.target}: {counts}")
    print(f"source sha256 {sha256_of(args.source)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
