"""Importing the real shared vacancy data into real SQLite files: idempotence, bad rows, bad files, batches."""

from __future__ import annotations

import ast
import csv
import gzip
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from db.build_demo import DATASETS, dataset_path
from db.connection import open_database
from db.migrations import migrate
from db.vacancy_errors import ImportFileError
from db.vacancy_import import import_vacancies
from db.vacancy_search import search_text

from .conftest import SHARED

VACANCIES = SHARED / "data" / "vacancies"
ASTANA_RAW = VACANCIES / "hh_kz_astana_all_roles" / "vacancies.csv"
ASTANA_FLAT = VACANCIES / "hh_kz_astana_all_roles" / "vacancies_flat.csv"


def new_db(path: Path) -> sqlite_utils.Database:
    db = open_database(path)
    migrate(db)
    return db


def contents(db: sqlite_utils.Database) -> list[tuple]:
    """Everything the store holds about vacancies, to compare databases row by row."""
    rows = db.execute("SELECT * FROM vacancies ORDER BY id").fetchall()
    indexed = [r[0] for r in db.execute("SELECT id FROM vacancies_fts_docsize ORDER BY id")]
    assert indexed == [r[0] for r in rows]  # every row, and only they, in the full-text index
    return [*rows, ("fts", len(indexed))]


def hh_items(limit: int | None = None) -> list[dict]:
    """The real hh API items of the Astana dump, rebuilt as JSON (the CSV holds Python reprs of the objects)."""
    items = []
    with ASTANA_RAW.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            item = {key: record[key] for key in ("id", "name", "published_at", "alternate_url")}
            for key in ("area", "salary", "salary_range", "employer", "snippet", "address"):
                item[key] = ast.literal_eval(record[key]) if record[key] else None
            items.append(item)
            if limit and len(items) >= limit:
                break
    return items


class StubResolver:
    """Stands in for the resolver where coding is not what a test is about (the real one is tested elsewhere)."""

    def __init__(self, fail_after: int | None = None):
        self.calls = 0
        self.fail_after = fail_after

    def resolve(self, title: str = "", duties: str = "", **_: object) -> SimpleNamespace:
        if title:
            self.calls += 1
            if self.fail_after is not None and self.calls > self.fail_after:
                raise RuntimeError("resolver crashed")
        candidate = SimpleNamespace(code="2411-1", unit="2411", score=0.9)
        return SimpleNamespace(candidates=(candidate,) if title else (), confident=True, version="stub-1")


# ---------------------------------------------------------------- idempotence on the real datasets


@pytest.mark.parametrize("dataset", DATASETS, ids=[d.name for d in DATASETS])
def test_each_shared_dataset_twice_gives_the_same_database_as_once(tmp_path: Path, dataset) -> None:
    once = new_db(tmp_path / "once.sqlite")
    first = import_vacancies(once, dataset_path(dataset), "csv", dataset.mapping, source=dataset.source, auto_code=False)
    twice = new_db(tmp_path / "twice.sqlite")
    for _ in range(2):
        import_vacancies(twice, dataset_path(dataset), "csv", dataset.mapping, source=dataset.source, auto_code=False)
    second = import_vacancies(once, dataset_path(dataset), "csv", dataset.mapping, source=dataset.source, auto_code=False)
    assert first.added >= 1000 and first.rejected == 0 and first.updated == first.unchanged == 0
    assert (second.added, second.updated, second.rejected) == (0, 0, 0)
    assert second.unchanged == first.added and second.duplicates == first.duplicates
    a, b = contents(once), contents(twice)
    assert [row[1:] for row in a[:-1]] and len(a) == len(b)
    batch = [c.name for c in once["vacancies"].columns].index("import_batch")
    strip = lambda rows: [tuple(v for i, v in enumerate(row) if i != batch) for row in rows[:-1]]  # noqa: E731
    assert strip(a) == strip(b) and a[-1] == b[-1]
    assert once.execute("SELECT count(*) FROM imports").fetchone()[0] == 2


