"""How many vacancies a group has, and what they pay.

>>> stats = vacancy_stats(db, "2512", city="Алматы")     # doctest: +SKIP
>>> stats.count, stats.salary_count, stats.median         # doctest: +SKIP
(412, 187, 650000)

Salary figures are given only when at least :data:`MIN_SALARIES` vacancies
state one, and only from what can be compared without guessing:
:data:`SALARY_BASIS` says exactly which (the bot shows it with the figures).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from db.cities import clean_city
from db.vacancy_search import LEVEL_COLUMN, search_levels

MIN_SALARIES = 5

SALARY_BASIS = (
    "tenge per month as published: vacancies paid in KZT whose pay period is a month or not stated "
    "(hh's default); other currencies are left out, not converted; each vacancy counts once, at the middle "
    "of its range or at the one bound it gives; gross and net amounts are mixed as the sources give them"
)


@dataclass(frozen=True)
class VacancyStats:
    """Counts and KZT salary quartiles (None when fewer than MIN_SALARIES salaries)."""

    code: str
    level: str
    city: str | None
    count: int
    salary_count: int
    q1: int | None = None
    median: int | None = None
    q3: int | None = None
    low: int | None = None
    high: int | None = None
    currency: str = "KZT"
    basis: str = SALARY_BASIS

    @property
    def has_salaries(self) -> bool:
        return self.median is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _quartiles(salaries: list[float]) -> dict[str, int | None]:
    if len(salaries) < MIN_SALARIES:
        return {}
    q1, median, q3 = statistics.quantiles(salaries, n=4, method="inclusive")
    return {
        "q1": round(q1),
        "median": round(median),
        "q3": round(q3),
        "low": round(min(salaries)),
        "high": round(max(salaries)),
    }


def _group(code: str) -> tuple[str, str, str]:
    level, group = search_levels(code)[0]
    return level, group, LEVEL_COLUMN[level]


def vacancy_stats(db: sqlite_utils.Database, unit: str, city: str | None = None) -> VacancyStats:
    """Vacancy count and salary quartiles for a unit group (any code from sub-major down works)."""
    level, group, column = _group(unit)
    city_name = clean_city(city)
    where, params = (" AND city = ?", [city_name]) if city_name else ("", [])
    (count,) = db.execute(f"SELECT count(*) FROM vacancies WHERE {column} = ?{where}", [group, *params]).fetchone()
    salaries = [
        value
        for (value,) in db.execute(
            f"SELECT salary_kzt_mid FROM vacancies WHERE {column} = ?{where} AND salary_kzt_mid IS NOT NULL",
            [group, *params],
        )
    ]
    return VacancyStats(group, level, city_name, count, len(salaries), **_quartiles(salaries))


def stats_by_city(db: sqlite_utils.Database, unit: str, limit: int = 12) -> list[VacancyStats]:
    """Per-city statistics for a group, the cities with most vacancies first (unknown city last)."""
    level, group, column = _group(unit)
    counts = db.execute(
        f"SELECT city, count(*) FROM vacancies WHERE {column} = ? GROUP BY city ORDER BY count(*) DESC, city",
        [group],
    ).fetchall()
    salaries: dict[str | None, list[float]] = {}
    for city, value in db.execute(
        f"SELECT city, salary_kzt_mid FROM vacancies WHERE {column} = ? AND salary_kzt_mid IS NOT NULL", [group]
    ):
        salaries.setdefault(city, []).append(value)
    ordered = sorted(counts, key=lambda item: (item[0] is None, -item[1], item[0] or ""))[:limit]
    return [
        VacancyStats(group, level, city, count, len(salaries.get(city, [])), **_quartiles(salaries.get(city, [])))
        for city, count in ordered
    ]
