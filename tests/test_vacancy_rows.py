"""Cleaning one vacancy: texts, salaries, dates, currencies, cities, codes, derived columns."""

from __future__ import annotations

import pytest

from db.cities import CITIES, city_region, clean_city, normalize_city
from db.vacancy_errors import ImportFileError, RowError
from db.vacancy_formats import parse_mapping, read_csv, record_digest
from db.vacancy_rows import (
    SalaryText,
    VacancyRow,
    build_row,
    canonical_code,
    derived_code_columns,
    derived_salary_columns,
    hh_vacancy_id,
    normalize_currency,
    parse_date,
    parse_salary_text,
    strip_html,
)


@pytest.mark.parametrize(
    "raw, city",
    [
        ("Астана", "Астана"),
        ("Нур-Султан (Астана)", "Астана"),
        ("Нур-Султан", "Астана"),
        ("Nur-Sultan", "Астана"),
        ("Нұр-Сұлтан", "Астана"),
        ("ASTANA", "Астана"),
        ("Алматы", "Алматы"),
        ("Almaty", "Алматы"),
        ("Алма-Ата", "Алматы"),
        ("г. Алматы", "Алматы"),
        ("Алматы қаласы", "Алматы"),
        ("Шымкент", "Шымкент"),
        ("Shymkent", "Шымкент"),
        ("Чимкент", "Шымкент"),
        ("Қарағанды", "Караганда"),
        ("Өскемен", "Усть-Каменогорск"),
        ("Орал", "Уральск"),
        ("Капчагай", "Конаев"),
        ("Аксай (Казахстан)", "Аксай"),
    ],
)
def test_city_synonyms_meet_in_one_name(raw: str, city: str) -> None:
    assert normalize_city(raw) == city


def test_only_real_synonyms() -> None:
    assert normalize_city("Акмола") is None  # also the Akmola region: not guessed
    assert normalize_city("Limassol") is None
    assert clean_city("Бурабайский район") == "Бурабайский район"  # unknown places are kept as written
    assert clean_city("Курчатов (Казахстан)") == "Курчатов"
    assert clean_city("   ") is None
    assert city_region("Семей") == "Абайская область" and city_region("Алматы") == "Алматы"
    assert all(normalize_city(c.name_kk) == c.name_ru and normalize_city(c.name_en) == c.name_ru for c in CITIES)


def test_html_is_stripped_and_text_kept() -> None:
    text = "<p>Опыт <highlighttext>разработки</highlighttext> &amp; a < b</p><ul><li>один</li><li>два</li></ul>"
    assert strip_html(text) == "Опыт разработки & a < b\n\nодин\nдва"
    assert strip_html("  Водитель\n категории   C ", multiline=False) == "Водитель категории C"
    assert strip_html("<br/>") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("150\u202f000 – 350\u202f000 ₸ до вычета налогов", SalaryText(150000, 350000, "KZT", True)),
        ("от 300\u202f000 ₸ на руки", SalaryText(300000, None, "KZT", False)),
        ("до 1\u202f500\u202f000 ₸ на руки", SalaryText(None, 1500000, "KZT", False)),
        ("400000 - 650000 RUR", SalaryText(400000, 650000, "RUB")),
        ("700000 KZT", SalaryText(700000, None, "KZT")),
        ("2\u202f000 – 3\u202f000 $ на руки", SalaryText(2000, 3000, "USD", False)),
        ("Not specified", SalaryText()),
        ("по договорённости", SalaryText()),
        (None, SalaryText()),
    ],
)
def test_salary_texts(text, expected) -> None:
    assert parse_salary_text(text) == expected


def test_unreadable_salary_is_a_row_error_not_a_guess() -> None:
    with pytest.raises(RowError, match="cannot read salary"):
        parse_salary_text("1 2 3 4 5 6 7")


def test_dates_currencies_links() -> None:
    assert parse_date("2026-03-06T18:19:57+0300") == "2026-03-06"
    assert parse_date("19-07-2023") == "2023-07-19"
    assert parse_date("2024-11-17") == "2024-11-17"
    assert parse_date("") is None
    for bad in ("31-02-2024", "yesterday", "1850-01-01"):
        with pytest.raises(RowError):
            parse_date(bad)
    assert normalize_currency("RUR") == "RUB" and normalize_currency("kzt") == "KZT" and normalize_currency("₸") == "KZT"
    with pytest.raises(RowError):
        normalize_currency("tenge!")
    assert hh_vacancy_id("https://almaty.hh.kz/vacancy/108773136?hhtmFrom=vacancy_search_list") == "108773136"
    assert hh_vacancy_id("https://hh.ru/vacancy/131040079") == "131040079"
    assert hh_vacancy_id("https://example.com/vacancy/1") is None