def test_hh_api_items_as_list_page_and_json_lines(tmp_path: Path) -> None:
    items = hh_items()
    files = {
        "list.json": json.dumps(items, ensure_ascii=False),
        "page.json": json.dumps({"items": items, "found": len(items), "page": 0}, ensure_ascii=False),
        "items.jsonl": "\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n",
    }
    results = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        db = new_db(tmp_path / f"{name}.sqlite")
        report = import_vacancies(db, path, "hh", auto_code=False)
        assert (report.added, report.rejected) == (1000, 0)
        again = import_vacancies(db, path, "hh", auto_code=False)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 1000)
        results.append(db.execute("SELECT source, source_id, title, description, salary_from, content_hash FROM vacancies ORDER BY id").fetchall())
    assert results[0] == results[1] == results[2]
    first = next(iter(new_db(tmp_path / "list.json.sqlite").query("SELECT * FROM vacancies WHERE source_id = '131040079'")))
    assert first["title"] == "Водитель-испытатель" and first["city"] == "Астана" and first["source"] == "hh"
    assert (first["salary_from"], first["salary_to"], first["currency"], first["salary_period"]) == (450000, None, "KZT", "month")
    assert first["salary_gross"] == 0 and first["published"] == "2026-03-06"
    assert first["url"] == "https://hh.ru/vacancy/131040079"
    assert "highlighttext" not in first["description"] and "ПДД" in first["description"]
    assert not any("<highlighttext>" in (d or "") for (d,) in new_db(tmp_path / "page.json.sqlite").execute("SELECT description FROM vacancies"))


def test_flat_csv_and_api_items_agree(tmp_path: Path) -> None:
    """The same Astana vacancies through the CSV mapping and through the hh reader are the same rows."""
    db_csv = new_db(tmp_path / "csv.sqlite")
    astana = DATASETS[0]
    import_vacancies(db_csv, dataset_path(astana), "csv", astana.mapping, source=astana.source, auto_code=False)
    path = tmp_path / "items.json"
    path.write_text(json.dumps(hh_items(), ensure_ascii=False), encoding="utf-8")
    db_hh = new_db(tmp_path / "hh.sqlite")
    import_vacancies(db_hh, path, "hh", auto_code=False)
    sql = "SELECT source_id, title, employer, salary_from, salary_to, currency, published, url FROM vacancies ORDER BY source_id"
    assert db_csv.execute(sql).fetchall() == db_hh.execute(sql).fetchall()


# ---------------------------------------------------------------- bad rows, bad files


def _real_records(count: int) -> tuple[list[str], list[list[str]]]:
    with ASTANA_FLAT.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        records = [[field.replace("\n", " ") for field in record] for _, record in zip(range(count), reader)]
    return header, records


def test_broken_rows_are_reported_by_line_and_good_rows_import(tmp_path: Path) -> None:
    header, records = _real_records(30)
    col = {name: i for i, name in enumerate(header)}
    records[1][col["name"]] = "   "  # line 3
    records[3][col["salary_from"]] = "тысяча"  # line 5
    records[5][col["published_at"]] = "вчера"  # line 7
    records[7] = records[7][:5]  # line 9: fields missing
    records[9][col["alternate_url"]] = "javascript:alert(1)"  # line 11
    path = tmp_path / "broken.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)
    db = new_db(tmp_path / "k.sqlite")
    report = import_vacancies(db, path, "csv", DATASETS[0].mapping, source="hh", auto_code=False)
    assert [line for line, _ in report.errors] == [3, 5, 7, 9, 11]
    reasons = dict(report.errors)
    assert "no title" in reasons[3] and "salary_from" in reasons[5] and "date" in reasons[7]
    assert "fields where the header has" in reasons[9] and "http" in reasons[11]
    assert (report.added, report.rejected) == (25, 5)
    assert db.execute("SELECT count(*) FROM vacancies").fetchone()[0] == 25
    assert db.execute("SELECT rejected FROM imports").fetchone()[0] == 5


