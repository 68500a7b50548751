"""One vacancy as Kasip stores it, and the cleaning every source goes through.

Every reader (hh.kz JSON, generic CSV, Kasip's own JSON Lines) turns its
input into :class:`VacancyRow` through :func:`build_row`, so the rules live
in one place:

- texts are third-party data and are kept as published, except that HTML
  tags (hh's ``<highlighttext>``, ``<p>``, ``<li>``) are removed, entities
  decoded and runs of spaces collapsed;
- structured fields are checked, and a value that cannot be read rejects the
  row with a reason (the import reports it by line and goes on);
- cities get their canonical name (:mod:`db.cities`), currencies their ISO
  4217 code (hh's ``RUR`` is ``RUB``), dates the ISO form ``YYYY-MM-DD``;
- an NKZ code is accepted only if it exists in NKZ 2017.

Kasip's JSON Lines shape is :meth:`VacancyRow.to_json`: one object per line
with the field names below; only ``source``, ``source_id`` and ``title`` are
required.

>>> row = build_row(source="hh", source_id=1, title=" Водитель <highlighttext>категории C</highlighttext>",
...                 city="Нур-Султан (Астана)", salary_from="450 000", currency="KZT", published="06-03-2026")
>>> (row.title, row.city, row.salary_from, row.published)
('Водитель категории C', 'Астана', 450000, '2026-03-06')
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

from db.cities import city_region, clean_city
from db.vacancy_errors import RowError

CLEANING_VERSION = "1"
"""Bump when the cleaning rules below change: every stored row then counts as changed on its next import."""

CODE_ORIGINS = ("source", "auto", "manual")
SALARY_PERIODS = ("month", "shift", "hour", "day", "week", "year", "service")
MAX_TITLE = 500
MAX_TEXT = 100_000


@dataclass(frozen=True, slots=True)
class VacancyRow:
    """A cleaned vacancy, ready to be stored (the columns of ``vacancies`` a source provides)."""

    source: str
    source_id: str
    title: str
    description: str | None = None
    employer: str | None = None
    city: str | None = None
    region: str | None = None
    salary_from: int | None = None
    salary_to: int | None = None
    currency: str | None = None
    salary_period: str | None = None
    salary_gross: bool | None = None
    published: str | None = None
    url: str | None = None
    nkz_code: str | None = None
    code_origin: str | None = None
    code_confidence: float | None = None
    code_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Kasip's JSON Lines shape: the fields that have a value."""
        return {key: value for key, value in asdict(self).items() if value is not None}


# ---------------------------------------------------------------- texts

_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/h[1-6]|/tr|/ul|/ol)\s*/?\s*>|<\s*li(?:\s[^<>]*)?>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_PLAIN_LINE = re.compile(r"(?:[^\s<&]+(?: [^\s<&]+)*)?")  # words single-spaced, no tag or entity, no edge spaces


def strip_html(text: str | None, multiline: bool = True) -> str | None:
    """Plain text from a snippet or description: tags removed, entities decoded, spaces tidied.

    Only things shaped like tags are removed, so "a < b" survives.  Block
    tags become line breaks when *multiline*; otherwise all whitespace
    collapses to single spaces (titles, employer names).  Empty → None.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise RowError(f"expected text, got {type(text).__name__}")
    if _PLAIN_LINE.fullmatch(text):  # the common case: one tidy line, nothing to strip
        return text or None
    if "<" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _ANY_TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if not multiline or "\n" not in text and "\r" not in text:
        return " ".join(text.split()) or None
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text or None


def _text(value: Any, name: str, multiline: bool = False, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    cleaned = strip_html(value, multiline=multiline) if isinstance(value, str) else None
    if cleaned is None and not isinstance(value, str):
        raise RowError(f"{name} must be text, got {type(value).__name__}")
    if cleaned is not None and len(cleaned) > limit:
        raise RowError(f"{name} is longer than {limit:,} characters")
    return cleaned


# ---------------------------------------------------------------- numbers, money

_CURRENCIES = (
    (re.compile(r"₸|\bkzt\b|\bтг\b|\bтенге\b", re.IGNORECASE), "KZT"),
    (re.compile(r"₽|\brur\b|\brub\b|\bруб", re.IGNORECASE), "RUB"),
    (re.compile(r"\$|\busd\b", re.IGNORECASE), "USD"),
    (re.compile(r"€|\beur\b", re.IGNORECASE), "EUR"),
    (re.compile(r"\bkgs\b|\bсом\b", re.IGNORECASE), "KGS"),
    (re.compile(r"\buzs\b|\bсум\b", re.IGNORECASE), "UZS"),
)
_CURRENCY_ALIASES = {"RUR": "RUB", "ТГ": "KZT", "ТЕНГЕ": "KZT", "₸": "KZT", "₽": "RUB", "$": "USD", "€": "EUR"}


def normalize_currency(value: Any) -> str | None:
    """ISO 4217 code: ``RUR``→``RUB``, ``₸``/``тг``→``KZT``; None when empty; RowError when unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RowError(f"currency must be text, got {type(value).__name__}")
    code = value.strip().upper()
    code = _CURRENCY_ALIASES.get(code, code)
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise RowError(f"unknown currency {value!r}")
    return code


