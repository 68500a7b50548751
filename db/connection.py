"""Opening Kasip's SQLite database the one right way.

Every caller goes through :func:`open_database` so that every connection has
the same settings: WAL mode (readers never block the bot's writer) with
``synchronous=NORMAL``, foreign keys on, and a busy timeout so two
processes — the bot and an import, say — wait for each other instead of
failing.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

DEFAULT_PATH = Path("var") / "kasip.sqlite"


def database_path() -> Path:
    """Where the database lives: ``KASIP_DB`` if set, else ``var/kasip.sqlite``."""
    return Path(os.environ.get("KASIP_DB") or DEFAULT_PATH)


def open_database(path: Path | str | None = None) -> sqlite_utils.Database:
    """Open (creating folders and file if needed) with Kasip's connection settings.

    ``":memory:"`` gives an in-memory database, for quick experiments only;
    tests use real files.
    """
    target = database_path() if path is None else path
    if str(target) == ":memory:":
        return sqlite_utils.Database(memory=True)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(target)
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    # In WAL mode NORMAL is still corruption-safe; it only skips the fsync on each commit,
    # so a power cut may lose the last moments — for the bot, a few dialog steps.
    db.execute("PRAGMA synchronous = NORMAL")
    return db
