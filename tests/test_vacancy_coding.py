"""Automatic coding with the real resolver (asserted loosely: it is being improved) and the coding rules."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from db.connection import open_database
from db.migrations import migrate
from db.vacancy_coding import MIN_SCORE, VacancyCoder, recode, set_manual_code, title_key
from db.vacancy_errors import UnknownCodeError
from db.vacancy_import import import_vacancies
from knowledge.resolver import get_resolver
from knowledge.tree import load_tree


def new_db(path: Path) -> sqlite_utils.Database:
    db = open_database(path)
    migrate(db)
    return db


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps({"source": "hh", **r}, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


class Counting:
    """The real resolver, counting the calls made to it."""

    def __init__(self) -> None:
        self.real = get_resolver()
        self.titles: list[str] = []

    def resolve(self, title: str = "", duties: str = "", **kwargs):
        if title:
            self.titles.append(title)
        return self.real.resolve(title=title, duties=duties, **kwargs)


# Real titles from the shared hh.kz data, and the part of NKZ they belong to.
REAL_TITLES = {
    "Программист 1С": "25",
    "Водитель": "83",
    "Водитель-испытатель": "83",
    "Повар": "51",
    "Разнорабочий": "9",
    "Бухгалтер": "2411|3313",
    "Главный юрист": "26",
    "Системный администратор": "25|35",
    "Продавец-консультант": "52",
    "Учитель": "23",
}


def test_real_titles_get_sensible_codes(tmp_path: Path) -> None:
    db = new_db(tmp_path / "k.sqlite")
    rows = [{"source_id": str(i), "title": title} for i, title in enumerate(REAL_TITLES)]
    report = import_vacancies(db, write_rows(tmp_path / "a.jsonl", rows), "jsonl")
    assert report.coded == len(REAL_TITLES) and report.uncoded == 0
    assert "+resolver-" in (report.resolver_version or "")
    tree = load_tree()
    for title, code, unit, origin, confidence, version in db.execute(
        "SELECT title, nkz_code, nkz_unit, code_origin, code_confidence, code_version FROM vacancies"
    ):
        assert any(code.startswith(prefix) for prefix in REAL_TITLES[title].split("|")), (title, code)
        assert tree.get(code) is not None and tree.get(code).unit == unit
        assert origin == "auto" and MIN_SCORE <= confidence <= 1 and version == report.resolver_version


def test_each_title_is_resolved_once_per_import_and_then_remembered(tmp_path: Path) -> None:
    db = new_db(tmp_path / "k.sqlite")
    spellings = ["Водитель", "водитель ", "ВОДИТЕЛЬ!", "Повар", "повар"]
    rows = [{"source_id": str(i), "title": spellings[i % len(spellings)]} for i in range(60)]
    counting = Counting()
    report = import_vacancies(db, write_rows(tmp_path / "a.jsonl", rows), "jsonl", resolver=counting, use_description=False)
    assert report.coded == 60 and len(counting.titles) == 2 and report.coding.titles_resolved == 2
    assert db.execute("SELECT count(DISTINCT nkz_code) FROM vacancies").fetchone()[0] == 2
    later = [{"source_id": str(100 + i), "title": t} for i, t in enumerate(spellings)]
    counting.titles.clear()
    again = import_vacancies(db, write_rows(tmp_path / "b.jsonl", later), "jsonl", resolver=counting, use_description=False)
    assert again.added == 5 and counting.titles == [] and again.coding.stored_hits == 2
    assert {k for (k,) in db.execute("SELECT title_key FROM vacancy_title_codes")} == {title_key("Водитель"), "повар"}


def test_a_title_the_resolver_cannot_place_stays_uncoded(tmp_path: Path) -> None:
    db = new_db(tmp_path / "k.sqlite")
    report = import_vacancies(db, write_rows(tmp_path / "a.jsonl", [{"source_id": "1", "title": "qwzx vbnm"}]), "jsonl")
    assert (report.coded, report.uncoded) == (0, 1)
    assert db.execute("SELECT nkz_code, code_origin FROM vacancies").fetchone() == (None, None)


# ---------------------------------------------------------------- the rules, one by one


def _answer(*candidates: tuple[str, float], confident: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        candidates=tuple(SimpleNamespace(code=c, unit=c.split("-")[0], score=s) for c, s in candidates),
        confident=confident,
        version="canned-1",
    )


class Canned:
    """Answers fixed per (title, duties), to show each coding rule alone."""

    def __init__(self, answers: dict[tuple[str, str], SimpleNamespace]):
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    def resolve(self, title: str = "", duties: str = "", **_: object) -> SimpleNamespace:
        if title:
            self.asked.append((title, duties))
        return self.answers.get((title, duties), _answer())


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return new_db(tmp_path / "k.sqlite")


def test_a_confident_title_ignores_the_description(db) -> None:
    canned = Canned({("Повар", ""): _answer(("5120", 0.9), confident=True)})
    choice = VacancyCoder(db, canned).code("Повар", "Компания ведёт разработку программ")
    assert (choice.code, choice.via, choice.confidence) == ("5120", "title", 0.9)
    assert canned.asked == [("Повар", "")]


def test_a_confident_description_answer_replaces_an_unsure_title(db) -> None:
    canned = Canned({
        ("Рекрутер в Food City", ""): _answer(("8321-0", 0.39), ("2422-1", 0.18)),
        ("Рекрутер в Food City", "Подбор персонала"): _answer(("2422-1", 0.94), confident=True),
    })
    choice = VacancyCoder(db, canned).code("Рекрутер в Food City", "Подбор персонала")
    assert (choice.code, choice.via) == ("2422-1", "title+description")


def test_an_unsure_description_only_breaks_ties(db) -> None:
    canned = Canned({
        ("Программист 1С", ""): _answer(("2512-1", 0.48), ("2519-9", 0.47), ("3512-1", 0.02)),
        ("Программист 1С", "учёт"): _answer(("2411-1", 0.5), ("2519-9", 0.3), ("2512-1", 0.2)),
        ("Водитель", ""): _answer(("8322-2", 0.33), ("8332-1", 0.10)),
        ("Водитель", "учёт"): _answer(("2411-1", 0.5), ("8332-1", 0.3)),
    })
    coder = VacancyCoder(db, canned)
    tied = coder.code("Программист 1С", "учёт")
    assert (tied.code, tied.via) == ("2519-9", "title+description")  # best of the tied, never 2411
    untied = coder.code("Водитель", "учёт")
    assert (untied.code, untied.via) == ("8322-2", "title")  # no tie: an unsure description changes nothing


def test_no_usable_title_answer_needs_a_confident_description(db) -> None:
    canned = Canned({
        ("Стажёр", ""): _answer(("Х4000", 0.0)),
        ("Стажёр", "продажи"): _answer(("5223-1", 0.4)),
        ("Стажёр", "сварка труб"): _answer(("7212-2", 0.8), confident=True),
    })
    coder = VacancyCoder(db, canned)
    assert coder.code("Стажёр") is None
    assert coder.code("Стажёр", "продажи") is None
    assert coder.code("Стажёр", "сварка труб").code == "7212-2"


def test_titles_only_mode_never_reads_descriptions(db) -> None:
    canned = Canned({("Программист 1С", ""): _answer(("2512-1", 0.48), ("2519-9", 0.47))})
    choice = VacancyCoder(db, canned, use_description=False).code("Программист 1С", "учёт")
    assert choice.code == "2512-1" and canned.asked == [("Программист 1С", "")]


# ---------------------------------------------------------------- recoding and manual codes


def test_recode_renews_automatic_codes_and_keeps_manual_and_source_ones(tmp_path: Path) -> None:
    db = new_db(tmp_path / "k.sqlite")
    rows = [
        {"source_id": "source", "title": "Повар", "nkz_code": "7212"},  # the source says so: kept even if odd
        {"source_id": "auto", "title": "Бухгалтер"},
        {"source_id": "manual", "title": "Разнорабочий"},
        {"source_id": "none", "title": "qwzx vbnm"},
    ]
    import_vacancies(db, write_rows(tmp_path / "a.jsonl", rows), "jsonl")
    ids = dict(db.execute("SELECT source_id, id FROM vacancies").fetchall())
    auto_code = db.execute("SELECT nkz_code FROM vacancies WHERE id = ?", [ids["auto"]]).fetchone()[0]
    assert set_manual_code(db, ids["manual"], "9312")
    # as if an older resolver had coded the row differently
    db.execute(
        "UPDATE vacancies SET nkz_code = '9629-7', nkz_unit = '9629', nkz_minor = '962', nkz_sub_major = '96',"
        " code_version = 'old' WHERE id = ?",
        [ids["auto"]],
    )
    db.execute("INSERT INTO vacancy_title_codes VALUES ('stale', 'old', '1111', '1111', 1, 1, '[]')")
    report = recode(db)
    assert (report.checked, report.changed, report.uncoded) == (2, 1, 1)
    codes = {sid: (code, origin) for sid, code, origin in db.execute("SELECT source_id, nkz_code, code_origin FROM vacancies")}
    assert codes == {"source": ("7212", "source"), "auto": (auto_code, "auto"), "manual": ("9312", "manual"), "none": (None, None)}
    versions = {v for (v,) in db.execute("SELECT resolver_version FROM vacancy_title_codes")}
    assert versions == {report.resolver_version}
    assert recode(db).changed == 0


def test_a_changed_vacancy_keeps_its_manual_code(tmp_path: Path) -> None:
    db = new_db(tmp_path / "k.sqlite")
    rows = [{"source_id": "1", "title": "Бухгалтер"}]
    import_vacancies(db, write_rows(tmp_path / "a.jsonl", rows), "jsonl")
    (vacancy_id,) = db.execute("SELECT id FROM vacancies").fetchone()
    set_manual_code(db, vacancy_id, "2411-2")
    rows[0]["title"] = "Главный бухгалтер"
    report = import_vacancies(db, write_rows(tmp_path / "b.jsonl", rows), "jsonl")
    assert report.updated == 1 and report.coded == 0
    assert db.execute("SELECT title, nkz_code, code_origin FROM vacancies").fetchone() == ("Главный бухгалтер", "2411-2", "manual")
    assert set_manual_code(db, vacancy_id, None)
    assert db.execute("SELECT nkz_code, code_origin FROM vacancies").fetchone() == (None, None)
    with pytest.raises(UnknownCodeError):
        set_manual_code(db, vacancy_id, "2148")
    assert not set_manual_code(db, 999, "2411")


def test_coding_in_worker_processes_gives_exactly_the_in_process_codes(tmp_path: Path, monkeypatch) -> None:
    """The same real vacancies coded by forked workers (two batches in flight) and in one process."""
    import gzip

    from db import coding_pool
    from db.demo import DEMO_FILE

    with gzip.open(DEMO_FILE, "rt", encoding="utf-8") as handle:
        demo = [json.loads(line) for line in handle][:600]
    rows = [
        {k: v for k, v in r.items() if k not in ("nkz_code", "code_origin", "code_confidence", "code_version")}
        for r in demo
    ]
    path = write_rows(tmp_path / "demo.jsonl", rows)
    chunks: list[int] = []
    real_submit = coding_pool.ResolverPool.submit

    def counting_submit(self, function, tasks):
        chunks.append(len(tasks))
        return real_submit(self, function, tasks)

    monkeypatch.setattr(coding_pool.ResolverPool, "submit", counting_submit)
    codes = {}
    for workers in ("1", "2"):
        monkeypatch.setenv(coding_pool.WORKERS_ENV, workers)
        db = new_db(tmp_path / f"w{workers}.sqlite")
        report = import_vacancies(db, path, "jsonl", batch_size=150)
        assert report.added == len(rows)
        codes[workers] = db.execute(
            "SELECT source, source_id, nkz_code, nkz_unit, code_confidence, code_version FROM vacancies ORDER BY 1, 2"
        ).fetchall()
        if workers == "1":
            assert not chunks, "one worker means no pool"
    assert chunks, "the pool was used with two workers"
    assert codes["1"] == codes["2"]
    assert sum(1 for row in codes["2"] if row[2]) > 0.9 * len(rows)
