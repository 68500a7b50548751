"""Importing vacancy files: idempotent upserts, per-batch transactions, a report.

>>> report = import_vacancies(db, "items.json", "hh")            # doctest: +SKIP
>>> report.added, report.updated, report.unchanged, report.rejected  # doctest: +SKIP
(120, 0, 0, 1)
>>> report.errors                                                 # doctest: +SKIP
[(17, 'no title')]

How it behaves, and why:

- **Idempotent.**  A vacancy is identified by ``(source, source_id)``; the
  digest of its record as read (``content_hash``, see
  :class:`~db.vacancy_formats.RawRow`) decides between *unchanged* (not even
  parsed, nothing written), *updated* and *added*.  Importing the same file
  twice leaves the database as the first import did.
- **A bad file writes nothing.**  The reader checks the whole file first
  (:mod:`db.vacancy_formats`); a file in which no row is usable is rejected
  too, before its first write.
- **A bad row is reported, not fatal.**  Its line and reason go into the
  report; the good rows import.
- **Batches.**  Rows are written in transactions of *batch_size* (5,000)
  rows, so a large import neither holds the write lock for minutes nor
  loses more than one batch to a crash; re-running it picks up where it
  stopped, since finished rows are then *unchanged*.  The resolver (slow,
  CPU-bound) runs before each batch's transaction, not inside it, and on a
  machine with several cores in worker processes, one batch ahead: while
  batch N is written, batch N+1 is being coded (:mod:`db.coding_pool`).
- **Repeated ids inside one file**: the first occurrence counts, later ones
  are counted as ``duplicates`` (hh search dumps list a vacancy once per
  matching keyword).
- A changed vacancy keeps a manual code; an automatic code is renewed.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from db.transaction import write_transaction
from db.vacancy_coding import CodingStats, Resolver, Ticket, VacancyCoder
from db.vacancy_errors import ImportFileError, RowError
from db.vacancy_formats import ParsedRow, RawRow, open_rows
from db.vacancy_rows import VacancyRow, derived_code_columns, derived_salary_columns

BATCH_SIZE = 5000
MAX_REPORTED_ERRORS = 1000
IMPORT_CACHE_KIB = 64 * 1024
"""Page cache for the importing connection while it imports: ten indexes and the FTS index share it."""

Progress = Callable[[int, int | None], None]
"""Called after every batch with (rows read so far, rows in the file or None)."""


@dataclass
class ImportReport:
    """What an import did.  ``errors`` lists (line, reason) of rejected rows (the first 1,000)."""

    batch_id: str
    path: str
    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    coded: int = 0
    uncoded: int = 0
    resolver_version: str | None = None
    coding: CodingStats = field(default_factory=CodingStats)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.added + self.updated + self.unchanged + self.rejected + self.duplicates

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "path": self.path,
            "format": self.format,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "errors": [{"line": line, "reason": reason} for line, reason in self.errors],
            "coded": self.coded,
            "uncoded": self.uncoded,
            "resolver_version": self.resolver_version,
            "titles_resolved": self.coding.titles_resolved,
            "descriptions_resolved": self.coding.descriptions_resolved,
            "resolver_seconds": round(self.coding.resolver_seconds, 3),
            "seconds": round(self.seconds, 3),
        }


_COLUMNS = (
    "source", "source_id", "title", "description", "employer", "city", "region", "salary_from", "salary_to",
    "currency", "salary_period", "salary_gross", "published", "url",
)
_SALARY_COLUMNS = ("salary_kzt_top", "salary_kzt_mid")
_CODE_COLUMNS = ("nkz_code", "nkz_unit", "code_origin", "code_confidence", "code_version", "nkz_minor", "nkz_sub_major")
_INSERT = (
    f"INSERT INTO vacancies ({', '.join(_COLUMNS + _SALARY_COLUMNS + _CODE_COLUMNS)}, import_batch, content_hash)"
    f" VALUES ({', '.join('?' * (len(_COLUMNS) + len(_SALARY_COLUMNS) + len(_CODE_COLUMNS) + 2))})"
)
_UPDATE_WITH_CODE = (
    f"UPDATE vacancies SET {', '.join(f'{c} = ?' for c in _COLUMNS + _SALARY_COLUMNS + _CODE_COLUMNS)},"
    " import_batch = ?, content_hash = ? WHERE id = ?"
)
_UPDATE_KEEP_CODE = (
    f"UPDATE vacancies SET {', '.join(f'{c} = ?' for c in _COLUMNS + _SALARY_COLUMNS)}, import_batch = ?,"
    " content_hash = ? WHERE id = ?"
)


def insert_vacancies(db: sqlite_utils.Database, values: list[tuple[Any, ...]]) -> None:
    """Insert rows (in :data:`_INSERT`'s column order) and index their text; call inside a write transaction.

    The full-text rows are added with one statement for the whole batch,
    reading back what was just inserted: ids only grow (AUTOINCREMENT) and
    the write lock is held, so "id above the previous highest" is exactly
    this batch.
    """
    if not values:
        return
    (before,) = db.execute("SELECT coalesce(max(id), 0) FROM vacancies").fetchone()
    db.conn.executemany(_INSERT, values)
    db.execute(
        "INSERT INTO vacancies_fts (rowid, title, description, city)"
        " SELECT id, title, description, city FROM vacancies WHERE id > ?",
        [before],
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _source_values(row: VacancyRow) -> tuple[Any, ...]:
    """The source's fields and the salary columns derived from them (salary_gross True/False is stored as 1/0)."""
    derived = derived_salary_columns(row.salary_from, row.salary_to, row.currency, row.salary_period)
    return (*(getattr(row, c) for c in _COLUMNS), *derived)


def _code_columns(code: str | None, unit: str | None, origin: str | None, confidence: float | None, version: str | None) -> tuple[Any, ...]:
    return (code, unit, origin, confidence, version, *derived_code_columns(code, unit))


_Existing = tuple[int, str, "str | None"]
"""What the store has for a vacancy already: (id, content hash, code origin)."""


@dataclass
class _Staged:
    """A batch read and sorted, its coding under way, not yet written."""

    rows: int
    tally: Counter[str]
    errors: list[tuple[int, str]]
    changed: list[tuple[VacancyRow, str, _Existing | None]]
    ticket: Ticket | None


class _Importer:
    def __init__(
        self,
        db: sqlite_utils.Database,
        report: ImportReport,
        coder: VacancyCoder | None,
        started: str,
        source: str | None,
    ):
        self.db = db
        self.report = report
        self.coder = coder
        self.started = started
        self.source = source
        self.logged = False
        self.seen: set[tuple[str, str]] = set()

    def _existing(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], _Existing]:
        by_source: dict[str, list[str]] = {}
        for source, source_id in keys:
            by_source.setdefault(source, []).append(source_id)
        found: dict[tuple[str, str], _Existing] = {}
        for source, ids in by_source.items():
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(
                    f"SELECT source_id, id, content_hash, code_origin FROM vacancies INDEXED BY vacancies_by_source"
                    f" WHERE source = ? AND source_id IN ({marks})",
                    [source, *chunk],
                ).fetchall()
                found.update({(source, row[0]): row[1:] for row in rows})
        return found

    def _code_values(self, row: VacancyRow, tally: Counter[str]) -> tuple[Any, ...]:
        if row.nkz_code is not None:
            from knowledge.tree import load_tree

            group = load_tree().get(row.nkz_code)
            unit = group.unit if group else None
            return _code_columns(row.nkz_code, unit, row.code_origin, row.code_confidence, row.code_version)
        choice = self.coder.code(row.title, row.description) if self.coder else None
        if choice is None:
            if self.coder:
                tally["uncoded"] += 1
            return _code_columns(None, None, None, None, None)
        tally["coded"] += 1
        return _code_columns(choice.code, choice.unit, "auto", choice.confidence, choice.version)

    def stage(self, parsed: list[ParsedRow]) -> _Staged:
        """Sort a batch into rejected, duplicate, unchanged and changed rows, and start coding the changed ones.

        Nothing is written.  The coding runs in the coder's worker processes
        while the caller writes the previous batch (:meth:`write`).
        """
        tally: Counter[str] = Counter()
        errors: list[tuple[int, str]] = []
        records: list[tuple[int, RawRow]] = []
        seen: set[tuple[str, str]] = set()
        for line, item in parsed:
            if isinstance(item, RowError):
                tally["rejected"] += 1
                errors.append((line, str(item)))
                continue
            if item.key in self.seen or item.key in seen:
                tally["duplicates"] += 1
                continue
            seen.add(item.key)
            records.append((line, item))
        existing = self._existing([record.key for _, record in records]) if records else {}
        changed: list[tuple[VacancyRow, str, _Existing | None]] = []
        for line, record in records:
            old = existing.get(record.key)
            if old is not None and old[1] == record.digest:
                tally["unchanged"] += 1  # the record reads exactly as when it was stored: not even parsed
                continue
            try:
                changed.append((record.row(), record.digest, old))
            except RowError as error:
                tally["rejected"] += 1
                errors.append((line, str(error)))
        ticket = None
        if self.coder:
            to_code = [row for row, _, old in changed if row.nkz_code is None and not _keeps_code(row, old)]
            self.coder.prefetch(row.title for row in to_code)
            ticket = self.coder.submit((row.title, row.description) for row in to_code)
        self.seen |= seen
        return _Staged(len(parsed), tally, errors, changed, ticket)

    def write(self, staged: _Staged) -> None:
        """Code (collecting the workers' answers) and write one staged batch in one transaction.

        The report counts the batch only once it is committed.
        """
        report = self.report
        tally, errors, changed = staged.tally, staged.errors, staged.changed
        if self.coder:
            self.coder.collect(staged.ticket)
        inserts: list[tuple[Any, ...]] = []
        updates_with_code: list[tuple[Any, ...]] = []
        updates_keeping_code: list[tuple[Any, ...]] = []
        batch_id = report.batch_id
        for row, digest, old in changed:
            if old is None:
                inserts.append((*_source_values(row), *self._code_values(row, tally), batch_id, digest))
                tally["added"] += 1
            elif _keeps_code(row, old):
                updates_keeping_code.append((*_source_values(row), batch_id, digest, old[0]))
                tally["updated"] += 1
            else:
                updates_with_code.append((*_source_values(row), *self._code_values(row, tally), batch_id, digest, old[0]))
                tally["updated"] += 1
        if inserts or updates_with_code or updates_keeping_code or (self.coder and self.coder.pending):
            with write_transaction(self.db):
                self._log_start()
                conn = self.db.conn
                insert_vacancies(self.db, inserts)
                conn.executemany(_UPDATE_WITH_CODE, updates_with_code)
                conn.executemany(_UPDATE_KEEP_CODE, updates_keeping_code)
                if self.coder:
                    self.coder.save_pending()
        for name, count in tally.items():
            setattr(report, name, getattr(report, name) + count)
        errors.sort()
        report.errors.extend(errors[: max(0, MAX_REPORTED_ERRORS - len(report.errors))])
        if self.coder and self.coder.used:
            report.resolver_version = self.coder.version

    def _log_start(self) -> None:
        """The ``imports`` row, written with the first batch that writes anything."""
        if self.logged:
            return
        report = self.report
        self.db.execute(
            "INSERT INTO imports (batch_id, path, format, source, started, status, resolver_version)"
            " VALUES (?, ?, ?, ?, ?, 'running', ?)",
            [report.batch_id, report.path, report.format, self.source, self.started, report.resolver_version],
        )
        self.logged = True

    def fail(self) -> None:
        """Mark the log row of an import that stopped half-way (its finished batches stay)."""
        if self.logged and not self.db.conn.in_transaction:
            with write_transaction(self.db):
                self.db.execute(
                    "UPDATE imports SET finished = ?, status = 'failed', added = ?, updated = ?, unchanged = ?,"
                    " rejected = ?, duplicates = ? WHERE batch_id = ?",
                    [_now(), self.report.added, self.report.updated, self.report.unchanged, self.report.rejected,
                     self.report.duplicates, self.report.batch_id],
                )

    def finish(self) -> None:
        report = self.report
        with write_transaction(self.db):
            self._log_start()
            self.db.execute(
                "UPDATE imports SET finished = ?, status = 'done', added = ?, updated = ?, unchanged = ?, rejected = ?,"
                " duplicates = ?, resolver_version = ? WHERE batch_id = ?",
                [_now(), report.added, report.updated, report.unchanged, report.rejected, report.duplicates,
                 report.resolver_version, report.batch_id],
            )


