"""Search near a code (widening, paging, cities, salary) and full-text search that no input can break."""

from __future__ import annotations

import json

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.connection import open_database
from db.demo import load_demo
from db.migrations import migrate
from db.vacancy_errors import UnknownCodeError
from db.vacancy_import import import_vacancies
from db.vacancy_search import fts_query, related_vacancies, search_levels, search_text

# (code, how many, city) — a small store whose answer at every level is known.
LAYOUT = [
    ("2512-1", 3, "Алматы"),
    ("2512-2", 4, "Астана"),
    ("2511", 5, "Almaty"),
    ("2521-1", 6, "Нур-Султан (Астана)"),
    ("7212-2", 2, "Алма-Ата"),
    ("Х1000", 2, "Astana"),
]


def _rows() -> list[dict]:
    rows, day = [], 1
    for code, count, city in LAYOUT:
        for n in range(count):
            rows.append(
                {
                    "source": "test",
                    "source_id": f"{code}/{n}",
                    "title": f"Вакансия {code} номер {n}",
                    "nkz_code": code,
                    "city": city,
                    "published": f"2024-01-{day:02d}",
                    "salary_from": 100_000 * (n + 1),
                    "currency": "KZT",
                }
            )
            day = day % 28 + 1
    rows[0]["published"] = rows[1]["published"]  # a tie on the date: the higher id comes first
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    folder = tmp_path_factory.mktemp("search")
    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows()), encoding="utf-8")
    db = open_database(folder / "k.sqlite")
    migrate(db)
    import_vacancies(db, path, "jsonl", auto_code=False)
    return db


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    db = open_database(tmp_path_factory.mktemp("demo") / "k.sqlite")
    migrate(db)
    load_demo(db)
    return db


def _order(items) -> list[tuple]:
    return [(v.published, v.id) for v in items]


@pytest.mark.parametrize(
    "limit, level, total, bands",
    [
        (2, "occupation", 3, ["occupation"] * 2),
        (3, "occupation", 3, ["occupation"] * 3),
        (5, "unit", 7, ["occupation"] * 3 + ["unit"] * 2),
        (10, "minor", 12, ["occupation"] * 3 + ["unit"] * 4 + ["minor"] * 3),
        (15, "sub_major", 18, ["occupation"] * 3 + ["unit"] * 4 + ["minor"] * 5 + ["sub_major"] * 3),
        (100, "sub_major", 18, ["occupation"] * 3 + ["unit"] * 4 + ["minor"] * 5 + ["sub_major"] * 6),
    ],
)
def test_widening_fills_the_page_and_says_how_far_it_went(store, limit, level, total, bands) -> None:
    result = related_vacancies(store, "2512-1", limit=limit)
    assert (result.level, result.total) == (level, total)
    assert [v.match_level for v in result.items] == bands
    for band in set(bands):
        dates = [(v.published, v.id) for v in result.items if v.match_level == band]
        assert dates == sorted(dates, reverse=True)  # newest first inside each band
    assert result.counts[0] == ("occupation", "2512-1", 3)
    assert all(v.nkz_code.startswith("25") for v in result.items)


def test_pages_follow_one_order_without_repeats_or_gaps(store) -> None:
    everything = related_vacancies(store, "2512-1", limit=100).items
    for size in (1, 2, 4, 7):
        pages, offset = [], 0
        while True:
            page = related_vacancies(store, "2512-1", limit=size, offset=offset)
            pages.extend(page.items)
            offset += size
            if not page.has_more:
                break
        assert _order(pages) == _order(everything[: len(pages)])
        assert len({v.id for v in pages}) == len(pages) == related_vacancies(store, "2512-1", limit=size).total
    beyond = related_vacancies(store, "2512-1", limit=5, offset=50)
    assert beyond.items == () and not beyond.has_more


