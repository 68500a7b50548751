"""Salary statistics (KZT per month, quartiles from five salaries) and the PNG chart."""

from __future__ import annotations

import json
import statistics
import struct
from pathlib import Path

import pytest
import sqlite_utils

from bot.vacancy_chart import render_salary_chart, salary_chart_png
from db.connection import open_database
from db.demo import load_demo
from db.migrations import migrate
from db.vacancy_import import import_vacancies
from db.vacancy_stats import MIN_SALARIES, stats_by_city, vacancy_stats

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _row(n: int, **fields) -> dict:
    return {"source": "test", "source_id": str(n), "title": f"Сварщик {n}", "nkz_code": "7212-2", **fields}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    rows = []
    karaganda = [(150_000, 250_000), (200_000, None), (None, 400_000), (300_000, 300_000), (350_000, 450_000), (500_000, None)]
    for n, (low, high) in enumerate(karaganda):
        rows.append(_row(n, city="Қарағанды", salary_from=low, salary_to=high, currency="KZT"))
    rows.append(_row(10, city="Караганда", salary_from=2000, currency="USD"))  # not converted: left out
    rows.append(_row(11, city="Караганда", salary_from=25_000, currency="KZT", salary_period="shift"))  # not monthly
    rows.append(_row(12, city="Караганда"))  # no salary: counted, no figure
    for n in range(3):
        rows.append(_row(20 + n, city="Атырау", salary_from=600_000 + n, currency="KZT"))
    rows.append(_row(30, nkz_code="7212-1", city="Атырау", salary_from=900_000, currency="KZT"))
    folder = tmp_path_factory.mktemp("stats")
    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    db = open_database(folder / "k.sqlite")
    migrate(db)
    import_vacancies(db, path, "jsonl", auto_code=False)
    return db


def test_quartiles_from_kzt_monthly_salaries(store) -> None:
    stats = vacancy_stats(store, "7212", city="Karaganda")
    mids = [200_000, 200_000, 400_000, 300_000, 400_000, 500_000]  # middle of the range, or the one bound
    q1, median, q3 = statistics.quantiles(mids, n=4, method="inclusive")
    assert (stats.count, stats.salary_count) == (9, 6)
    assert (stats.q1, stats.median, stats.q3) == (round(q1), round(median), round(q3))
    assert (stats.low, stats.high) == (200_000, 500_000)
    assert stats.city == "Караганда" and stats.code == "7212" and stats.level == "unit" and stats.currency == "KZT"
    assert "not converted" in stats.basis


def test_no_figures_below_five_salaries(store) -> None:
    stats = vacancy_stats(store, "7212", city="Атырау")
    assert (stats.count, stats.salary_count) == (4, 4) and MIN_SALARIES == 5
    assert stats.median is None and stats.q1 is None and not stats.has_salaries
    occupation = vacancy_stats(store, "7212-2")
    assert (occupation.level, occupation.count) == ("occupation", 12)
    everywhere = vacancy_stats(store, "7212")
    assert (everywhere.count, everywhere.salary_count) == (13, 10) and everywhere.median is not None
    assert vacancy_stats(store, "7212", city="Тараз").count == 0


def test_statistics_by_city(store) -> None:
    rows = stats_by_city(store, "7212")
    assert [(r.city, r.count, r.salary_count, r.has_salaries) for r in rows] == [
        ("Караганда", 9, 6, True),
        ("Атырау", 4, 4, False),
    ]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_chart_is_a_png(store, tmp_path: Path) -> None:
    png = salary_chart_png(store, "7212")
    width, height = _png_size(png)
    assert width > 400 and height > 150
    assert png.endswith(b"IEND\xaeB`\x82")
    for lang in ("kk", "en"):
        assert _png_size(salary_chart_png(store, "7212", lang=lang))[0] == width
    empty = salary_chart_png(store, "2512")
    assert _png_size(empty)[0] > 0  # no vacancies: still a picture saying so
    assert render_salary_chart([], "2512").startswith(PNG_SIGNATURE)


def test_chart_of_the_demo_data(tmp_path: Path) -> None:
    db = open_database(tmp_path / "k.sqlite")
    migrate(db)
    load_demo(db)
    stats = stats_by_city(db, "2512")
    assert stats[0].city in ("Алматы", "Астана") and stats[0].has_salaries
    assert _png_size(salary_chart_png(db, "2512"))[1] > 300
