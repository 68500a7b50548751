"""The vacancy store's schema on a real SQLite file: tables, derived columns, FTS sync, query plans."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from db.connection import open_database
from db.migrations import current_version, latest_version, migrate
from db.transaction import write_transaction
from db.vacancy_import import _code_columns, _source_values, insert_vacancies
from db.vacancy_rows import build_row, derived_code_columns, derived_salary_columns
from db.vacancy_search import LEVEL_COLUMN, rebuild_full_text


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    database = open_database(tmp_path / "kasip.sqlite")
    migrate(database)
    return database


def _insert(db: sqlite_utils.Database, **values) -> int:
    """A row as the store writes it: derived columns computed by the store's own functions."""
    row = {"source": "t", "source_id": str(values.get("id", "x")), "title": "x", "content_hash": "h", **values}
    row["nkz_minor"], row["nkz_sub_major"] = derived_code_columns(row.get("nkz_code"), row.get("nkz_unit"))
    row["salary_kzt_top"], row["salary_kzt_mid"] = derived_salary_columns(
        row.get("salary_from"), row.get("salary_to"), row.get("currency"), row.get("salary_period")
    )
    return db["vacancies"].insert(row).last_pk


def test_migrations_create_the_store_once(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite"
    db = open_database(path)
    names = [m.name for m in migrate(db)]
    ours = ["vacancy store", "vacancy full-text index", "vacancy title codes", "vacancy subscriptions"]
    assert [n for n in names if n.startswith("vacancy")] == ours  # in this order, wherever others add theirs
    assert migrate(db) == [] and current_version(db) == latest_version()
    tables = set(db.table_names())
    assert {"vacancies", "imports", "vacancies_fts", "vacancy_title_codes", "vacancy_subscriptions"} <= tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    columns = {c.name for c in db["vacancies"].columns}
    for required in (
        "id source source_id title description employer city region salary_from salary_to currency salary_period "
        "published url nkz_code nkz_unit code_origin code_confidence import_batch content_hash"
    ).split():
        assert required in columns
    triggers = {t.name for t in db.triggers}
    assert {"vacancies_fts_update", "vacancies_fts_delete"} <= triggers
    assert {"last_notified_vacancy", "user_key", "nkz_code", "city", "created"} <= {
        c.name for c in db["vacancy_subscriptions"].columns
    }
    assert {"batch_id", "path", "format", "started", "finished", "added", "updated", "unchanged", "rejected"} <= {
        c.name for c in db["imports"].columns
    }


def test_source_and_source_id_are_unique(db: sqlite_utils.Database) -> None:
    _insert(db, id=1)
    with pytest.raises(Exception, match="UNIQUE"):
        db.execute("INSERT INTO vacancies (source, source_id, title, content_hash) VALUES ('t', '1', 'y', 'h')")


def test_code_origin_is_checked(db: sqlite_utils.Database) -> None:
    with pytest.raises(Exception, match="CHECK"):
        _insert(db, id=1, nkz_code="7212", code_origin="guess")
    with pytest.raises(Exception, match="CHECK"):
        _insert(db, id=2, code_origin="auto")  # an origin without a code


@pytest.mark.parametrize(
    "code, unit, minor, sub_major",
    [("7212-1", "7212", "721", "72"), ("2512", "2512", "251", "25"), ("251", None, "251", "25"), ("Х1000-0", "Х1000", None, None)],
)
def test_coarser_levels_follow_the_code(db, code, unit, minor, sub_major) -> None:
    vacancy = _insert(db, id=1, nkz_code=code, nkz_unit=unit, code_origin="source")
    row = db.execute("SELECT nkz_minor, nkz_sub_major FROM vacancies WHERE id = ?", [vacancy]).fetchone()
    assert row == (minor, sub_major)


def test_derived_columns_that_disagree_are_refused(db: sqlite_utils.Database) -> None:
    vacancy = _insert(db, id=1, nkz_code="7212-1", nkz_unit="7212", code_origin="auto", salary_from=100, currency="KZT")
    with pytest.raises(Exception, match="CHECK"):
        db.execute("UPDATE vacancies SET nkz_code = '2512-1', nkz_unit = '2512' WHERE id = ?", [vacancy])
    with pytest.raises(Exception, match="CHECK"):
        db.execute("UPDATE vacancies SET currency = 'USD' WHERE id = ?", [vacancy])
    with pytest.raises(Exception, match="CHECK"):
        db.execute("UPDATE vacancies SET nkz_minor = '999' WHERE id = ?", [vacancy])
    db.execute(
        "UPDATE vacancies SET nkz_code = '2512-1', nkz_unit = '2512', nkz_minor = '251', nkz_sub_major = '25' WHERE id = ?",
        [vacancy],
    )


@pytest.mark.parametrize(
    "salary, top, mid",
    [
        ({"salary_from": 100, "salary_to": 300, "currency": "KZT"}, 300, 200),
        ({"salary_from": 100, "currency": "KZT", "salary_period": "month"}, 100, 100),
        ({"salary_to": 500, "currency": "KZT"}, 500, 500),
        ({"salary_from": 100, "salary_to": 300, "currency": "USD"}, None, None),
        ({"salary_from": 10000, "currency": "KZT", "salary_period": "shift"}, None, None),
        ({}, None, None),
    ],
)
def test_kzt_monthly_salary_columns(db, salary, top, mid) -> None:
    vacancy = _insert(db, id=1, **salary)
    assert db.execute("SELECT salary_kzt_top, salary_kzt_mid FROM vacancies WHERE id = ?", [vacancy]).fetchone() == (top, mid)


def test_full_text_index_follows_inserts_updates_and_deletes(db: sqlite_utils.Database) -> None:
    def found(word: str) -> list[int]:
        return [r[0] for r in db.execute("SELECT rowid FROM vacancies_fts WHERE vacancies_fts MATCH ?", [f'"{word}"'])]

    with write_transaction(db):  # the importer's way in: the row and its text in one transaction
        insert_vacancies(db, [_values(title="Сварщик", description="Варка труб"), _values(source_id="2", title="Повар")])
    first, second = [r[0] for r in db.execute("SELECT id FROM vacancies ORDER BY id")]
    assert found("сварщик") == [first] and found("труб") == [first] and found("повар") == [second]
    db.execute("UPDATE vacancies SET title = 'Электрик' WHERE id = ?", [first])
    assert found("сварщик") == [] and found("электрик") == [first]
    db.execute(
        "UPDATE vacancies SET nkz_code = '7411', nkz_unit = '7411', nkz_minor = '741', nkz_sub_major = '74',"
        " code_origin = 'manual' WHERE id = ?",
        [first],
    )
    assert found("электрик") == [first]
    db.execute("DELETE FROM vacancies WHERE id = ?", [first])
    assert found("электрик") == [] and found("повар") == [second]
    db.execute("INSERT INTO vacancies_fts (vacancies_fts) VALUES ('integrity-check')")


def test_the_full_text_index_can_be_rebuilt(db: sqlite_utils.Database) -> None:
    _insert(db, id=1, title="Сварщик")  # written behind the importer's back: not indexed yet
    assert db.execute("SELECT count(*) FROM vacancies_fts WHERE vacancies_fts MATCH 'сварщик'").fetchone()[0] == 0
    rebuild_full_text(db)
    assert db.execute("SELECT count(*) FROM vacancies_fts WHERE vacancies_fts MATCH 'сварщик'").fetchone()[0] == 1
    db.execute("INSERT INTO vacancies_fts (vacancies_fts) VALUES ('integrity-check')")


def _values(source_id: str = "1", title: str = "x", description: str | None = None) -> tuple:
    """A row in the importer's INSERT column order."""
    row = build_row(source="t", source_id=source_id, title=title, description=description)
    return (*_source_values(row), *_code_columns(None, None, None, None, None), None, "h" + source_id)


@pytest.mark.parametrize("level", list(LEVEL_COLUMN))
@pytest.mark.parametrize("with_city", [False, True])
def test_search_queries_walk_an_index_in_order(db, level: str, with_city: bool) -> None:
    """Newest-first pages come straight off an index: no table scan, no sort, at every level."""
    column = LEVEL_COLUMN[level]
    city = " AND city = ?" if with_city else ""
    sql = (
        f"SELECT id, title FROM vacancies WHERE {column} = ?{city} AND salary_kzt_top >= ?"
        f" ORDER BY published DESC, id DESC LIMIT 20"
    )
    params = ["25", "Алматы", 1] if with_city else ["25", 1]
    plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert f"INDEX vacancies_by_{column}{'_city' if with_city else ''} " in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN vacancies" not in plan, plan
    count_plan = " ".join(
        row[3] for row in db.execute(f"EXPLAIN QUERY PLAN SELECT count(*) FROM vacancies WHERE {column} = ?{city}", params[:-1])
    )
    assert "COVERING INDEX" in count_plan, count_plan


def test_unit_statistics_read_only_an_index(db: sqlite_utils.Database) -> None:
    plan = " ".join(
        row[3]
        for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT salary_kzt_mid FROM vacancies"
            " WHERE nkz_unit = ? AND city = ? AND salary_kzt_mid IS NOT NULL",
            ["2512", "Алматы"],
        )
    )
    assert "COVERING INDEX vacancies_unit_salaries" in plan, plan
