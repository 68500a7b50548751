"""What the dialog needs from the vacancy store, behind one small interface.

The dialog stays free of SQL: it asks a :class:`VacancyFinder` for a page of
vacancies near a code, the statistics for a unit and city, a chart, and
whether a city name is known.  :class:`StoreVacancyFinder` answers from the
SQLite store (``db/``); tests can hand the dialog any object with the same
methods.
"""

from __future__ import annotations

from typing import Protocol

import sqlite_utils

from bot.i18n import Texts

PAGE_SIZE = 5
POPULAR_CITIES = ("Астана", "Алматы", "Шымкент", "Караганда", "Актобе", "Атырау")


class VacancyFinder(Protocol):
    def city(self, text: str) -> str | None: ...

    def page(self, code: str, city: str | None, offset: int, limit: int = PAGE_SIZE): ...

    def stats(self, unit: str, city: str | None): ...

    def chart(self, unit: str, lang: str) -> bytes | None: ...


class StoreVacancyFinder:
    """The finder over Kasip's SQLite vacancy store."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def city(self, text: str) -> str | None:
        from db.cities import normalize_city

        return normalize_city(text)

    def page(self, code: str, city: str | None, offset: int, limit: int = PAGE_SIZE):
        from db.vacancy_search import related_vacancies

        return related_vacancies(self.db, code, city=city, limit=limit, offset=offset)

    def stats(self, unit: str, city: str | None):
        from db.vacancy_stats import vacancy_stats

        return vacancy_stats(self.db, unit, city)

    def chart(self, unit: str, lang: str) -> bytes | None:
        from bot.vacancy_chart import salary_chart_png

        return salary_chart_png(self.db, unit, lang)


def city_label(city: str, lang: str) -> str:
    """A city in the person's language (the store keeps Russian names)."""
    from db.cities import find_city

    known = find_city(city)
    if known is None:
        return city
    return {"kk": known.name_kk, "en": known.name_en}.get(lang, known.name_ru)


def salary_text(vacancy, texts: Texts) -> str:
    low, high = vacancy.salary_from, vacancy.salary_to
    if low is None and high is None:
        return texts("vacancy.salary_none")
    amount = (
        f"{low:,}–{high:,}" if low and high and low != high else f"{texts('vacancy.from')} {low:,}" if low and not high
        else f"{texts('vacancy.to')} {high:,}" if high and not low else f"{low or high:,}"
    ).replace(",", " ")
    return f"{amount} {vacancy.currency or ''}".strip()


def render_page(result, stats, lang: str) -> str:
    """The text of one page: where the matches came from, the vacancies, and the salary figures."""
    texts = Texts(lang)
    city = city_label(result.city, lang) if result.city else texts("vacancy.any_city")
    if not result.items:
        return texts("vacancy.none", city=city)
    lines = [texts("vacancy.header", total=result.total, city=city, level=texts(f"vacancy.level.{result.level}"))]
    for number, vacancy in enumerate(result.items, start=result.offset + 1):
        lines.append("")
        lines.append(f"{number}. {vacancy.title}")
        details = [d for d in (vacancy.employer, city_label(vacancy.city, lang) if vacancy.city else None, salary_text(vacancy, texts), (vacancy.published or "")[:10]) if d]
        lines.append("   " + " · ".join(details))
        if vacancy.url:
            lines.append(f"   {vacancy.url}")
    if stats is not None and stats.median is not None:
        lines += ["", texts("vacancy.stats", count=stats.count, q1=_money(stats.q1), median=_money(stats.median), q3=_money(stats.q3))]
    elif stats is not None:
        lines += ["", texts("vacancy.stats_few", count=stats.count)]
    lines += ["", texts("vacancy.source")]
    return "\n".join(lines)


def _money(value: int | None) -> str:
    return f"{value:,}".replace(",", " ") if value is not None else "—"
