"""A PNG chart of what a unit group pays, city by city, for the bot and the CLI.

One horizontal row per city (most vacancies first): a bar from the lower to
the upper quartile of the monthly KZT salary with the median marked, and the
number of vacancies written beside it.  Cities with fewer than five stated
salaries show their count only — the same rule as :mod:`db.vacancy_stats`.

Rendering uses matplotlib's Agg canvas directly (no pyplot, no global state),
so it is safe in a bot that renders for several people at once, and needs
no display.  Nothing here knows about Telegram: it returns PNG bytes.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import sqlite_utils

from db.cities import find_city
from db.vacancy_stats import MIN_SALARIES, VacancyStats, stats_by_city

LABELS = {
    "ru": {
        "title": "{code} {name}: зарплаты и вакансии по городам",
        "axis": "Зарплата, тенге в месяц (KZT; между 1-м и 3-м квартилем, | медиана)",
        "count": "{n} ваканс.",
        "few": "{n} ваканс., зарплат < {min}",
        "unknown": "город не указан",
        "empty": "Нет вакансий для {code}",
    },
    "kk": {
        "title": "{code} {name}: қалалар бойынша жалақы мен бос орындар",
        "axis": "Жалақы, айына теңге (KZT; 1 және 3 квартиль аралығы, | медиана)",
        "count": "{n} бос орын",
        "few": "{n} бос орын, жалақы < {min}",
        "unknown": "қала көрсетілмеген",
        "empty": "{code} үшін бос орын жоқ",
    },
    "en": {
        "title": "{code} {name}: salaries and vacancies by city",
        "axis": "Salary, KZT per month (bar: 1st to 3rd quartile, | median)",
        "count": "{n} vacancies",
        "few": "{n} vacancies, < {min} salaries",
        "unknown": "city not stated",
        "empty": "No vacancies for {code}",
    },
}


def _group_name(code: str, lang: str) -> str:
    from knowledge.tree import load_tree

    group = load_tree().get(code)
    if group is None:
        return ""
    name = group.name(lang)
    return name[:1] + name[1:].lower() if name.isupper() else name


def _city_label(city: str | None, lang: str) -> str | None:
    """The city in the chart's language when it is a known city (the store keeps the Russian name)."""
    known = find_city(city)
    if known is None:
        return city
    return {"kk": known.name_kk, "en": known.name_en}.get(lang, known.name_ru)


def render_salary_chart(
    stats: Sequence[VacancyStats], code: str, name: str = "", lang: str = "ru", width: float = 8.0
) -> bytes:
    """PNG bytes for per-city statistics (as :func:`db.vacancy_stats.stats_by_city` returns)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    text = LABELS.get(lang, LABELS["ru"])
    rows = list(stats)
    height = 1.6 + 0.45 * max(len(rows), 1)
    figure = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    title = textwrap.shorten(text["title"].format(code=code, name=name).strip(), width=150, placeholder="…")
    axes.set_title(textwrap.fill(title, width=int(width * 10)), fontsize=10, loc="left")
    if not rows:
        axes.text(0.5, 0.5, text["empty"].format(code=code), ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
    else:
        labels = [_city_label(row.city, lang) or text["unknown"] for row in rows]
        positions = list(range(len(rows)))[::-1]
        highs = [row.q3 for row in rows if row.q3 is not None]
        right = max(highs) * 1.45 if highs else 1.0
        for y, row in zip(positions, rows):
            if row.median is not None:
                axes.barh(y, row.q3 - row.q1, left=row.q1, height=0.55, color="#4C78A8", alpha=0.85)
                axes.plot([row.median, row.median], [y - 0.3, y + 0.3], color="#F58518", linewidth=2.5)
                note = text["count"].format(n=row.count)
                axes.text(row.q3 + right * 0.01, y, f" {row.median:,.0f} · {note}".replace(",", " "), va="center", fontsize=8)
            else:
                note = text["few"].format(n=row.count, min=MIN_SALARIES)
                axes.text(right * 0.01, y, note, va="center", fontsize=8, color="#555555")
        axes.set_yticks(positions, labels, fontsize=9)
        axes.set_ylim(-0.7, len(rows) - 0.3)
        axes.set_xlim(0, right)
        if highs:
            axes.set_xlabel(text["axis"], fontsize=8)
            axes.xaxis.set_major_formatter(lambda value, _: f"{value / 1000:,.0f}k".replace(",", " ") if value else "0")
        else:
            axes.set_xticks([])
        axes.grid(axis="x", alpha=0.3)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def salary_chart_png(db: sqlite_utils.Database, unit: str, lang: str = "ru", max_cities: int = 12) -> bytes:
    """The chart for a unit group (any code from sub-major down), straight from the store."""
    stats = stats_by_city(db, unit, limit=max_cities)
    code = stats[0].code if stats else unit
    if not stats:
        from db.vacancy_search import search_levels

        code = search_levels(unit)[0][1]
    return render_salary_chart(stats, code, _group_name(code, lang), lang)