def _keeps_code(row: VacancyRow, old: _Existing | None) -> bool:
    """A changed vacancy keeps its manual code unless the file itself now codes it."""
    return old is not None and row.nkz_code is None and old[2] == "manual"


def _batches(rows: Iterator[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    batch: list[ParsedRow] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_vacancies(
    db: sqlite_utils.Database,
    path: Path | str,
    fmt: str,
    mapping: dict[str, list[str]] | str | None = None,
    progress: Progress | None = None,
    *,
    source: str | None = None,
    auto_code: bool = True,
    use_description: bool = True,
    resolver: Resolver | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> ImportReport:
    """Import a vacancy file (*fmt* ``hh``, ``csv`` or ``jsonl``) into a migrated database.

    *mapping* (CSV only) is ``"title=Name,city=City,…"`` or a parsed dict;
    *source* names where a CSV's vacancies come from.  With *auto_code*,
    every vacancy the file does not code gets one from the resolver
    (:mod:`db.vacancy_coding`; *use_description* False codes from titles
    alone, skipping the slower tie-breaks; *workers* processes code it,
    by default ``KASIP_CODING_WORKERS`` or the cores available).
    Raises :class:`~db.vacancy_errors.ImportFileError` (nothing written)
    when the file is unusable.
    """
    clock = time.perf_counter()
    stream = open_rows(path, fmt, mapping, source)
    coder = VacancyCoder(db, resolver, use_description=use_description, workers=workers) if auto_code else None
    report = ImportReport(batch_id=uuid.uuid4().hex, path=str(path), format=fmt)
    if coder:
        report.coding = coder.stats
    importer = _Importer(db, report, coder, _now(), source)
    read = 0
    (cache_size,) = db.execute("PRAGMA cache_size").fetchone()
    db.execute(f"PRAGMA cache_size = {min(int(cache_size), -IMPORT_CACHE_KIB)}")
    try:
        # One batch ahead: while batch N is written here, batch N+1 is being coded in the workers.
        staged: _Staged | None = None

        def write_staged() -> None:
            nonlocal staged, read
            current, staged = staged, None  # never written twice, even if writing it fails
            if current is not None:
                importer.write(current)
                read += current.rows
                if progress:
                    progress(read, stream.total)

        try:
            for batch in _batches(iter(stream), batch_size):
                following = importer.stage(batch)
                write_staged()
                staged = following
        except Exception:
            write_staged()  # a file that breaks off still keeps the whole batches before the break
            raise
        write_staged()
    except BaseException:
        importer.fail()
        raise
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache_size)}")
        if coder:
            coder.close()
    if report.rejected and not (report.added or report.updated or report.unchanged or report.duplicates):
        reasons = "; ".join(f"line {line}: {reason}" for line, reason in report.errors[:3])
        raise ImportFileError(f"{path}: no usable vacancy in {report.rejected} rows ({reasons})")
    if report.rows == 0:
        raise ImportFileError(f"{path}: no vacancies in the file")
    importer.finish()
    report.seconds = time.perf_counter() - clock
    return report
