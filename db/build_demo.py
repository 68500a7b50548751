"""Maintainer script: build ``db/data/demo_vacancies.jsonl.gz`` from the shared hh.kz samples.

    python -m db.build_demo            # reads ../shared/data/vacancies, writes db/data/
    python -m db.build_demo --check    # only report what it would write

Run once, and again when the resolver improves (the demo's automatic codes
are stamped with the resolver version that made them; ``kasip vacancies
recode`` also renews them inside a database).

What it does, so that ``db/data/SOURCES.md`` can say exactly what changed:

1. reads the three datasets with the generic CSV reader and the column
   mappings in :data:`DATASETS` (the same rules as ``kasip vacancies import``);
2. keeps each hh vacancy id once, the first dataset listed winning (the
   Astana API dump has the most fields);
3. drops hh's tracking parameters from links (``?hhtmFrom=…``);
4. codes every vacancy with Kasip's resolver (title first, description for
   ties — :mod:`db.vacancy_coding`), on every core as any import does;
5. writes Kasip's JSON Lines shape, gzip-compressed, reproducibly (sorted, no
   timestamps in the gzip header).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from db.connection import open_database
from db.migrations import migrate
from db.vacancy_errors import RowError
from db.vacancy_formats import read_csv
from db.vacancy_rows import VacancyRow, hh_vacancy_id

REPO = Path(__file__).resolve().parents[1]
SHARED_VACANCIES = REPO.parent / "shared" / "data" / "vacancies"
OUTPUT = Path(__file__).resolve().parent / "data" / "demo_vacancies.jsonl.gz"


@dataclass(frozen=True)
class Dataset:
    name: str
    path: str  # relative to the shared vacancies folder
    mapping: str
    source: str | None = None


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "hh_kz_astana_all_roles",
        "hh_kz_astana_all_roles/vacancies_flat.csv",
        "source_id=id,title=name,description=requirement+responsibility,employer=employer_name,city=area_name,"
        "salary_from=salary_from,salary_to=salary_to,currency=salary_currency,salary_gross=salary_gross,"
        "salary_period=salary_mode,published=published_at,url=alternate_url",
        source="hh",
    ),
    Dataset(
        "hh_kz_it_2023",
        "hh_kz_it_2023/results.csv",
        "title=title,description=requirements+responsibilities,employer=job,city=city,salary=salary,"
        "published=publish_date,url=url",
    ),
    Dataset(
        "hh_kz_almaty_it_2024",
        "hh_kz_almaty_it_2024/job_listings_all_pages.csv",
        "title=Job Title,employer=Company,salary=Salary,url=Link",
    ),
)


def dataset_path(dataset: Dataset, root: Path = SHARED_VACANCIES) -> Path:
    return root / dataset.path


def clean_link(url: str | None) -> str | None:
    """hh links without tracking parameters: ``…/vacancy/108773136?hhtmFrom=…`` → ``…/vacancy/108773136``."""
    if url and hh_vacancy_id(url):
        return url.split("?", 1)[0].split("#", 1)[0]
    return url


def collect_rows(root: Path = SHARED_VACANCIES) -> tuple[list[VacancyRow], Counter[str]]:
    """All datasets' good rows, each vacancy once; and counts of what was read, kept and skipped."""
    kept: dict[tuple[str, str], VacancyRow] = {}
    counts: Counter[str] = Counter()
    for dataset in DATASETS:
        for _, record in read_csv(dataset_path(dataset, root), dataset.mapping, dataset.source):
            counts[f"{dataset.name}: rows"] += 1
            try:
                if isinstance(record, RowError):
                    raise record
                row = record.row()
            except RowError:
                counts[f"{dataset.name}: rejected"] += 1
                continue
            if record.key in kept:
                counts[f"{dataset.name}: repeated id"] += 1
                continue
            kept[record.key] = replace(row, url=clean_link(row.url))
            counts[f"{dataset.name}: kept"] += 1
    return list(kept.values()), counts


def build(output: Path = OUTPUT, root: Path = SHARED_VACANCIES, workers: int | None = None, write: bool = True) -> dict:
    from db.vacancy_import import import_vacancies

    rows, counts = collect_rows(root)
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / "rows.jsonl"
        with plain.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row.to_json(), ensure_ascii=False) + "\n")
        db_path = Path(scratch) / "demo.sqlite"
        db = open_database(db_path)
        migrate(db)
        report = import_vacancies(db, plain, "jsonl", workers=workers)
        exported = [
            {key: value for key, value in record.items() if value is not None}
            for record in db.query(
                "SELECT source, source_id, title, description, employer, city, region, salary_from, salary_to, currency,"
                " salary_period, salary_gross, published, url, nkz_code, code_origin, code_confidence, code_version"
                " FROM vacancies ORDER BY id"
            )
        ]
    for record in exported:
        if "salary_gross" in record:
            record["salary_gross"] = bool(record["salary_gross"])
    summary = {
        "counts": dict(counts),
        "rows": len(exported),
        "coded": sum(1 for r in exported if r.get("nkz_code")),
        "by_description": report.coding.descriptions_resolved,
        "resolver_version": report.resolver_version,
        "published": [
            min((r["published"] for r in exported if "published" in r), default=None),
            max((r["published"] for r in exported if "published" in r), default=None),
        ],
    }
    if write:
        output.parent.mkdir(parents=True, exist_ok=True)
        payload = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in exported)
        with open(output, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(payload.encode("utf-8"))
        summary["bytes"] = output.stat().st_size
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.build_demo", description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED_VACANCIES, help="folder of the shared vacancy datasets")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--workers", type=int, default=None, help="processes coding vacancies (default: the cores available)")
    parser.add_argument("--check", action="store_true", help="build and report, write nothing")
    args = parser.parse_args(argv)
    summary = build(args.output, args.shared, args.workers, write=not args.check)
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