def test_starting_from_a_unit_or_minor_group(store) -> None:
    assert [level for level, _ in search_levels("2512")] == ["unit", "minor", "sub_major"]
    assert search_levels("21471001")[0] == ("occupation", "2147-1")
    assert [level for level, _ in search_levels("Х1000")] == ["unit"]  # group Х has no minor or sub-major groups
    assert search_levels("2331-001") == [("occupation", "2331-0"), ("unit", "2331"), ("minor", "233"), ("sub_major", "23")]
    result = related_vacancies(store, "251", limit=10)
    assert (result.level, result.total) == ("minor", 12)
    assert related_vacancies(store, "x1000").total == 2
    assert related_vacancies(store, "2512-1", min_results=1).level == "occupation"


def test_unknown_and_too_broad_codes_are_refused(store) -> None:
    for code in ("2148", "сварщик", ""):
        with pytest.raises(UnknownCodeError):
            related_vacancies(store, code)
    with pytest.raises(UnknownCodeError, match="major group"):
        related_vacancies(store, "2")
    with pytest.raises(ValueError):
        related_vacancies(store, "2512", limit=0)


def test_city_synonyms_are_one_city(store) -> None:
    stored = {c for (c,) in store.execute("SELECT DISTINCT city FROM vacancies")}
    assert stored == {"Алматы", "Астана"}
    for spelling in ("Астана", "Astana", "Нур-Султан", "Nur-Sultan", "Нұр-Сұлтан"):
        result = related_vacancies(store, "25", city=spelling, limit=100)
        assert result.city == "Астана" and result.total == 10
    almaty = related_vacancies(store, "2512-1", city="Алма-Ата", limit=100)
    assert almaty.total == 8 and {v.city for v in almaty.items} == {"Алматы"}
    assert related_vacancies(store, "2512-1", city="Тараз").total == 0
    assert related_vacancies(store, "2512-1", city="Тараз").level is None


def test_salary_filter(store) -> None:
    result = related_vacancies(store, "25", salary_min=400_000, limit=100)
    assert result.total == 0 + 1 + 2 + 3  # 100k, 200k, … per group: 400k+ only in the groups of 4, 5 and 6
    assert all((v.salary_to or v.salary_from) >= 400_000 and v.currency == "KZT" for v in result.items)


def test_on_the_demo_data(demo) -> None:
    result = related_vacancies(demo, "2512-1", city="Almaty", limit=10)
    assert result.items and {v.city for v in result.items} == {"Алматы"}
    assert all(v.url and v.url.startswith("https://") and v.source == "hh" for v in result.items)
    data = result.to_dict()
    assert json.loads(json.dumps(data))["items"][0]["title"] == result.items[0].title


HOSTILE = ['"', 'NEAR(', 'a OR', "'; DROP TABLE vacancies; --", "*", "title:", "^", "AND", "()", '"unterminated',
           "NOT NOT", "-", "{title}: x", "\x00", "😀", "a" * 10_000, "программист OR 1=1", "col:(a b)", "'", "NEAR(a b, 3)"]


@pytest.mark.parametrize("query", HOSTILE)
def test_full_text_search_takes_any_input(demo, query: str) -> None:
    result = search_text(demo, query, city="Алматы")
    assert result.total >= 0
    assert demo.execute("SELECT count(*) FROM vacancies").fetchone()[0] == 3635


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=20)))
def test_full_text_search_never_raises(demo, query: str, city: str | None) -> None:
    search_text(demo, query, city=city, limit=3)


def test_full_text_search_finds_words_and_forms(demo) -> None:
    programmers = search_text(demo, "программист 1С")
    assert programmers.total > 5 and all("1с" in (v.title + (v.description or "")).lower() for v in programmers.items)
    drivers = search_text(demo, "водителя")  # stemmed: finds "Водитель-испытатель"
    assert any("водитель" in v.title.lower() for v in drivers.items)
    in_almaty = search_text(demo, "разработчик", city="Almaty")
    assert in_almaty.total and {v.city for v in in_almaty.items} == {"Алматы"}
    assert search_text(demo, "   ").total == 0 and fts_query("   ") is None
    assert fts_query('a OR "b" NEAR(') == '{title description} : ("a" "or" "b" "near"*)'
    assert fts_query("x", "Усть-Каменогорск").endswith(' AND city : "усть каменогорск"')