def to_amount(value: Any, name: str) -> int | None:
    """A salary amount as a whole number; ``"150 000"`` and ``150000.0`` are fine; 0 means not stated."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise RowError(f"{name} must be a number, got {value!r}")
        return None
    if isinstance(value, str):
        text = re.sub(r"[\s\u00a0\u202f\u2009]", "", value)
        if not text:
            return None
        if not re.fullmatch(r"\d+(?:[.,]\d+)?", text):
            raise RowError(f"{name} is not a number: {value!r}")
        number = float(text.replace(",", "."))
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise RowError(f"{name} must be a number, got {type(value).__name__}")
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise RowError(f"{name} must be a positive number, got {value!r}")
    if number >= 10**12:
        raise RowError(f"{name} is implausibly large: {value!r}")
    return int(round(number)) or None


@dataclass(frozen=True)
class SalaryText:
    salary_from: int | None = None
    salary_to: int | None = None
    currency: str | None = None
    gross: bool | None = None
    period: str | None = None


_AMOUNT = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d])|\d+(?:[.,]\d+)?")


def parse_salary_text(text: str | None) -> SalaryText:
    """Read salary strings as job boards print them.

    ``"150 000 – 350 000 ₸ до вычета налогов"``, ``"от 300 000 ₸ на руки"``,
    ``"до 500 000 ₸"``, ``"400000 - 650000 RUR"``, ``"700000 KZT"``.  A lone
    number without "до" is read as the lower bound.  Text without digits
    ("Not specified", "по договорённости") is no salary; text with digits
    that fits none of these shapes is a row error rather than a guess.
    """
    if text is None or not re.search(r"\d", text):
        return SalaryText()
    low = text.lower()
    gross = True if re.search(r"до вычета|\bgross\b", low) else False if re.search(r"на руки|\bnet\b", low) else None
    currency = next((code for pattern, code in _CURRENCIES if pattern.search(text)), None)
    period = "month" if re.search(r"в месяц|за месяц|/мес|per month", low) else None
    period = "hour" if re.search(r"в час|за час|per hour", low) else period
    period = "shift" if re.search(r"за смену|в смену", low) else period
    matches = list(_AMOUNT.finditer(text))
    amounts = [to_amount(m.group(0), "salary") for m in matches]
    if len(amounts) == 2:
        low_amount, high_amount = amounts
        return SalaryText(low_amount, high_amount, currency, gross, period)
    if len(amounts) == 1:
        before = text[: matches[0].start()].lower().strip()
        if before.endswith("до") or before.endswith("up to"):
            return SalaryText(None, amounts[0], currency, gross, period)
        return SalaryText(amounts[0], None, currency, gross, period)
    raise RowError(f"cannot read salary {text!r}")


def normalize_period(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RowError(f"salary_period must be text, got {type(value).__name__}")
    period = value.strip().lower()
    if period not in SALARY_PERIODS:
        raise RowError(f"unknown salary_period {value!r} (expected one of {', '.join(SALARY_PERIODS)})")
    return period


def to_bool(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "":
            return None
        if text in ("true", "1", "yes", "да"):
            return True
        if text in ("false", "0", "no", "нет"):
            return False
    raise RowError(f"{name} must be true or false, got {value!r}")


# ---------------------------------------------------------------- dates, links

_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def parse_date(value: Any) -> str | None:
    """ISO ``YYYY-MM-DD`` from ISO dates and datetimes (hh's ``2026-03-06T18:19:57+0300``) or ``DD-MM-YYYY``.

    The date is the one the source wrote (its own time zone), not shifted.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RowError(f"published must be a date in text, got {type(value).__name__}")
    text = value.strip()
    parsed: date | None = None
    head = _ISO_DATETIME.match(text)
    if head:
        try:
            parsed = date.fromisoformat(head.group(1))
        except ValueError:
            raise RowError(f"cannot read date {value!r}") from None
    else:
        for pattern in _DATE_FORMATS[1:]:
            try:
                parsed = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
    if parsed is None:
        raise RowError(f"cannot read date {value!r}")
    if not date(1990, 1, 1) <= parsed <= date(2100, 1, 1):
        raise RowError(f"published date out of range: {value!r}")
    return parsed.isoformat()


_HH_VACANCY = re.compile(r"^https?://(?:[\w-]+\.)*hh\.(?:ru|kz|uz|by)/vacancy/(\d+)", re.IGNORECASE)


def hh_vacancy_id(url: str | None) -> str | None:
    """hh's vacancy id from any of its links (``almaty.hh.kz/vacancy/108773136?…`` → ``108773136``)."""
    if not url:
        return None
    match = _HH_VACANCY.match(url.strip())
    return match.group(1) if match else None


def _url(value: Any) -> str | None:
    text = _text(value, "url", limit=2_000)
    if text is None:
        return None
    if not re.match(r"^https?://\S+$", text):
        raise RowError(f"url is not an http(s) link: {text[:80]!r}")
    return text


# ---------------------------------------------------------------- codes


def canonical_code(raw: Any) -> str | None:
    """The NKZ 2017 code to store for a code a source gives, or RowError if it does not exist.

    An example-title code (``2147-1-001``) is stored as its occupation group,
    the level vacancies are searched at; everything returned is a real row of
    the classifier.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    from knowledge.codes import Level
    from knowledge.tree import load_tree

    tree = load_tree()
    group = tree.lookup(str(raw))
    if group is None:
        raise RowError(f"unknown NKZ 2017 code {raw!r}")
    while group.level > Level.OCCUPATION or (
        group.level is Level.OCCUPATION and group.parent and tree.get(group.parent).level is Level.OCCUPATION
    ):
        group = tree.get(group.parent)
    return group.code


def _confidence(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise RowError(f"code_confidence must be a number from 0 to 1, got {value!r}")
    return round(float(value), 4)


# ---------------------------------------------------------------- the row


def clean_key(value: Any, name: str) -> str:
    """A source or source id: text or a whole number, spaces tidied, not empty, at most 128 characters."""
    if type(value) is str and 0 < len(value) <= 128 and value.isprintable() and " " not in value:
        return value  # the usual case, checked cheaply (re-imports identify every row)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None or isinstance(value, str) and not value.strip():
        raise RowError(f"no {name}")
    if not isinstance(value, str):
        raise RowError(f"{name} must be text, got {type(value).__name__}")
    text = " ".join(value.split())
    if len(text) > 128:
        raise RowError(f"{name} is longer than 128 characters")
    return text


def build_row(**raw: Any) -> VacancyRow:
    """Clean and check one vacancy; RowError says what is wrong."""
    source = clean_key(raw.get("source"), "source")
    source_id = clean_key(raw.get("source_id"), "source_id")
    title = _text(raw.get("title"), "title", limit=MAX_TITLE)
    if not title:
        raise RowError("no title")
    salary_from = to_amount(raw.get("salary_from"), "salary_from")
    salary_to = to_amount(raw.get("salary_to"), "salary_to")
    if salary_from is not None and salary_to is not None and salary_from > salary_to:
        raise RowError(f"salary_from {salary_from} is above salary_to {salary_to}")
    city = clean_city(_text(raw.get("city"), "city", limit=200))
    region = _text(raw.get("region"), "region", limit=200) or city_region(city)
    nkz_code = canonical_code(raw.get("nkz_code"))
    code_origin = raw.get("code_origin")
    if nkz_code is None:
        code_origin = None
    elif code_origin is None:
        code_origin = "source"
    elif code_origin not in CODE_ORIGINS:
        raise RowError(f"code_origin must be one of {', '.join(CODE_ORIGINS)}, got {code_origin!r}")
    return VacancyRow(
        source=source,
        source_id=source_id,
        title=title,
        description=_text(raw.get("description"), "description", multiline=True),
        employer=_text(raw.get("employer"), "employer", limit=500),
        city=city,
        region=region,
        salary_from=salary_from,
        salary_to=salary_to,
        currency=normalize_currency(raw.get("currency")),
        salary_period=normalize_period(raw.get("salary_period")),
        salary_gross=to_bool(raw.get("salary_gross"), "salary_gross"),
        published=parse_date(raw.get("published")),
        url=_url(raw.get("url")),
        nkz_code=nkz_code,
        code_origin=code_origin,
        code_confidence=_confidence(raw.get("code_confidence")) if nkz_code else None,
        code_version=_text(raw.get("code_version"), "code_version", limit=200) if nkz_code else None,
    )


ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(VacancyRow))


# ---------------------------------------------------------------- derived columns
# The database holds these to the same definitions with CHECK constraints
# (db/migrations.py); they exist so that searches and statistics are
# answered from indexes alone.


def derived_code_columns(code: str | None, unit: str | None) -> tuple[str | None, str | None]:
    """(minor group, sub-major group) of a stored code, from its shape; None for group Х (it has neither)."""
    base = unit if unit is not None else code
    digits = "0123456789"
    if not base or base[0] not in digits[1:]:
        return None, None
    sub_major = base[:2] if len(base) >= 2 and base[1] in digits else None
    minor = base[:3] if sub_major and len(base) >= 3 and base[2] in digits else None
    return minor, sub_major


def derived_salary_columns(
    salary_from: int | None, salary_to: int | None, currency: str | None, period: str | None
) -> tuple[int | None, float | None]:
    """(upper pay, middle pay) in tenge per month, or None unless paid in KZT per month (or period unstated)."""
    if currency != "KZT" or (period or "month") != "month":
        return None, None
    top = salary_to if salary_to is not None else salary_from
    if salary_from is not None and salary_to is not None:
        return top, (salary_from + salary_to) / 2.0
    return top, top
