"""Readers for the vacancy file formats: hh.kz API items, generic CSV, Kasip JSON Lines.

Each reader checks the file as a whole *before* anything is imported (it is
text in UTF-8, it is the declared format, the mapped columns exist) and
raises :class:`~db.vacancy_errors.ImportFileError` with a message a person
can act on.  Then it yields one :class:`RawRow` per record, or a
:class:`~db.vacancy_errors.RowError` for a record that cannot even be
identified, so one broken row never stops an import.

A :class:`RawRow` knows its vacancy's identity (source, source id) and a
digest of the record *as read* — its text, plus the format, the mapping and
:data:`~db.vacancy_rows.CLEANING_VERSION` — but builds the cleaned
:class:`~db.vacancy_rows.VacancyRow` only when asked.  That is what makes
re-importing an unchanged file cheap: a record whose digest the store
already has is unchanged and is never parsed further.  (Change the mapping
or the cleaning rules and every digest changes, so the rows are rebuilt.)

"Line" is the line number for CSV and JSON Lines (where a CSV record
starts), and the item number for a JSON array.  Files may be
gzip-compressed (``.gz``).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from db.vacancy_errors import ImportFileError, RowError
from db.vacancy_rows import (
    CLEANING_VERSION,
    ROW_FIELDS,
    VacancyRow,
    build_row,
    clean_key,
    hh_vacancy_id,
    parse_salary_text,
)

FORMATS = ("hh", "csv", "jsonl")
HH_SOURCE = "hh"


class RawRow:
    """One record: who it is, a digest of how it reads, and the cleaned row on demand."""

    __slots__ = ("key", "digest", "_build")

    def __init__(self, source: str, source_id: str, digest: str, build: Callable[[], VacancyRow]):
        self.key = (source, source_id)
        self.digest = digest
        self._build = build

    @property
    def source(self) -> str:
        return self.key[0]

    @property
    def source_id(self) -> str:
        return self.key[1]

    def row(self) -> VacancyRow:
        """The cleaned, checked row (RowError if a field cannot be read)."""
        return self._build()


ParsedRow = tuple[int, RawRow | RowError]


def record_digest(fmt: str, context: str, raw: str) -> str:
    """The digest of one record as read, in its format and reading (mapping), under the current cleaning rules."""
    return _digester(fmt, context)(raw)


@lru_cache(maxsize=64)
def _digester(fmt: str, context: str) -> Callable[[str], str]:
    base = hashlib.blake2b(f"{CLEANING_VERSION}\x1e{fmt}\x1e{context}\x1e".encode(), digest_size=16)

    def digest(raw: str) -> str:
        h = base.copy()
        h.update(raw.encode("utf-8"))
        return h.hexdigest()

    return digest


# Fields a CSV mapping may name, besides the stored ones: "salary" is a
# free-text salary ("150 000 – 350 000 ₸ на руки") read by parse_salary_text.
MAPPABLE_FIELDS = tuple(f for f in ROW_FIELDS if f not in ("code_confidence", "code_version")) + ("salary",)


@dataclass
class RowStream:
    """The rows of one file: how many there are (for progress), and the rows themselves."""

    total: int | None
    rows: Iterator[ParsedRow]

    def __iter__(self) -> Iterator[ParsedRow]:
        return self.rows


# ---------------------------------------------------------------- whole-file checks


def _open_binary(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def check_text_file(path: Path) -> int:
    """Check the file is readable UTF-8 text; return its number of lines.

    Reads the file once in chunks (it may be larger than memory allows to
    hold twice) so that an encoding error deep in the file rejects the
    file before the first row is written, not half-way through.
    """
    if not path.exists():
        raise ImportFileError(f"{path}: no such file")
    if not path.is_file():
        raise ImportFileError(f"{path}: not a file")
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    seen_text = False
    last_byte = b""
    try:
        with _open_binary(path) as handle:
            while chunk := handle.read(1 << 20):
                if b"\x00" in chunk:
                    raise ImportFileError(f"{path}: this is a binary file, not text")
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    line = lines + chunk[: error.start].count(b"\n") + 1
                    raise ImportFileError(f"{path}: not UTF-8 text (undecodable bytes on line {line})") from None
                seen_text = seen_text or bool(text.strip())
                lines += chunk.count(b"\n")
                last_byte = chunk[-1:]
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: not UTF-8 text (the file ends inside a character)") from None
    except (OSError, EOFError) as error:  # includes gzip.BadGzipFile
        raise ImportFileError(f"{path}: cannot read the file ({error})") from None
    if not seen_text:
        raise ImportFileError(f"{path}: the file is empty")
    return lines + (1 if last_byte not in (b"\n", b"") else 0)


# ---------------------------------------------------------------- Kasip JSON Lines


def read_jsonl(path: Path) -> RowStream:
    """Kasip's own shape (see :mod:`db.vacancy_rows`), one JSON object per line."""
    lines = check_text_file(path)
    with _open_text(path) as handle:
        head = handle.read(4096).lstrip()
    if head.startswith("["):
        raise ImportFileError(f"{path}: this is a JSON array, not JSON Lines (one object per line)")
    return RowStream(lines, _jsonl_rows(path, _kasip_raw))


