"""The demo vacancies: about 3,600 real hh.kz vacancies shipped with Kasip.

``kasip vacancies import --demo`` and ``make run`` (on first start) load them so
that a fresh install shows real vacancies next to its codes.  Where they come
from and what was changed is in ``db/data/SOURCES.md``; the file is made by
``python -m db.build_demo``.

The file already carries the automatic codes Kasip's resolver gave when it
was built (``code_origin = 'auto'``, stamped with the resolver version), so
loading takes a second instead of resolving every title on first start;
``kasip vacancies recode`` renews them with the current resolver.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from db.vacancy_import import ImportReport, Progress, import_vacancies

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_vacancies.jsonl.gz"


def has_vacancies(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT EXISTS (SELECT 1 FROM vacancies)").fetchone()[0] == 1


def load_demo(
    db: sqlite_utils.Database, *, if_empty: bool = False, progress: Progress | None = None
) -> ImportReport | None:
    """Import the demo vacancies (idempotent); with *if_empty*, only into a store with none yet.

    Returns None when *if_empty* skipped the import.  The resolver is not
    loaded: the few vacancies it could not place when the file was built
    stay uncoded until ``recode`` tries them again.
    """
    if if_empty and has_vacancies(db):
        return None
    return import_vacancies(db, DEMO_FILE, "jsonl", progress=progress, auto_code=False)
