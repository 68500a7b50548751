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


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


def _create_meta(db: sqlite_utils.Database) -> None:
    """Key-value facts about this database: which data and software wrote it."""
    db["meta"].create({"key": str, "value": str}, pk="key")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "meta table", _create_meta),
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
