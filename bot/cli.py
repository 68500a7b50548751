"""The ``kasip`` command: one entry point, one subcommand per job.

    kasip chat                 talk to Kasip in the terminal
    kasip bot                  run the Telegram bot (polling, or --webhook-url …)
    kasip code CODE            show an NKZ 2017 group
    kasip classify TEXT        find NKZ groups for a description (--jsonl for batches)
    kasip vacancies …          import, code, search and chart vacancies
    kasip bench accuracy|speed|bot  measure the resolver and the bot
    kasip index                build the resolver's search index cache
    kasip db migrate           create or update the SQLite database
    kasip version              data and software versions

Subcommands import what they need when they run, so ``kasip code`` does not
pay for the Telegram library and the bot does not pay for benchmarks.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from bot.i18n import LANGUAGES

log = logging.getLogger("kasip")


def _cmd_chat(args: argparse.Namespace) -> int:
    from bot.console import run_chat
    from bot.vacancies import StoreVacancyFinder
    from db.connection import open_database
    from db.migrations import migrate
    from knowledge.tree import load_tree

    db = open_database()
    migrate(db)
    return run_chat(load_tree(), lang=args.lang, vacancies=StoreVacancyFinder(db))


def _cmd_code(args: argparse.Namespace) -> int:
    from bot.cards import render_card
    from bot.dialog import code_not_found_reply
    from knowledge.tree import load_tree

    tree = load_tree()
    group = tree.lookup(args.code)
    if group is None:
        print(code_not_found_reply(tree, args.code, args.lang).text, file=sys.stderr)
        return 1
    print(render_card(group, tree, args.lang))
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from db.connection import database_path, open_database
    from db.migrations import current_version, migrate
    from knowledge.version import data_version, software_version

    path = args.path or database_path()
    db = open_database(path)
    applied = migrate(db)
    with db.conn:
        db["meta"].upsert_all(
            [{"key": "nkz_data_version", "value": data_version()}, {"key": "software_version", "value": software_version()}],
            pk="key",
        )
    if not args.quiet or applied:
        names = ", ".join(m.name for m in applied) or "nothing to do"
        print(f"database {path}: schema version {current_version(db)} ({names})")
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    import time

    from knowledge.index import cache_dir, fingerprint, load_index

    start = time.perf_counter()
    index = load_index()
    print(
        f"resolver index {fingerprint()}: {len(index.entry_text)} names and titles, "
        f"{len(index.occupations)} occupation groups, ready in {time.perf_counter() - start:.1f} s ({cache_dir()})"
    )
    return 0


def _cmd_version(args: argparse.Namespace) -> int:
    from knowledge.version import NKZ_EDITION, data_version, software_version

    print(f"kasip {software_version()}, data {data_version()} ({NKZ_EDITION})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kasip", description="Kasip: occupations by NKZ 2017, on Telegram and in the terminal.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging details")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = commands.add_parser("chat", help="talk to Kasip in the terminal")
    chat.add_argument("--lang", choices=LANGUAGES, help="skip the language question")
    chat.set_defaults(run=_cmd_chat)

    code = commands.add_parser("code", help="show an NKZ 2017 group by its code")
    code.add_argument("code", help="e.g. 7212, 7212-1, 21471, X1000")
    code.add_argument("--lang", choices=LANGUAGES, default="ru", help="language of the card (default ru)")
    code.set_defaults(run=_cmd_code)

    db = commands.add_parser("db", help="manage the SQLite database")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    migrate = db_commands.add_parser("migrate", help="create the database or bring it up to date")
    migrate.add_argument("--path", help="database file (default: KASIP_DB or var/kasip.sqlite)")
    migrate.add_argument("--quiet", action="store_true", help="print only when something changed")
    migrate.set_defaults(run=_cmd_db)

    from bot.bench_cli import register as register_bench
    from bot.bot_cli import register as register_bot
    from bot.classify_cli import register as register_classify
    from db.vacancies_cli import register as register_vacancies

    register_classify(commands)
    register_bot(commands)
    register_vacancies(commands)
    register_bench(commands)

    index = commands.add_parser("index", help="build (or check) the resolver's search index cache")
    index.set_defaults(run=_cmd_index)

    version = commands.add_parser("version", help="show data and software versions")
    version.set_defaults(run=_cmd_version)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else getattr(logging, os.environ.get("KASIP_LOG_LEVEL", "WARNING").upper(), logging.WARNING)
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 2
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
