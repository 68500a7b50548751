"""``kasip vacancies``: the vacancy store from the command line.

    kasip vacancies import PATH --format hh|csv|jsonl [--map title=Name,city=City] [--source NAME]
    kasip vacancies import --demo [--if-empty]
    kasip vacancies recode
    kasip vacancies search --code 2512 [--city Almaty] [--salary-min 400000] [--limit 20] [--json]
    kasip vacancies search --text "водитель категории C" [--city …]
    kasip vacancies stats --code 2512 [--city …] [--by-city] [--json]
    kasip vacancies chart --code 2512 --out chart.png

``bot/cli.py`` adds it with :func:`register`; ``python -m db.vacancies_cli``
runs it directly (:func:`main`).  The database is ``--db`` or ``KASIP_DB``
(default ``var/kasip.sqlite``), migrated on open.  Exit status: 0 done, 1 a
problem the person can fix (the message says which; no traceback).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from db.vacancy_errors import VacancyStoreError
from db.vacancy_formats import FORMATS

Handler = Callable[[argparse.Namespace], int]


# ---------------------------------------------------------------- plumbing


def _open(args: argparse.Namespace) -> sqlite_utils.Database:
    from db.connection import database_path, open_database
    from db.migrations import migrate

    db = open_database(args.db or database_path())
    migrate(db)
    return db


def _user_errors(handler: Handler) -> Handler:
    """Turn the errors a person can fix into a message and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except VacancyStoreError as error:
            print(f"kasip vacancies: {error}", file=sys.stderr)
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as error:
            print(f"kasip vacancies: database problem: {error}", file=sys.stderr)
        except OSError as error:
            print(f"kasip vacancies: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1

    return run


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _money(value: int | float | None) -> str:
    return "" if value is None else f"{value:,.0f}".replace(",", " ")


def _salary(item: Any) -> str:
    if item.salary_from is None and item.salary_to is None:
        return ""
    if item.salary_from and item.salary_to:
        amount = f"{_money(item.salary_from)}–{_money(item.salary_to)}"
    elif item.salary_from:
        amount = f"from {_money(item.salary_from)}"
    else:
        amount = f"up to {_money(item.salary_to)}"
    period = f"/{item.salary_period}" if item.salary_period and item.salary_period != "month" else ""
    return f"{amount} {item.currency or '?'}{period}"


def _progress(args: argparse.Namespace) -> Callable[[int, int | None], None] | None:
    """A progress bar on stderr for people watching a terminal; nothing for scripts."""
    if getattr(args, "quiet", False) or getattr(args, "json", False) or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        def simple(done: int, total: int | None) -> None:
            print(f"\r{done:,} / {total or '?'} rows", end="", file=sys.stderr, flush=True)

        return simple
    bar = tqdm(unit=" rows", file=sys.stderr, leave=False)

    def update(done: int, total: int | None) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update


def _group_title(code: str) -> str:
    from knowledge.tree import load_tree

    group = load_tree().get(code)
    return f"{code} {group.name_ru}" if group else code


# ---------------------------------------------------------------- actions


def _cmd_import(args: argparse.Namespace) -> int:
    from db.demo import load_demo
    from db.vacancy_import import import_vacancies

    if args.demo == bool(args.path):
        raise VacancyStoreError("give a file to import, or --demo (not both)")
    if args.path and not args.format:
        raise VacancyStoreError("say the file's format: --format " + "|".join(FORMATS))
    db = _open(args)
    progress = _progress(args)
    if args.demo:
        report = load_demo(db, if_empty=args.if_empty, progress=progress)
        if report is None:
            if not args.quiet:
                print("the store already has vacancies; demo not loaded (--if-empty)")
            return 0
    else:
        report = import_vacancies(
            db,
            Path(args.path),
            args.format,
            args.mapping,
            progress,
            source=args.source,
            auto_code=not args.no_code,
            use_description=not args.titles_only,
        )
    if progress:
        print("", file=sys.stderr, end="\r")
    if args.json:
        _print_json(report.as_dict())
        return 0
    if args.quiet:
        return 0
    print(
        f"{report.path} ({report.format}): {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected, {report.duplicates} repeated ids skipped"
        f" — {report.seconds:.1f} s"
    )
    if report.coded or report.uncoded:
        stats = report.coding
        print(
            f"coded automatically: {report.coded} ({report.uncoded} left uncoded); resolver {report.resolver_version}: "
            f"{stats.titles_resolved} titles, {stats.descriptions_resolved} descriptions, {stats.resolver_seconds:.1f} s"
        )
    for line, reason in report.errors[:20]:
        print(f"  line {line}: {reason}")
    if report.rejected > 20:
        print(f"  … {report.rejected - 20} more (--json lists up to 1,000)")
    return 0


def _cmd_recode(args: argparse.Namespace) -> int:
    from db.vacancy_coding import recode

    db = _open(args)
    report = recode(db, progress=_progress(args))
    if args.json:
        _print_json(
            {
                "checked": report.checked,
                "changed": report.changed,
                "unchanged": report.unchanged,
                "uncoded": report.uncoded,
                "resolver_version": report.resolver_version,
                "titles_resolved": report.coding.titles_resolved,
                "descriptions_resolved": report.coding.descriptions_resolved,
                "seconds": round(report.seconds, 3),
            }
        )
        return 0
    print(
        f"recoded with {report.resolver_version}: {report.checked} automatic codes checked, {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.uncoded} uncoded ({report.seconds:.1f} s); manual and source codes kept"
    )
    return 0


def _print_items(items: Sequence[Any], first: int) -> None:
    for number, item in enumerate(items, start=first):
        where = f", {item.match_level}" if item.match_level else ""
        print(f"{number:3}. {item.published or '----------'}  {item.title}  [{item.nkz_code or 'no code'}{where}]")
        details = " · ".join(part for part in (item.employer, item.city, _salary(item)) if part)
        if details:
            print(f"     {details}")
        if item.url:
            print(f"     {item.url}")


def _cmd_search(args: argparse.Namespace) -> int:
    from db.vacancy_search import related_vacancies, search_text

    if bool(args.code) == bool(args.text):
        raise VacancyStoreError("search by --code CODE or by --text WORDS")
    db = _open(args)
    if args.text:
        found = search_text(db, args.text, city=args.city, limit=args.limit, offset=args.offset)
        if args.json:
            _print_json(found.to_dict())
            return 0
        where = f" in {found.city}" if found.city else ""
        total = f"more than {found.total:,}" if found.capped else f"{found.total}"
        print(f"{total} vacancies with “{args.text}”{where}")
        _print_items(found.items, args.offset + 1)
        return 0
    result = related_vacancies(
        db, args.code, city=args.city, salary_min=args.salary_min, limit=args.limit, offset=args.offset
    )
    if args.json:
        _print_json(result.to_dict())
        return 0
    filters = "".join(
        part for part in (f" in {result.city}" if result.city else "", f", salary ≥ {_money(result.salary_min)} KZT" if result.salary_min else "")
    )
    print(f"{_group_title(result.code)}{filters}")
    if result.level is None:
        print("no vacancies at any level up to the sub-major group")
        return 0
    levels = ", ".join(f"{level} {group}: {count}" for level, group, count in result.counts)
    shown = f"{result.offset + 1}–{result.offset + len(result.items)}" if result.items else "none"
    print(f"{result.total} vacancies up to the {result.level} level ({levels}); showing {shown}")
    _print_items(result.items, result.offset + 1)
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from db.vacancy_stats import MIN_SALARIES, SALARY_BASIS, stats_by_city, vacancy_stats

    db = _open(args)
    rows = stats_by_city(db, args.code) if args.by_city else [vacancy_stats(db, args.code, city=args.city)]
    if args.json:
        _print_json([row.to_dict() for row in rows] if args.by_city else rows[0].to_dict())
        return 0
    print(_group_title(rows[0].code if rows else args.code))
    for row in rows:
        place = row.city or ("city not stated" if args.by_city else "all of Kazakhstan")
        if row.has_salaries:
            figures = (
                f"salary median {_money(row.median)} (quartiles {_money(row.q1)} – {_money(row.q3)}) "
                f"from {row.salary_count} stated"
            )
        else:
            figures = f"{row.salary_count} salaries stated, fewer than {MIN_SALARIES}: no figures"
        print(f"  {place}: {row.count} vacancies; {figures}")
    print(f"salaries: {SALARY_BASIS}")
    return 0


def _cmd_chart(args: argparse.Namespace) -> int:
    from bot.vacancy_chart import salary_chart_png

    db = _open(args)
    png = salary_chart_png(db, args.code, lang=args.lang)
    out = Path(args.out)
    out.write_bytes(png)
    print(f"wrote {out} ({len(png):,} bytes)")
    return 0


# ---------------------------------------------------------------- the parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _limit(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 200:
        raise argparse.ArgumentTypeError("must be between 1 and 200")
    return value


def add_actions(parser: argparse.ArgumentParser) -> None:
    """The ``vacancies`` actions, on any parser (the ``kasip`` subcommand or :func:`main`'s own)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database file (default: KASIP_DB or var/kasip.sqlite)")
    actions = parser.add_subparsers(dest="vacancies_action", metavar="ACTION", required=True)

    imp = actions.add_parser("import", parents=[common], help="import a vacancy file (or the demo vacancies)")
    imp.add_argument("path", nargs="?", help="the file (.gz allowed)")
    imp.add_argument("--format", choices=FORMATS, help="hh: hh.kz API items; csv: any CSV with --map; jsonl: Kasip's rows")
    imp.add_argument("--map", dest="mapping", help="CSV columns, e.g. 'title=Name,city=City,description=Req+Resp'")
    imp.add_argument("--source", help="where a CSV's vacancies come from (hh links are recognised by themselves)")
    imp.add_argument("--demo", action="store_true", help="import the demo vacancies shipped with Kasip")
    imp.add_argument("--if-empty", action="store_true", help="with --demo: only into a store with no vacancies")
    imp.add_argument("--no-code", action="store_true", help="do not code vacancies automatically")
    imp.add_argument("--titles-only", action="store_true", help="code from titles alone (faster; no tie-breaking)")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    imp.add_argument("--quiet", action="store_true", help="print nothing when all is well")
    imp.set_defaults(run=_user_errors(_cmd_import))

    rec = actions.add_parser("recode", parents=[common], help="renew automatic codes with the current resolver")
    rec.add_argument("--json", action="store_true")
    rec.set_defaults(run=_user_errors(_cmd_recode))

    search = actions.add_parser("search", parents=[common], help="vacancies near an NKZ code, or by words")
    search.add_argument("--code", help="NKZ code: occupation group (2512-1), unit (2512), minor or sub-major")
    search.add_argument("--text", help="words to look for in titles and descriptions")
    search.add_argument("--city", help="city, any spelling (Almaty, Алма-Ата, Нур-Султан …)")
    search.add_argument("--salary-min", type=_positive, help="at least this many tenge per month")
    search.add_argument("--limit", type=_limit, default=20)
    search.add_argument("--offset", type=_positive, default=0)
    search.add_argument("--json", action="store_true")
    search.set_defaults(run=_user_errors(_cmd_search))

    stats = actions.add_parser("stats", parents=[common], help="vacancy count and salary quartiles for a group")
    stats.add_argument("--code", required=True, help="unit group (2512) or any code from sub-major down")
    stats.add_argument("--city")
    stats.add_argument("--by-city", action="store_true", help="one line per city")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(run=_user_errors(_cmd_stats))

    chart = actions.add_parser("chart", parents=[common], help="PNG of salaries and counts by city for a group")
    chart.add_argument("--code", required=True)
    chart.add_argument("--out", required=True, help="PNG file to write")
    chart.add_argument("--lang", choices=("ru", "kk", "en"), default="ru")
    chart.set_defaults(run=_user_errors(_cmd_chart))


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``vacancies`` to the ``kasip`` command's subparsers."""
    parser = subparsers.add_parser("vacancies", help="the vacancy store: import, search, statistics, charts")
    add_actions(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kasip vacancies", description="Kasip's vacancy store.")
    add_actions(parser)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
