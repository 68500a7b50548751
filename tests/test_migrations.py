"""Migrations on a real SQLite file: applied once, in order, atomically."""

from pathlib import Path

import pytest

from db import migrations
from db.connection import open_database
from db.migrations import Migration, current_version, latest_version, migrate


def test_migrate_creates_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "kasip.sqlite"
    db = open_database(path)
    assert [m.version for m in migrate(db)] == [m.version for m in migrations.MIGRATIONS]
    assert current_version(db) == latest_version()
    assert migrate(db) == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "meta" in db.table_names()
    reopened = open_database(path)
    assert current_version(reopened) == latest_version()


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(db) -> None:
        db["half"].create({"id": int}, pk="id")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, Migration(latest_version() + 1, "broken", broken)))
    db = open_database(tmp_path / "k.sqlite")
    with pytest.raises(RuntimeError):
        migrate(db)
    assert current_version(db) == len(migrations.MIGRATIONS) - 1
    assert "half" not in db.table_names()
