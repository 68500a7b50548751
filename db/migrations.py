"""Schema migrations: an ordered list of steps, each applied once, in a transaction.

Why our own small runner rather than a framework: the schema is a handful of
tables in one embedded file, and the bot must be able to migrate itself on
start-up with no extra tool installed.  The applied version is kept in
SQLite's own ``user_version`` pragma, so there is no bookkeeping table to
get out of step with the schema.

New steps are appended to :data:`MIGRATIONS`; a step that has shipped is
never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from db.conversations import create_conversation_tables


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


def _create_meta(db: sqlite_utils.Database) -> None:
    """Key-value facts about this database: which data and software wrote it."""
    db["meta"].create({"key": str, "value": str}, pk="key")


def _run(db: sqlite_utils.Database, statements: tuple[str, ...]) -> None:
    """Run DDL one statement at a time: ``executescript`` would commit the open migration transaction."""
    for statement in statements:
        db.execute(statement)


# The vacancy store (db/vacancy_*.py).  The coarser code levels and the
# salary figures that search and statistics filter on are stored columns
# that the store computes (db.vacancy_rows.derived_*) and CHECK constraints
# hold to their definition, so they can never disagree with the code and
# salary they come from.  (Not generated columns: SQLite 3.40 never answers
# a query from an index alone once it touches a generated column, and
# counting a sub-major group would read every row.)  Each search level has
# two covering indexes — (level, published, id) for "newest first" and
# (level, city, published, id) for a city — ending in the KZT salary so a
# salary filter is answered from the index alone.  (``id`` is spelled out
# because the salary column would otherwise come between the date and the
# implicit rowid, and "newest first, then highest id" paging would need a
# sort.)
_VACANCY_STORE = (
    """CREATE TABLE imports (
        batch_id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        source TEXT,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
        added INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        resolver_version TEXT
    )""",
    """CREATE TABLE vacancies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT,
        employer TEXT,
        city TEXT,
        region TEXT,
        salary_from INTEGER CHECK (salary_from IS NULL OR salary_from > 0),
        salary_to INTEGER CHECK (salary_to IS NULL OR salary_to > 0),
        currency TEXT,
        salary_period TEXT,
        salary_gross INTEGER,
        published TEXT,
        url TEXT,
        nkz_code TEXT,
        nkz_unit TEXT,
        code_origin TEXT CHECK (code_origin IN ('source', 'auto', 'manual')),
        code_confidence REAL,
        code_version TEXT,
        import_batch TEXT REFERENCES imports (batch_id),
        content_hash TEXT NOT NULL,
        nkz_minor TEXT CHECK (nkz_minor IS (
            CASE WHEN coalesce(nkz_unit, nkz_code) GLOB '[1-9][0-9][0-9]*'
                 THEN substr(coalesce(nkz_unit, nkz_code), 1, 3) END)),
        nkz_sub_major TEXT CHECK (nkz_sub_major IS (
            CASE WHEN coalesce(nkz_unit, nkz_code) GLOB '[1-9][0-9]*'
                 THEN substr(coalesce(nkz_unit, nkz_code), 1, 2) END)),
        salary_kzt_top INTEGER CHECK (salary_kzt_top IS (
            CASE WHEN currency = 'KZT' AND coalesce(salary_period, 'month') = 'month'
                 THEN coalesce(salary_to, salary_from) END)),
        salary_kzt_mid REAL CHECK (salary_kzt_mid IS (
            CASE WHEN currency = 'KZT' AND coalesce(salary_period, 'month') = 'month'
                 THEN CASE WHEN salary_from IS NOT NULL AND salary_to IS NOT NULL
                           THEN (salary_from + salary_to) / 2.0
                           ELSE coalesce(salary_from, salary_to) END END)),
        CHECK (nkz_code IS NOT NULL OR code_origin IS NULL)
    )""",
    # A named index rather than a UNIQUE clause, so the import can insist on it
    # (INDEXED BY): with a long IN list the planner may otherwise scan the table.
    "CREATE UNIQUE INDEX vacancies_by_source ON vacancies (source, source_id)",
    *(
        statement
        for column in ("nkz_code", "nkz_unit", "nkz_minor", "nkz_sub_major")
        for statement in (
            f"CREATE INDEX vacancies_by_{column} ON vacancies ({column}, published, id, salary_kzt_top)"
            f" WHERE {column} IS NOT NULL",
            f"CREATE INDEX vacancies_by_{column}_city ON vacancies ({column}, city, published, id, salary_kzt_top)"
            f" WHERE {column} IS NOT NULL",
        )
    ),
    """CREATE INDEX vacancies_unit_salaries ON vacancies (nkz_unit, city, salary_kzt_mid)
        WHERE salary_kzt_mid IS NOT NULL AND nkz_unit IS NOT NULL""",
)

# Full-text search over title and description: an external-content FTS5
# table (the text is stored once, in ``vacancies``).  The city is indexed
# too, so "these words in Taraz" is one index intersection instead of a
# look-up of every vacancy that has the words.  Updates and deletes
# keep it in step by triggers.  New rows are indexed by the importer, in the
# same transaction, with one INSERT … SELECT per batch
# (db.vacancy_import.insert_vacancies): a per-row insert trigger makes FTS5
# flush its buffer at every row's statement savepoint, which halves import
# speed.  ``rebuild_full_text`` re-creates the index from the table.
_VACANCY_FTS = (
    """CREATE VIRTUAL TABLE vacancies_fts USING fts5(
        title, description, city, content='vacancies', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER vacancies_fts_delete AFTER DELETE ON vacancies BEGIN
        INSERT INTO vacancies_fts (vacancies_fts, rowid, title, description, city)
        VALUES ('delete', old.id, old.title, old.description, old.city);
    END""",
    """CREATE TRIGGER vacancies_fts_update AFTER UPDATE OF title, description, city ON vacancies BEGIN
        INSERT INTO vacancies_fts (vacancies_fts, rowid, title, description, city)
        VALUES ('delete', old.id, old.title, old.description, old.city);
        INSERT INTO vacancies_fts (rowid, title, description, city) VALUES (new.id, new.title, new.description, new.city);
    END""",
)

# What the resolver said about a normalised job title, per resolver version,
# so a title seen in any earlier import is not resolved again.
_TITLE_CODES = (
    """CREATE TABLE vacancy_title_codes (
        title_key TEXT NOT NULL,
        resolver_version TEXT NOT NULL,
        nkz_code TEXT,
        nkz_unit TEXT,
        score REAL,
        confident INTEGER NOT NULL,
        tied TEXT,
        PRIMARY KEY (title_key, resolver_version)
    ) WITHOUT ROWID""",
)

# Vacancy alerts: an opaque user key (never a name or a raw Telegram id), the
# code and city watched, and the id of the newest vacancy already announced.
_SUBSCRIPTIONS = (
    """CREATE TABLE vacancy_subscriptions (
        id INTEGER PRIMARY KEY,
        user_key TEXT NOT NULL CHECK (length(user_key) BETWEEN 8 AND 128),
        nkz_code TEXT NOT NULL,
        city TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        last_notified_vacancy INTEGER NOT NULL DEFAULT 0,
        last_notified TEXT,
        UNIQUE (user_key, nkz_code, city)
    )""",
    "CREATE INDEX vacancy_subscriptions_by_code ON vacancy_subscriptions (nkz_code)",
)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "meta table", _create_meta),
    Migration(2, "vacancy store", lambda db: _run(db, _VACANCY_STORE)),
    Migration(3, "vacancy full-text index", lambda db: _run(db, _VACANCY_FTS)),
    Migration(4, "vacancy title codes", lambda db: _run(db, _TITLE_CODES)),
    Migration(5, "vacancy subscriptions", lambda db: _run(db, _SUBSCRIPTIONS)),
    Migration(6, "users and conversations", create_conversation_tables),
)


def current_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database) -> list[Migration]:
    """Apply every pending migration in order; return the ones applied.

    Each step and its version bump commit together, so a crash leaves the
    database at the previous version, never half-migrated.
    """
    applied: list[Migration] = []
    for migration in MIGRATIONS:
        if migration.version <= current_version(db):
            continue
        # sqlite3 does not open transactions for DDL by itself: do it explicitly.
        db.execute("BEGIN IMMEDIATE")
        try:
            migration.apply(db)
            db.execute(f"PRAGMA user_version = {int(migration.version)}")
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.commit()
        applied.append(migration)
    return applied


def latest_version() -> int:
    return MIGRATIONS[-1].version