def test_codes_must_exist_and_are_stored_at_occupation_level_at_most() -> None:
    assert canonical_code("21471001") == "2147-1"  # an example title searches as its occupation group
    assert canonical_code("7212") == "7212"
    assert canonical_code("x1000") == "Х1000"
    assert canonical_code("2331-001") == "2331-0"  # the irregular source row counts for its parent
    with pytest.raises(RowError, match="unknown NKZ"):
        canonical_code("2148")


def test_build_row_checks_and_cleans() -> None:
    row = build_row(
        source="hh", source_id=1, title=" Водитель ", salary_from="450 000", salary_to=600000.0, currency="KZT",
        salary_period="MONTH", salary_gross="False", published="06-03-2026", city="Нур-Султан (Астана)",
        url="https://hh.ru/vacancy/1", nkz_code="83221",
    )
    assert row == VacancyRow(
        source="hh", source_id="1", title="Водитель", city="Астана", region="Астана", salary_from=450000,
        salary_to=600000, currency="KZT", salary_period="month", salary_gross=False, published="2026-03-06",
        url="https://hh.ru/vacancy/1", nkz_code="8322-1", code_origin="source",
    )
    assert build_row(**row.to_json()) == row
    problems = {
        "no title": dict(source="hh", source_id="1", title="  "),
        "no source_id": dict(source="hh", title="x"),
        "above salary_to": dict(source="hh", source_id="1", title="x", salary_from=5, salary_to=1),
        "positive number": dict(source="hh", source_id="1", title="x", salary_from=-5),
        "not a number": dict(source="hh", source_id="1", title="x", salary_to="много"),
        "http": dict(source="hh", source_id="1", title="x", url="javascript:alert(1)"),
        "code_origin": dict(source="hh", source_id="1", title="x", nkz_code="7212", code_origin="guess"),
        "must be text": dict(source="hh", source_id="1", title={"ru": "x"}),
        "salary_period": dict(source="hh", source_id="1", title="x", salary_period="fortnight"),
    }
    for reason, fields in problems.items():
        with pytest.raises(RowError, match=reason):
            build_row(**fields)


def test_record_digests_change_with_the_record_the_reading_and_the_rules(tmp_path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Name,Id,City\nПовар,1,Шымкент\nПовар,2,Шымкент\n", encoding="utf-8")
    digests = lambda mapping: [r.digest for _, r in read_csv(path, mapping, "t")]  # noqa: E731
    plain = digests("title=Name,source_id=Id,city=City")
    assert len(set(plain)) == 2  # two records, two digests
    assert plain == digests("title=Name,source_id=Id,city=City")
    assert set(plain).isdisjoint(digests("title=Name,source_id=Id"))  # another mapping reads them differently
    assert record_digest("jsonl", "", "x") != record_digest("hh", "", "x")


def test_derived_columns() -> None:
    assert derived_code_columns("7212-1", "7212") == ("721", "72")
    assert derived_code_columns("251", None) == ("251", "25")
    assert derived_code_columns("25", None) == (None, "25")
    assert derived_code_columns("Х1000-0", "Х1000") == (None, None)
    assert derived_code_columns(None, None) == (None, None)
    assert derived_salary_columns(100, 300, "KZT", None) == (300, 200.0)
    assert derived_salary_columns(100, None, "KZT", "month") == (100, 100)
    assert derived_salary_columns(100, 300, "USD", None) == (None, None)
    assert derived_salary_columns(100, 300, "KZT", "shift") == (None, None)


def test_mapping_syntax() -> None:
    assert parse_mapping("title=Job Title, description=requirement+responsibility") == {
        "title": ["Job Title"],
        "description": ["requirement", "responsibility"],
    }
    with pytest.raises(ImportFileError, match="unknown field 'titel'"):
        parse_mapping("titel=Name")
    with pytest.raises(ImportFileError, match="not field=Column"):
        parse_mapping("title")