def test_broken_json_lines_are_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(
        '{"source": "hh", "source_id": "1", "title": "Повар"}\n'
        "\n"
        '{"source": "hh", "source_id": "2", "title": "Кассир", "salary_from": "много"}\n'
        "{not json\n"
        '["a list"]\n'
        '{"source": "hh", "source_id": "3", "title": "Пекарь", "nkz_code": "9999"}\n'
        '{"source": "hh", "source_id": "4", "title": "Сварщик"}\n',
        encoding="utf-8",
    )
    db = new_db(tmp_path / "k.sqlite")
    report = import_vacancies(db, path, "jsonl", auto_code=False)
    assert [line for line, _ in report.errors] == [3, 4, 5, 6]
    assert "invalid JSON" in report.errors[1][1] and "unknown NKZ" in report.errors[3][1]
    assert report.added == 2


MALFORMED = [
    ("latin1.csv", "csv", "title=Name,source_id=Id".encode() + b"\nName,Id\nCaf\xe9,1\n", "not UTF-8"),
    ("empty.jsonl", "jsonl", b"  \n\n", "empty"),
    ("binary.csv", "csv", b"\x00\x01\x02PK\x03\x04", "binary"),
    ("truncated.json", "hh", b'[{"id": "1", "name": "Powar"', "not valid JSON"),
    ("object.json", "hh", b'{"vacancies": []}', "items"),
    ("array.jsonl", "jsonl", b'[{"source": "hh", "source_id": "1", "title": "x"}]', "JSON array"),
    ("all_bad.jsonl", "jsonl", b'{"title": "x"}\n{"title": "y"}\n', "no usable vacancy"),
    ("no_title.csv", "csv", b"Name,Id,Link\nx,1,https://hh.ru/vacancy/1\n", "job title"),
    ("bad.gz", "jsonl", b"this is not gzip", "cannot read"),
]