_JSONL_DIGEST = _digester("jsonl", "")


def _kasip_raw(item: Any, text: str) -> RawRow:
    if not isinstance(item, dict):
        raise RowError(f"expected a JSON object, got {type(item).__name__}")
    source = clean_key(item.get("source"), "source")
    source_id = clean_key(item.get("source_id"), "source_id")

    def build() -> VacancyRow:
        return build_row(**{key: item.get(key) for key in ROW_FIELDS} | {"source": source, "source_id": source_id})

    return RawRow(source, source_id, _JSONL_DIGEST(text), build)


def _jsonl_rows(path: Path, identify: Callable[[Any, str], RawRow]) -> Iterator[ParsedRow]:
    with _open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text:
                continue
            try:
                item = json.loads(text)
            except json.JSONDecodeError as error:
                yield number, RowError(f"invalid JSON ({error.msg}, column {error.colno})")
                continue
            yield number, _identify(identify, item, text)


def _identify(identify: Callable[[Any, str], RawRow], item: Any, text: str) -> RawRow | RowError:
    try:
        return identify(item, text)
    except RowError as error:
        return error


# ---------------------------------------------------------------- hh.kz / hh.ru API items


def read_hh(path: Path) -> RowStream:
    """hh API vacancy items: a JSON list, ``{"items": [...]}`` (a search page), or JSON Lines of items."""
    lines = check_text_file(path)
    with _open_text(path) as handle:
        text = handle.read()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        first = next((line for line in text.splitlines() if line.strip()), "")
        if _is_json_object(first) and error.lineno > 1:
            return RowStream(lines, _jsonl_rows(path, _hh_raw))  # JSON Lines of items
        raise ImportFileError(f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        items = document["items"]
    elif isinstance(document, list):
        items = document
    elif isinstance(document, dict) and "id" in document and "name" in document:
        items = [document]
    else:
        raise ImportFileError(f"{path}: JSON that is neither a list of hh vacancies nor an object with an 'items' list")
    del text, document
    return RowStream(len(items), _hh_items(items))


def _hh_items(items: list[Any]) -> Iterator[ParsedRow]:
    for number, item in enumerate(items, start=1):
        yield number, _identify(_hh_raw, item, "")


def _hh_raw(item: Any, _text: str) -> RawRow:
    """An hh item, digested in a canonical form: the same vacancy reads the same in a list or in JSON Lines."""
    if not isinstance(item, dict):
        raise RowError(f"expected a JSON object, got {type(item).__name__}")
    source_id = clean_key(item.get("id"), "id")
    canonical = json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return RawRow(HH_SOURCE, source_id, record_digest("hh", "", canonical), lambda: hh_row(item))


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _dict(item: dict[str, Any], key: str) -> dict[str, Any]:
    value = item.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RowError(f"{key} must be an object, got {type(value).__name__}")
    return value


def hh_row(item: Any) -> VacancyRow:
    """One item of hh's public API (``/vacancies`` search result or a full ``/vacancies/{id}``).

    The full HTML ``description`` is used when present; search items only
    have the ``snippet`` (requirement and responsibility), which is kept as
    two lines.  ``salary_range`` (the newer API field, with the pay period)
    is preferred over ``salary``.
    """
    if not isinstance(item, dict):
        raise RowError(f"expected a JSON object, got {type(item).__name__}")
    source_id = clean_key(item.get("id"), "id")
    salary = _dict(item, "salary_range") or _dict(item, "salary")
    mode = salary.get("mode")
    period = mode.get("id") if isinstance(mode, dict) else None
    snippet = _dict(item, "snippet")
    description = item.get("description")
    if not description:
        parts = [snippet.get("requirement"), snippet.get("responsibility")]
        description = "\n".join(p for p in parts if isinstance(p, str) and p.strip()) or None
    return build_row(
        source=HH_SOURCE,
        source_id=source_id,
        title=item.get("name"),
        description=description,
        employer=_dict(item, "employer").get("name"),
        city=_dict(item, "area").get("name") or _dict(item, "address").get("city"),
        salary_from=salary.get("from"),
        salary_to=salary.get("to"),
        currency=salary.get("currency"),
        salary_gross=salary.get("gross"),
        salary_period=_HH_PERIODS.get(str(period).upper()) if period else None,
        published=item.get("published_at"),
        url=item.get("alternate_url"),
    )


_HH_PERIODS = {"MONTH": "month", "SHIFT": "shift", "HOUR": "hour", "DAY": "day", "WEEK": "week", "YEAR": "year", "SERVICE": "service"}


# ---------------------------------------------------------------- generic CSV


def parse_mapping(text: str | None) -> dict[str, list[str]]:
    """``"title=Name,city=City,description=requirement+responsibility"`` → field → columns.

    ``+`` joins several columns into one text (one per line).  Unknown field
    names are a user error, listed with the valid ones.
    """
    mapping: dict[str, list[str]] = {}
    if not text or not text.strip():
        return mapping
    for part in text.split(","):
        if not part.strip():
            continue
        field, sep, columns = part.partition("=")
        field = field.strip()
        if not sep or not field or not columns.strip():
            raise ImportFileError(f"mapping {part.strip()!r} is not field=Column")
        if field not in MAPPABLE_FIELDS:
            raise ImportFileError(f"mapping names unknown field {field!r}; fields are: {', '.join(MAPPABLE_FIELDS)}")
        mapping[field] = [c.strip() for c in columns.split("+") if c.strip()]
    return mapping


def _sniff_delimiter(header_line: str) -> str:
    """The separator the header uses most: ``,`` ``;`` tab or ``|`` (hh exports often use ``;``)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, mapping: dict[str, list[str]] | str | None = None, source: str | None = None) -> RowStream:
    """A CSV with a header row; *mapping* says which column holds which field.

    Without a mapping, columns named like the fields (``title``, ``city``,
    ``salary_from`` …, any case) are used.  Where the vacancies come from is
    *source* (or a mapped ``source`` column); without either, rows with an
    hh link get source ``hh`` and hh's vacancy id.  The source id is the
    mapped ``source_id`` column, else hh's id from the link, else the link.
    """
    if isinstance(mapping, str) or mapping is None:
        mapping = parse_mapping(mapping)
    lines = check_text_file(path)
    with _open_text(path) as handle:
        header_line = handle.readline()
    delimiter = _sniff_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    header = [h.strip() for h in header]
    if not any(header):
        raise ImportFileError(f"{path}: no header row")
    if not mapping:
        lower = {h.lower(): h for h in header}
        mapping = {f: [lower[f]] for f in MAPPABLE_FIELDS if f in lower}
    missing = sorted({c for columns in mapping.values() for c in columns if c not in header})
    if missing:
        raise ImportFileError(
            f"{path}: no column {', '.join(map(repr, missing))} in the file; its columns are: {', '.join(header)}"
        )
    if "title" not in mapping:
        raise ImportFileError(f"{path}: which column is the job title? Map it, e.g. --map 'title={header[0]}'")
    if not source and "source" not in mapping and "url" not in mapping:
        raise ImportFileError(f"{path}: say where these vacancies come from (--source NAME, or map a source column)")
    if "source_id" not in mapping and "url" not in mapping:
        raise ImportFileError(f"{path}: which column identifies a vacancy? Map source_id (or url)")
    return RowStream(max(lines - 1, 0), _csv_rows(path, delimiter, header, mapping, source))


def _csv_rows(
    path: Path, delimiter: str, header: list[str], mapping: dict[str, list[str]], source: str | None
) -> Iterator[ParsedRow]:
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    position = {name: index for index, name in enumerate(header)}
    context = json.dumps([mapping, source, delimiter], ensure_ascii=False, sort_keys=True)
    with _open_text(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        next(reader, None)
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield start, RowError(f"broken CSV ({error})")
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not record or not any(field.strip() for field in record):
                continue
            if len(record) != len(header):
                yield line, RowError(f"{len(record)} fields where the header has {len(header)}")
                continue
            try:
                yield line, _csv_raw(record, position, mapping, source, context)
            except RowError as error:
                yield line, error


def _csv_raw(
    record: list[str], position: dict[str, int], mapping: dict[str, list[str]], source: str | None, context: str
) -> RawRow:
    def value(field: str) -> str | None:
        columns = mapping.get(field)
        if not columns:
            return None
        parts = [record[position[c]].strip() for c in columns]
        joined = "\n".join(p for p in parts if p)
        return joined or None

    url = value("url")
    hh_id = hh_vacancy_id(url)
    if source:
        row_source = source
    elif value("source"):
        row_source = value("source")
    elif hh_id is not None:
        row_source = HH_SOURCE
    else:
        raise RowError("no source (not an hh link; give the file a source)")
    row_source = clean_key(row_source, "source")
    row_id = clean_key(value("source_id") or (hh_id if hh_id and row_source == HH_SOURCE else url), "source_id")

    def build() -> VacancyRow:
        fields: dict[str, Any] = {f: value(f) for f in MAPPABLE_FIELDS if f != "salary"}
        salary = parse_salary_text(value("salary"))
        for field, parsed in (
            ("salary_from", salary.salary_from),
            ("salary_to", salary.salary_to),
            ("currency", salary.currency),
            ("salary_gross", salary.gross),
            ("salary_period", salary.period),
        ):
            if fields.get(field) is None:
                fields[field] = parsed
        fields["source"], fields["source_id"] = row_source, row_id
        return build_row(**fields)

    return RawRow(row_source, row_id, _digester("csv", context)("\x1f".join(record)), build)


# ---------------------------------------------------------------- dispatch


def open_rows(path: Path | str, fmt: str, mapping: dict[str, list[str]] | str | None = None, source: str | None = None) -> RowStream:
    """Check *path* as a whole and return its rows; ImportFileError if the file is unusable."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")
    if mapping and fmt != "csv":
        raise ImportFileError("a column mapping applies to --format csv only")
    if source and fmt != "csv":
        raise ImportFileError("--source applies to --format csv only (hh items are source 'hh'; jsonl rows name theirs)")
    if fmt == "hh":
        return read_hh(path)
    if fmt == "jsonl":
        return read_jsonl(path)
    return read_csv(path, mapping, source)
