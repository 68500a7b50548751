"""Finding vacancies: near an NKZ code (widening level by level), and by free text.

>>> result = related_vacancies(db, "2512-1", city="Almaty", limit=10)   # doctest: +SKIP
>>> result.level, result.total, [v.match_level for v in result.items][:3]  # doctest: +SKIP
('unit', 37, ['occupation', 'occupation', 'unit'])

**Widening.**  Vacancies of the same occupation group come first, then the
rest of its unit group, then of its minor and sub-major group — each band
newest first.  The search widens only as far as it must to fill a page
(*min_results*, by default *limit*): ``result.level`` is the widest level it
used (``"occupation" | "unit" | "minor" | "sub_major"``, None when nothing
was found) and every item says at which level it matched.  The order is the
same whatever the page, so paging with ``offset`` never repeats or skips a
vacancy.

**Cities** are compared by canonical name (:mod:`db.cities`): "Almaty",
"Алма-Ата" and "Алматы" are one city.

**Salary filter** (*salary_min*, tenge per month): vacancies whose pay —
the upper bound of the range, or the one bound given — reaches it, among
those paid in KZT per month (or with the period unstated).  Vacancies with
no salary, or a salary in another currency, are left out when it is set.

**Full text** (:func:`search_text`) takes anything a person types: every
word is quoted for FTS5, so ``"``, ``NEAR(``, ``a OR`` or ``'; DROP TABLE``
are just words; Russian and English words are stemmed and matched as
prefixes ("водителя" finds "водитель").  Results come best match first
(BM25), ranked among the newest matches so that a common word stays fast
on a million vacancies.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import sqlite_utils

from db.cities import clean_city
from db.vacancy_errors import UnknownCodeError

LEVELS = ("occupation", "unit", "minor", "sub_major")
LEVEL_COLUMN = {"occupation": "nkz_code", "unit": "nkz_unit", "minor": "nkz_minor", "sub_major": "nkz_sub_major"}
MAX_LIMIT = 200


@dataclass(frozen=True)
class Vacancy:
    """One stored vacancy as search returns it (``match_level``: where it matched the code asked for)."""

    id: int
    source: str
    source_id: str
    title: str
    description: str | None
    employer: str | None
    city: str | None
    region: str | None
    salary_from: int | None
    salary_to: int | None
    currency: str | None
    salary_period: str | None
    salary_gross: bool | None
    published: str | None
    url: str | None
    nkz_code: str | None
    nkz_unit: str | None
    code_origin: str | None
    code_confidence: float | None
    match_level: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


VACANCY_COLUMNS = (
    "id, source, source_id, title, description, employer, city, region, salary_from, salary_to, currency,"
    " salary_period, salary_gross, published, url, nkz_code, nkz_unit, code_origin, code_confidence"
)


def vacancy_from_row(row: tuple[Any, ...], match_level: str | None = None) -> Vacancy:
    values = list(row)
    gross = values[12]
    values[12] = None if gross is None else bool(gross)
    return Vacancy(*values, match_level=match_level)


def get_vacancy(db: sqlite_utils.Database, vacancy_id: int) -> Vacancy | None:
    row = db.execute(f"SELECT {VACANCY_COLUMNS} FROM vacancies WHERE id = ?", [vacancy_id]).fetchone()
    return vacancy_from_row(row) if row else None


@dataclass(frozen=True)
class SearchResult:
    """A page of vacancies near a code.

    ``counts`` gives, for each level searched, the group code and how many
    vacancies it has (with the filters applied); ``total`` is the count at
    ``level``, i.e. how many this search can page through.
    """

    code: str
    city: str | None
    salary_min: int | None
    level: str | None
    total: int
    limit: int
    offset: int
    items: tuple[Vacancy, ...]
    counts: tuple[tuple[str, str, int], ...]

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "city": self.city,
            "salary_min": self.salary_min,
            "level": self.level,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "has_more": self.has_more,
            "counts": [{"level": level, "group": group, "count": count} for level, group, count in self.counts],
            "items": [item.to_dict() for item in self.items],
        }


# ---------------------------------------------------------------- levels


def search_levels(code: str) -> list[tuple[str, str]]:
    """(level, group code) from the code's own level up to its sub-major group.

    Accepts anything :meth:`knowledge.tree.NkzTree.lookup` does ("21471",
    "x1000", an example-title code, which searches from its occupation
    group).  Major group Х has no minor or sub-major groups, so its search
    stops at the unit.  Raises :class:`UnknownCodeError` for codes not in NKZ
    2017 and for major groups (too broad to be "related").
    """
    from knowledge.codes import Level
    from knowledge.tree import load_tree

    tree = load_tree()
    group = tree.lookup(code or "") if isinstance(code, str) else None
    if group is None:
        raise UnknownCodeError(f"{code!r} is not an NKZ 2017 code (e.g. 7212, 2512-1)")
    if group.level is Level.MAJOR:
        raise UnknownCodeError(f"{group.code} is a major group; give a sub-major group (2 digits) or deeper")
    names = {Level.OCCUPATION: "occupation", Level.UNIT: "unit", Level.MINOR: "minor", Level.SUB_MAJOR: "sub_major"}
    levels: dict[str, str] = {}
    # From the top down, first group per level: the irregular source row filed as an occupation
    # under an occupation (2331-001) searches as its parent, as its vacancies are stored.
    for ancestor in tree.path(group.code):
        name = names.get(ancestor.level)
        if name is not None and name not in levels:
            levels[name] = ancestor.code
    return list(reversed(levels.items()))


def _filters(city: str | None, salary_min: int | None) -> tuple[str, list[Any]]:
    sql, params = "", []
    if city:
        sql += " AND city = ?"
        params.append(city)
    if salary_min:
        sql += " AND salary_kzt_top >= ?"
        params.append(salary_min)
    return sql, params


def _check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise ValueError("offset must not be negative")


def related_vacancies(
    db: sqlite_utils.Database,
    code: str,
    city: str | None = None,
    salary_min: int | None = None,
    limit: int = 20,
    offset: int = 0,
    min_results: int | None = None,
) -> SearchResult:
    """Vacancies for an NKZ code, its own group first, widening until a page is full."""
    _check_paging(limit, offset)
    if salary_min is not None and salary_min < 0:
        raise ValueError("salary_min must not be negative")
    levels = search_levels(code)
    city_name = clean_city(city)
    where, params = _filters(city_name, salary_min)
    wanted = limit if min_results is None else max(1, min_results)
    counts: list[tuple[str, str, int]] = []
    for level, group in levels:
        column = LEVEL_COLUMN[level]
        (count,) = db.execute(f"SELECT count(*) FROM vacancies WHERE {column} = ?{where}", [group, *params]).fetchone()
        counts.append((level, group, count))
        if count >= wanted:
            break
    total = counts[-1][2]
    items: list[Vacancy] = []
    skip, remaining, previous = offset, limit, 0
    for index, (level, group, count) in enumerate(counts):
        band = count - previous
        previous = count
        if remaining <= 0:
            break
        if skip >= band:
            skip -= band
            continue
        column = LEVEL_COLUMN[level]
        sql = f"SELECT {VACANCY_COLUMNS} FROM vacancies WHERE {column} = ?"
        band_params: list[Any] = [group]
        if index > 0:
            narrower_level, narrower_group, _ = counts[index - 1]
            sql += f" AND {LEVEL_COLUMN[narrower_level]} IS NOT ?"
            band_params.append(narrower_group)
        sql += f"{where} ORDER BY published DESC, id DESC LIMIT ? OFFSET ?"
        rows = db.execute(sql, [*band_params, *params, remaining, skip]).fetchall()
        items.extend(vacancy_from_row(row, level) for row in rows)
        remaining -= len(rows)
        skip = 0
    return SearchResult(
        code=levels[0][1],
        city=city_name,
        salary_min=salary_min,
        level=counts[-1][0] if total else None,
        total=total,
        limit=limit,
        offset=offset,
        items=tuple(items),
        counts=tuple(counts),
    )


# ---------------------------------------------------------------- full text

MAX_QUERY_WORDS = 16


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Any:
    try:
        import snowballstemmer
    except ImportError:  # stemming only improves recall; without it words match as typed
        return None
    return snowballstemmer.stemmer(language)


def _stem(word: str) -> str:
    language = "russian" if re.search(r"[а-яё]", word) else "english" if re.fullmatch(r"[a-z]+", word) else None
    stemmer = _stemmer(language) if language else None
    return stemmer.stemWord(word) if stemmer else word


def fts_query(text: str, city: str | None = None) -> str | None:
    """An FTS5 query for "all these words in the title or description", which no input can turn into syntax.

    Words are letters and digits only; each becomes a quoted string (FTS5
    reads everything inside double quotes literally); stemmed words of three
    letters or more are matched as prefixes.  With *city*, the city column
    must hold that name as a phrase.  No words → None.
    """
    words = re.findall(r"[^\W_]+", (text or "")[:500].lower().replace("ё", "е"))[:MAX_QUERY_WORDS]
    terms = []
    for word in words:
        stem = _stem(word)
        quoted = '"' + stem.replace('"', '""') + '"'
        terms.append(quoted + "*" if len(stem) >= 3 else quoted)
    if not terms:
        return None
    query = "{title description} : (" + " ".join(terms) + ")"
    if city:
        phrase = " ".join(re.findall(r"[^\W_]+", city.lower()))
        if phrase:
            query += ' AND city : "' + phrase.replace('"', '""') + '"'
    return query


TEXT_WINDOW = 1000
"""Relevance is ranked among the newest this-many matches: old vacancies are seldom what anyone wants, and
ranking every match of a common word ("менеджер") in a million rows would cost a tenth of a second."""

COUNT_CAP = 1000
"""Totals above this are reported as "more than 1,000" (``capped``) rather than counted to the end."""


@dataclass(frozen=True)
class TextSearchResult:
    query: str
    city: str | None
    total: int
    limit: int
    offset: int
    items: tuple[Vacancy, ...]
    capped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "city": self.city,
            "total": self.total,
            "capped": self.capped,
            "limit": self.limit,
            "offset": self.offset,
            "items": [item.to_dict() for item in self.items],
        }


def search_text(
    db: sqlite_utils.Database, query: str, city: str | None = None, limit: int = 20, offset: int = 0
) -> TextSearchResult:
    """Vacancies whose title or description has all the words of *query*, best matches (BM25) first.

    Ranked among the newest :data:`TEXT_WINDOW` matches; ``total`` stops
    counting at :data:`COUNT_CAP` (then ``capped`` is True).  The city is
    matched in the full-text index and then checked exactly.
    """
    _check_paging(limit, offset)
    city_name = clean_city(city)
    match = fts_query(query, city_name)
    if match is None:
        return TextSearchResult(query, city_name, 0, limit, offset, ())
    if city_name:
        matches = "FROM vacancies_fts f JOIN vacancies c ON c.id = f.rowid WHERE vacancies_fts MATCH ? AND c.city = ?"
        params: list[Any] = [match, city_name]
    else:
        matches, params = "FROM vacancies_fts f WHERE vacancies_fts MATCH ?", [match]
    (counted,) = db.execute(f"SELECT count(*) FROM (SELECT 1 {matches} LIMIT {COUNT_CAP + 1})", params).fetchone()
    columns = ", ".join(f"v.{c.strip()}" for c in VACANCY_COLUMNS.split(","))
    rows = db.execute(
        f"WITH recent AS MATERIALIZED (SELECT f.rowid AS id, f.rank AS rank {matches} ORDER BY f.rowid DESC LIMIT {TEXT_WINDOW}),"
        " page AS MATERIALIZED (SELECT id, rank FROM recent ORDER BY rank, id DESC LIMIT ? OFFSET ?)"
        f" SELECT {columns} FROM page JOIN vacancies v ON v.id = page.id ORDER BY page.rank, page.id DESC",
        [*params, limit, offset],
    ).fetchall()
    return TextSearchResult(
        query, city_name, min(counted, COUNT_CAP), limit, offset, tuple(vacancy_from_row(r) for r in rows), counted > COUNT_CAP
    )


def rebuild_full_text(db: sqlite_utils.Database) -> None:
    """Re-create the full-text index from the table (after rows were written other than by the importer)."""
    from db.transaction import write_transaction

    with write_transaction(db):
        db.execute("INSERT INTO vacancies_fts (vacancies_fts) VALUES ('rebuild')")
