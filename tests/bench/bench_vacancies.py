"""Benchmark of the vacancy store on a realistic synthetic store of a million vacancies.

    python -m tests.bench.bench_vacancies                  # 1,000,000 rows, 100,000-row imports
    python -m tests.bench.bench_vacancies --rows 200000 --import-rows 20000 --keep /tmp/bench

What it builds (no network, a temporary SQLite file, seeded, so runs compare):

- **titles** from the demo vacancies (real hh.kz titles, weighted by how often
  they occur) and NKZ 2017 example titles, drawn with a Zipf law — a few
  titles are very common ("Менеджер по продажам"), most are rare;
- **codes** are real NKZ 2017 occupation and unit groups, also Zipf-weighted;
- **descriptions** are real hh snippets from the demo; **cities** follow
  hh.kz's rough shares (Almaty, Astana, Shymkent first); **salaries** half
  stated, mostly KZT, log-normal; **dates** over three years, newer rows with
  higher ids, as an import produces them.

What it measures, against the targets of the issue:

| figure | target |
|---|---|
| related-vacancy search p50 / p99 (mixed codes, cities, salary filter, pages) | p99 ≤ 20 ms |
| statistics for a unit and a city | ≤ 50 ms |
| import of a new file with automatic coding (real resolver) | ≥ 2,000 rows/s |
| re-import of the unchanged file | ≥ 20,000 rows/s |
| database size per million vacancies | reported |

The import is measured three ways, because the resolver is not the store's
to speed up: *cold* (every title new to the store, the full coding rules with
descriptions), *warm* (a second file of new vacancies whose titles the store
has seen, full rules) and *titles only* (no description tie-breaks).  Each
reports the split between resolver time and everything else.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import itertools
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from db.connection import open_database
from db.demo import DEMO_FILE
from db.migrations import migrate
from db.transaction import write_transaction
from db.vacancy_import import import_vacancies, insert_vacancies
from db.vacancy_rows import derived_code_columns, derived_salary_columns
from db.vacancy_search import related_vacancies, search_text
from db.vacancy_stats import vacancy_stats

CITIES = [
    ("Алматы", 34), ("Астана", 24), ("Шымкент", 6), ("Караганда", 5), ("Актобе", 3), ("Атырау", 3),
    ("Павлодар", 2.5), ("Усть-Каменогорск", 2.5), ("Костанай", 2), ("Тараз", 2), ("Актау", 2), ("Уральск", 1.5),
    ("Семей", 1.5), ("Кызылорда", 1), ("Петропавловск", 1), ("Кокшетау", 1), ("Талдыкорган", 1),
    ("Туркестан", 1), ("Экибастуз", 0.7), ("Темиртау", 0.7), ("Жезказган", 0.5), ("Конаев", 0.5),
    ("Рудный", 0.4), ("Жанаозен", 0.4), (None, 5),
]


class Weighted:
    """Draw from items with weights, fast (cumulative weights and bisect)."""

    def __init__(self, items: Sequence, weights: Sequence[float]):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random):
        return self.items[bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]


def zipf(items: Sequence, s: float = 1.05) -> Weighted:
    return Weighted(items, [1 / (rank**s) for rank in range(1, len(items) + 1)])


@dataclass
class World:
    titles: Weighted  # import titles: (title, description variants)
    codes: Weighted  # (code, unit, title pool)
    descriptions: list[str]
    cities: Weighted


def build_world(rng: random.Random) -> World:
    from knowledge.codes import Level
    from knowledge.tree import load_tree

    tree = load_tree()
    with gzip.open(DEMO_FILE, "rt", encoding="utf-8") as handle:
        demo = [json.loads(line) for line in handle]
    descriptions = [r["description"] for r in demo if r.get("description")]
    counts: dict[str, int] = {}
    for row in demo:
        counts[row["title"]] = counts.get(row["title"], 0) + 1
    demo_titles = sorted(counts, key=lambda t: -counts[t])
    examples = [g.name_ru.capitalize() for g in tree.at_level(Level.TITLE)]
    rng.shuffle(examples)
    pool = demo_titles + examples[:3000]
    with_variants = [(title, tuple(rng.sample(descriptions, 3))) for title in pool]  # reposts share texts
    groups = [g for g in tree if g.level in (Level.OCCUPATION, Level.UNIT) and not g.code.startswith("Х")]
    rng.shuffle(groups)
    code_pool = []
    for group in groups:
        titles = [t.name_ru.capitalize() for t in tree.titles(group.code)][:20] or [group.name_ru.capitalize()]
        code_pool.append((group.code, group.unit, titles))
    return World(
        titles=zipf(with_variants),
        codes=zipf(code_pool, s=0.9),
        descriptions=descriptions,
        cities=Weighted([c for c, _ in CITIES], [w for _, w in CITIES]),
    )


def salary(rng: random.Random) -> tuple[int | None, int | None, str | None]:
    if rng.random() < 0.5:
        return None, None, None
    currency = "KZT" if rng.random() < 0.92 else rng.choice(["USD", "RUB"])
    base = int(rng.lognormvariate(12.7, 0.5) // 10_000 * 10_000) or 50_000
    if currency != "KZT":
        base //= 450 if currency == "USD" else 5
    shape = rng.random()
    if shape < 0.4:
        return base, int(base * rng.uniform(1.2, 2.0)), currency
    if shape < 0.8:
        return base, None, currency
    return None, base, currency


# ---------------------------------------------------------------- the store


def generate_store(path: Path, rows: int, world: World, rng: random.Random) -> float:
    """Fill a store with *rows* coded vacancies through the importer's own INSERT; seconds taken."""
    db = open_database(path)
    migrate(db)
    start_day = date(2023, 4, 1)
    span = (date(2026, 3, 31) - start_day).days
    started = time.perf_counter()
    db.execute("INSERT INTO imports (batch_id, path, format, started, status) VALUES ('bench', 'synthetic', 'bench', '', 'done')")
    chunk = 20_000
    for offset in range(0, rows, chunk):
        values = []
        for n in range(offset, min(rows, offset + chunk)):
            code, unit, titles = world.codes.draw(rng)
            low, high, currency = salary(rng)
            published = (start_day + timedelta(days=n * span // rows)).isoformat()
            city = world.cities.draw(rng)
            values.append(
                (
                    "bench", str(n), rng.choice(titles), rng.choice(world.descriptions), f"Employer {rng.randrange(40_000)}",
                    city, city, low, high, currency, "month" if currency else None, None, published,
                    f"https://hh.kz/vacancy/{n}",
                    *derived_salary_columns(low, high, currency, "month" if currency else None),
                    code, unit, "source", None, None, *derived_code_columns(code, unit),
                    "bench", f"{n:032x}",
                )
            )
        with write_transaction(db):
            insert_vacancies(db, values)
        print(f"\r  generated {min(rows, offset + chunk):,} / {rows:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    db.execute("ANALYZE")
    seconds = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return seconds


def size_report(path: Path) -> dict[str, float]:
    db = open_database(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = path.stat().st_size
    parts: dict[str, float] = {}
    try:
        for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            key = "fts" if name.startswith("vacancies_fts") else "table" if name == "vacancies" else (
                "indexes" if name.startswith("vacancies_") or name.startswith("sqlite_autoindex_vacancies") else "other"
            )
            parts[key] = parts.get(key, 0) + size
    except Exception:  # dbstat is an optional SQLite module
        pass
    return {"total": total, **parts}


# ---------------------------------------------------------------- measurements


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_search(path: Path, world: World, rng: random.Random, queries: int) -> dict:
    db = open_database(path)
    codes = [c for c, _, _ in world.codes.items]
    times, by_level = [], {}
    for n in range(queries):
        code = world.codes.draw(rng)[0] if n % 2 else rng.choice(codes)  # half popular, half any group
        city = world.cities.draw(rng) if rng.random() < 0.6 else None
        salary_min = rng.choice([200_000, 400_000, 800_000]) if rng.random() < 0.25 else None
        offset = 0 if rng.random() < 0.8 else 20 * rng.randint(1, 5)
        started = time.perf_counter()
        result = related_vacancies(db, code, city=city, salary_min=salary_min, limit=20, offset=offset)
        elapsed = (time.perf_counter() - started) * 1000
        times.append(elapsed)
        by_level.setdefault(result.level or "none", []).append(elapsed)
    stats_times = []
    units = sorted({u for _, u, _ in world.codes.items if u})
    for _ in range(max(50, queries // 4)):
        unit = world.codes.draw(rng)[1] if rng.random() < 0.5 else rng.choice(units)
        city = world.cities.draw(rng) or "Алматы"
        started = time.perf_counter()
        vacancy_stats(db, unit, city=city)
        stats_times.append((time.perf_counter() - started) * 1000)
    text_times = []
    for _ in range(max(20, queries // 20)):
        title, _ = world.titles.draw(rng)
        words = title.split()[:2]
        started = time.perf_counter()
        search_text(db, " ".join(words), city=world.cities.draw(rng))
        text_times.append((time.perf_counter() - started) * 1000)
    summary = lambda ms: {"p50": percentile(ms, 50), "p99": percentile(ms, 99), "max": max(ms), "n": len(ms)}  # noqa: E731
    return {
        "related": summary(times),
        "related_by_level": {level: summary(ms) for level, ms in sorted(by_level.items())},
        "stats_unit_city": summary(stats_times),
        "full_text": summary(text_times),
    }


def write_import_file(path: Path, rows: int, world: World, rng: random.Random, first_id: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for n in range(first_id, first_id + rows):
            title, variants = world.titles.draw(rng)
            low, high, currency = salary(rng)
            row = {
                "source": "bench-import", "source_id": str(n), "title": title, "description": rng.choice(variants),
                "employer": f"Employer {rng.randrange(40_000)}", "city": world.cities.draw(rng),
                "salary_from": low, "salary_to": high, "currency": currency,
                "published": (date(2026, 4, 1) + timedelta(days=n % 30)).isoformat(),
                "url": f"https://hh.kz/vacancy/{900_000_000 + n}",
            }
            handle.write(json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False) + "\n")


def bench_import(path: Path, world: World, rng: random.Random, rows: int, folder: Path) -> dict:
    from knowledge.resolver import get_resolver

    get_resolver().resolve(title="warm-up")  # loading the resolver is not part of an import's rate
    db = open_database(path)
    results = {}
    files = {}
    for name, first_id in (("cold", 0), ("warm", rows), ("titles_only", 2 * rows)):
        files[name] = folder / f"import-{name}.jsonl"
        write_import_file(files[name], rows, world, rng, first_id)
    for name in ("cold", "warm", "titles_only"):
        started = time.perf_counter()
        report = import_vacancies(db, files[name], "jsonl", use_description=name != "titles_only")
        seconds = time.perf_counter() - started
        resolver = report.coding.resolver_seconds
        results[name] = {
            "rows": rows,
            "seconds": seconds,
            "rows_per_s": rows / seconds,
            "resolver_seconds": resolver,
            "other_seconds": seconds - resolver,
            "rows_per_s_without_resolver": rows / max(seconds - resolver, 1e-9),
            "titles_resolved": report.coding.titles_resolved,
            "descriptions_resolved": report.coding.descriptions_resolved,
            "stored_title_hits": report.coding.stored_hits,
            "coded": report.coded,
            "uncoded": report.uncoded,
        }
        print(f"  import {name}: {rows / seconds:,.0f} rows/s", file=sys.stderr)
    started = time.perf_counter()
    again = import_vacancies(db, files["cold"], "jsonl")
    seconds = time.perf_counter() - started
    assert again.unchanged == rows and again.added == again.updated == 0
    results["reimport_unchanged"] = {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_vacancies", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="vacancies in the store (default 1,000,000)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of each import file (default 100,000)")
    parser.add_argument("--queries", type=int, default=2000, help="related-vacancy searches to time")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--keep", type=Path, help="keep the database and files in this folder")
    parser.add_argument("--skip-import", action="store_true", help="only the store and its searches")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    scratch = None
    if args.keep:
        folder = args.keep
        folder.mkdir(parents=True, exist_ok=True)
    else:
        scratch = tempfile.TemporaryDirectory(prefix="kasip-bench-")
        folder = Path(scratch.name)
    path = folder / "bench.sqlite"
    for leftover in folder.glob("bench.sqlite*"):
        leftover.unlink()
    try:
        world = build_world(rng)
        print(f"generating {args.rows:,} vacancies in {path}", file=sys.stderr)
        figures: dict = {"rows": args.rows, "sqlite": __import__("sqlite3").sqlite_version, "cpus": os.cpu_count()}
        figures["generate_seconds"] = generate_store(path, args.rows, world, rng)
        size = size_report(path)
        figures["size_bytes"] = size
        figures["bytes_per_million"] = size["total"] * 1_000_000 / args.rows
        print("timing searches", file=sys.stderr)
        figures["search_ms"] = bench_search(path, world, rng, args.queries)
        if not args.skip_import:
            print(f"timing imports of {args.import_rows:,} rows", file=sys.stderr)
            figures["import"] = bench_import(path, world, rng, args.import_rows, folder)
        report(figures, args.json)
    finally:
        if scratch:
            scratch.cleanup()
    return 0


def report(figures: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
        return
    mb = lambda b: f"{b / 1e6:,.0f} MB"  # noqa: E731
    size = figures["size_bytes"]
    print(f"store: {figures['rows']:,} vacancies, generated in {figures['generate_seconds']:.0f} s (SQLite {figures['sqlite']})")
    print(
        f"size: {mb(size['total'])} ({mb(figures['bytes_per_million'])} per million)"
        + "".join(f"; {k} {mb(v)}" for k, v in size.items() if k != "total")
    )
    search = figures["search_ms"]
    line = lambda name, s, target: print(  # noqa: E731
        f"{name}: p50 {s['p50']:.2f} ms, p99 {s['p99']:.2f} ms, max {s['max']:.1f} ms over {s['n']} {target}"
    )
    line("related search", search["related"], "(target p99 <= 20 ms)")
    for level, s in search["related_by_level"].items():
        line(f"  stopped at {level}", s, "")
    line("stats unit+city", search["stats_unit_city"], "(target <= 50 ms)")
    line("full-text search", search["full_text"], "(no target)")
    for name, result in figures.get("import", {}).items():
        if name == "reimport_unchanged":
            print(f"re-import unchanged: {result['rows_per_s']:,.0f} rows/s ({result['rows']:,} rows in {result['seconds']:.1f} s; target >= 20,000)")
            continue
        print(
            f"import {name}: {result['rows_per_s']:,.0f} rows/s ({result['rows']:,} rows in {result['seconds']:.1f} s; "
            f"target >= 2,000); {result['titles_resolved']:,} titles + {result['descriptions_resolved']:,} descriptions "
            f"resolved (in worker processes when there are several cores: {result['resolver_seconds']:.1f} s spent waiting "
            f"for them); {result['stored_title_hits']:,} titles known from "
            f"earlier imports; {result['uncoded']:,} left uncoded"
        )


if __name__ == "__main__":
    raise SystemExit(main())