@pytest.mark.parametrize("name, fmt, content, message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_file_is_rejected_and_nothing_written(tmp_path: Path, name, fmt, content, message) -> None:
    db = new_db(tmp_path / "k.sqlite")
    good = tmp_path / "good.jsonl"
    good.write_text('{"source": "hh", "source_id": "1", "title": "Повар"}\n', encoding="utf-8")
    import_vacancies(db, good, "jsonl", auto_code=False)
    before = (contents(db), db.execute("SELECT * FROM imports").fetchall(), db.execute("PRAGMA data_version").fetchone())
    path = tmp_path / name
    if name.endswith(".csv") and name == "latin1.csv":
        path.write_bytes(b"Name,Id\nCaf\xe9,1\n")
    else:
        path.write_bytes(content)
    mapping = "title=Name,source_id=Id" if name == "latin1.csv" else None
    with pytest.raises(ImportFileError, match=message):
        import_vacancies(db, path, fmt, mapping, source="test" if fmt == "csv" else None, auto_code=False)
    after = (contents(db), db.execute("SELECT * FROM imports").fetchall(), db.execute("PRAGMA data_version").fetchone())
    assert after == before


def test_missing_file_and_wrong_options_are_user_errors(tmp_path: Path) -> None:
    db = new_db(tmp_path / "k.sqlite")
    with pytest.raises(ImportFileError, match="no such file"):
        import_vacancies(db, tmp_path / "nope.json", "hh")
    with pytest.raises(ImportFileError, match="unknown format"):
        import_vacancies(db, tmp_path / "nope.json", "xml")
    with pytest.raises(ImportFileError, match="csv only"):
        import_vacancies(db, tmp_path / "nope.json", "hh", "title=Name")
    with pytest.raises(ImportFileError, match="no column 'Nope'"):
        import_vacancies(db, ASTANA_FLAT, "csv", "title=Nope", source="hh")


# ---------------------------------------------------------------- upserts


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _demo_rows(count: int) -> list[dict]:
    from db.demo import DEMO_FILE

    with gzip.open(DEMO_FILE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for _, line in zip(range(count), handle)]
    for row in rows:  # as a source would send them: without Kasip's codes
        for key in ("nkz_code", "code_origin", "code_confidence", "code_version"):
            row.pop(key, None)
    return rows


def test_upserts_write_only_what_changed(tmp_path: Path) -> None:
    rows = _demo_rows(20)
    db = new_db(tmp_path / "k.sqlite")
    first = import_vacancies(db, _write_jsonl(tmp_path / "a.jsonl", rows), "jsonl", auto_code=False)
    assert first.added == 20
    rows[3]["salary_from"] = 987654
    rows[3].pop("salary_to", None)
    rows[3]["currency"] = "KZT"
    rows[3]["salary_period"] = "month"
    old_title = rows[5]["title"]
    rows[5]["title"] = "Гляциолог-полярник"
    rows.append({"source": "hh", "source_id": "999999999", "title": "Новая вакансия", "city": "Almaty"})
    second = import_vacancies(db, _write_jsonl(tmp_path / "b.jsonl", rows), "jsonl", auto_code=False)
    assert (second.added, second.updated, second.unchanged, second.rejected) == (1, 2, 18, 0)
    batches = dict(db.execute("SELECT source_id, import_batch FROM vacancies").fetchall())
    changed = {rows[3]["source_id"], rows[5]["source_id"], "999999999"}
    assert {sid for sid, batch in batches.items() if batch == second.batch_id} == changed
    assert {sid for sid, batch in batches.items() if batch == first.batch_id} == set(batches) - changed
    assert db.execute("SELECT salary_from, salary_kzt_top FROM vacancies WHERE source_id = ?", [rows[3]["source_id"]]).fetchone() == (987654, 987654)
    assert [v.source_id for v in search_text(db, "гляциолог").items] == [rows[5]["source_id"]]
    assert rows[5]["source_id"] not in [v.source_id for v in search_text(db, old_title).items]
    third = import_vacancies(db, _write_jsonl(tmp_path / "b.jsonl", rows), "jsonl", auto_code=False)
    assert (third.added, third.updated, third.unchanged) == (0, 0, 21)


def test_repeated_ids_in_one_file_count_once(tmp_path: Path) -> None:
    rows = _demo_rows(3)
    twin = dict(rows[0], title="Другой заголовок")
    db = new_db(tmp_path / "k.sqlite")
    report = import_vacancies(db, _write_jsonl(tmp_path / "a.jsonl", [*rows, twin]), "jsonl", auto_code=False)
    assert (report.added, report.duplicates) == (3, 1)
    assert db.execute("SELECT title FROM vacancies WHERE source_id = ?", [rows[0]["source_id"]]).fetchone()[0] == rows[0]["title"]


def test_progress_is_reported_per_batch(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", _demo_rows(250))
    calls: list[tuple[int, int | None]] = []
    import_vacancies(new_db(tmp_path / "k.sqlite"), path, "jsonl", progress=lambda d, t: calls.append((d, t)), auto_code=False, batch_size=100)
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_a_crash_keeps_finished_batches_and_a_rerun_completes(tmp_path: Path) -> None:
    rows = [{"source": "t", "source_id": str(i), "title": f"Профессия {i}"} for i in range(35)]
    path = _write_jsonl(tmp_path / "a.jsonl", rows)
    db = new_db(tmp_path / "k.sqlite")
    with pytest.raises(RuntimeError, match="resolver crashed"):
        import_vacancies(db, path, "jsonl", resolver=StubResolver(fail_after=25), batch_size=10)
    assert db.execute("SELECT count(*) FROM vacancies").fetchone()[0] == 20  # two whole batches, nothing of the third
    assert db.execute("SELECT status, added FROM imports").fetchone() == ("failed", 20)
    resolver = StubResolver()
    report = import_vacancies(db, path, "jsonl", resolver=resolver, batch_size=10)
    assert (report.added, report.unchanged) == (15, 20)
    assert resolver.calls == 15  # only the rows not yet stored are coded again
    assert db.execute("SELECT count(*) FROM vacancies WHERE code_origin = 'auto' AND nkz_code = '2411-1'").fetchone()[0] == 35


def test_the_import_log(tmp_path: Path) -> None:
    db = new_db(tmp_path / "k.sqlite")
    report = import_vacancies(db, _write_jsonl(tmp_path / "a.jsonl", _demo_rows(5)), "jsonl", resolver=StubResolver())
    log = next(iter(db.query("SELECT * FROM imports")))
    assert log["batch_id"] == report.batch_id and log["format"] == "jsonl" and log["path"].endswith("a.jsonl")
    assert (log["added"], log["updated"], log["unchanged"], log["rejected"], log["status"]) == (5, 0, 0, 0, "done")
    assert log["started"] <= log["finished"] and log["resolver_version"] == "stub-1"
