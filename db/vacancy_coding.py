"""Automatic NKZ coding of vacancies with Kasip's resolver.

The steps, each small enough to test alone (the occupationcoder pattern):

1. **Title first.**  The job title is what a vacancy is about; the
   resolver's best candidate for it becomes the code, with its score as
   ``code_confidence`` and ``code_origin = 'auto'``.
2. **The description only when the title is not enough.**  When the title
   alone is not confident, the resolver is asked again with the opening of
   the description as duties.  Its answer replaces the title's only if it
   is *confident* ("Рекрутер в ТОО Food City" alone drifts to drivers; with
   its description it is a confident 2422 recruiter).  Otherwise the
   description may only break a tie: when a candidate in another unit
   group scores at least :data:`TIE_RATIO` of the best ("Программист 1С":
   2512 vs 2519; a bare "Водитель": 8322 car vs 8332 lorry drivers), the
   best of the *tied* candidates in the second answer wins; failing that,
   the title's answer stands.  An unsure description never pulls a vacancy
   to a group the title did not suggest: vacancy texts are full of words
   about the employer ("разработка", "продажи").  A title the resolver
   cannot place (best score under :data:`MIN_SCORE`) gets a code only from
   a confident title-plus-description answer; otherwise it stays uncoded
   rather than get a guess.
3. **Each normalised title is resolved once.**  Verdicts are memoised per
   run and stored in ``vacancy_title_codes`` per resolver version, so a
   title seen in any earlier import costs one indexed look-up.
4. **On every core.**  A large import sends each batch's new titles (with
   the descriptions they may need) to forked worker processes
   (:meth:`VacancyCoder.submit` / :meth:`~VacancyCoder.collect`); the
   workers make exactly the choices :meth:`VacancyCoder.code` makes, which
   a test checks against coding in one process.

The resolver is used only through its public interface
(``resolve(title=…, duties=…)`` → ``candidates[0].code/.unit/.score``,
``confident``, ``version``), so a better resolver drops in unchanged.
:func:`recode` re-codes every automatic code after the knowledge changes;
codes from the source and manual codes are never touched.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import sqlite_utils

from db.coding_pool import ResolverPool
from db.transaction import write_transaction
from db.vacancy_errors import RowError, UnknownCodeError
from db.vacancy_rows import canonical_code, derived_code_columns

TIE_RATIO = 0.8
"""A candidate scoring at least this share of the best one's score is a tie the title cannot settle."""

MIN_SCORE = 0.1
"""Below this score the resolver's best candidate is no more than noise (gibberish titles score ~0)."""

MIN_POOL_TASKS = 32
"""A batch with fewer titles to resolve than this does not start the worker processes (a small file)."""

DESCRIPTION_CHARS = 1000
"""How much of a description is given to the resolver: the opening says what the job is."""

Progress = Callable[[int, int | None], None]


class Resolver(Protocol):
    def resolve(self, title: str = "", duties: str = "", **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class CodeChoice:
    """The code given to one vacancy, and how it was reached."""

    code: str
    unit: str | None
    confidence: float
    version: str | None
    via: str  # "title" | "title+description"


@dataclass(frozen=True)
class TitleVerdict:
    """What the resolver says about a title on its own (what is cached)."""

    code: str | None
    unit: str | None
    score: float | None
    confident: bool
    tied: tuple[str, ...] = ()  # codes in other unit groups scoring >= TIE_RATIO of the best


@dataclass
class CodingStats:
    titles_resolved: int = 0
    descriptions_resolved: int = 0
    stored_hits: int = 0
    resolver_seconds: float = 0.0


@lru_cache(maxsize=65536)
def title_key(title: str) -> str:
    """The form under which titles count as "the same": case, ё, punctuation and spacing ignored.

    ``+`` and ``#`` are kept, so "C++" and "C#" developers stay apart.  Cached:
    a file repeats its titles, and each row asks for the key several times.
    """
    text = title.lower().replace("ё", "е")
    return _NOT_TITLE_CHARS.sub(" ", text).strip()


_NOT_TITLE_CHARS = re.compile(r"[^\w+#]+")


def _resolver_version(resolver: Resolver) -> str | None:
    """The version stamp of the resolver's answers (None if it gives none: then nothing is stored)."""
    try:
        return getattr(resolver.resolve(title="", duties=""), "version", None)
    except Exception:  # a resolver that rejects empty input simply gets no stored cache
        return None


def _default_resolver() -> Resolver:
    from knowledge.resolver import get_resolver

    return get_resolver()


class VacancyCoder:
    """Codes vacancies one by one, resolving each distinct title once.

    *use_stored* reads earlier verdicts from ``vacancy_title_codes``
    (:func:`recode` turns it off to ask the resolver afresh).  New verdicts
    collect in :attr:`pending` until :meth:`save_pending` writes them in the
    caller's transaction.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        resolver: Resolver | None = None,
        *,
        use_description: bool = True,
        use_stored: bool = True,
        workers: int | None = None,
    ):
        self.db = db
        self._resolver = resolver
        # Only the default resolver can be shared with forked workers; an injected one runs here.
        self._pool = ResolverPool.for_this_machine(workers) if resolver is None else None
        self._version: str | None = None
        self._probed = False
        self.use_description = use_description
        self._use_stored = use_stored
        self.stats = CodingStats()
        self.pending: dict[str, TitleVerdict] = {}
        self._verdicts: dict[str, TitleVerdict] = {}
        self._described: dict[tuple[str, str], CodeChoice | None] = {}
        self._titles_in_flight: dict[str, str] = {}  # title key → the title as sent to the workers, not collected yet
        self._described_in_flight: set[tuple[str, str]] = set()

    # -- the resolver, loaded on first use (a file whose rows all carry codes never needs it)

    @property
    def resolver(self) -> Resolver:
        if self._resolver is None:
            self._resolver = _default_resolver()
        return self._resolver

    @property
    def version(self) -> str | None:
        if not self._probed:
            self._version = _resolver_version(self.resolver)
            self._probed = True
        return self._version

    @property
    def used(self) -> bool:
        """True once the resolver has been asked (or its stored verdicts read)."""
        return self._probed

    @property
    def use_stored(self) -> bool:
        return self._use_stored and self.version is not None

    # -- the resolver, timed

    def _resolve(self, title: str, duties: str = "") -> Any:
        started = time.perf_counter()
        try:
            return self.resolver.resolve(title=title, duties=duties)
        finally:
            self.stats.resolver_seconds += time.perf_counter() - started

    # -- step 1: titles

    def prefetch(self, titles: Iterable[str]) -> None:
        """Load stored verdicts for a batch of titles in one query instead of one per row."""
        keys = sorted({title_key(t) for t in titles} - self._verdicts.keys())
        if not keys or not self.use_stored:
            return
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, code, unit, score, confident, tied in self.db.execute(
                f"SELECT title_key, nkz_code, nkz_unit, score, confident, tied FROM vacancy_title_codes"
                f" WHERE resolver_version = ? AND title_key IN ({marks})",
                [self.version, *chunk],
            ).fetchall():
                self._verdicts[key] = TitleVerdict(code, unit, score, bool(confident), tuple(json.loads(tied or "[]")))
                self.stats.stored_hits += 1

    def verdict(self, title: str) -> TitleVerdict:
        key = title_key(title)
        found = self._verdicts.get(key)
        if found is None:
            found = verdict_of(self._resolve(title))
            self.stats.titles_resolved += 1
            self._verdicts[key] = found
            if self.version is not None:
                self.pending[key] = found
        return found

    # -- step 2: the description, for ties only

    def _with_description(self, title: str, description: str) -> Any:
        self.stats.descriptions_resolved += 1
        return self._resolve(title, description[:DESCRIPTION_CHARS])

    def code(self, title: str, description: str | None = None) -> CodeChoice | None:
        """The code for one vacancy, or None when the resolver cannot place it."""
        verdict = self.verdict(title)
        title_choice = title_choice_of(verdict, self.version)
        text = self._description_to_read(verdict, description)
        if not text:
            return title_choice
        key = _described_key(title, text)
        if key not in self._described:
            resolution = self._with_description(title, text)
            self._described[key] = choose_with_description(verdict, title_choice, resolution, self.version)
        return self._described[key]

    def _description_to_read(self, verdict: TitleVerdict | None, description: str | None) -> str:
        """The description when it may change the code ("" when the title settles it or there is none).

        With the verdict not known yet (None) the description is kept: the worker decides.
        """
        if not self.use_description or (verdict is not None and title_settles(verdict)):
            return ""
        return (description or "").strip()

    # -- a whole batch in worker processes, ahead of code()

    def submit(self, vacancies: Iterable[tuple[str, str | None]]) -> Ticket | None:
        """Start resolving a batch's unknown titles and the descriptions they need, on the workers.

        One task per title: the worker resolves the title (unless its verdict
        is already known), then, if the title is not confident, each of its
        descriptions, and makes exactly the choice :meth:`code` would make.
        Work already done or already in flight for an earlier batch is not
        sent again.  :meth:`collect` merges the answers; until then
        :meth:`code` still works (it resolves in-process).  Returns None when
        there is no pool (one core, or an injected resolver).
        """
        if self._pool is None:
            return None
        # Exactly as code() would in file order: a title is resolved as first written, and each
        # description with the title of the first vacancy that has it.
        groups: dict[str, tuple[str, dict[tuple[str, str], tuple[str, str]]]] = {}
        for title, description in vacancies:
            key = title_key(title)
            known = self._verdicts.get(key)
            title_needed = known is None and key not in self._titles_in_flight
            text = self._description_to_read(known, description)
            described = _described_key(title, text) if text else None
            if described in self._described or described in self._described_in_flight:
                described = None
            if not title_needed and described is None:
                continue
            first_written = self._titles_in_flight.get(key, title)
            texts = groups.setdefault(key, (first_written, {}))[1]
            if described is not None:
                texts.setdefault(described, (title, text[:DESCRIPTION_CHARS]))
        if not groups or (len(groups) < MIN_POOL_TASKS and not self._pool.started):
            return None  # not worth starting the workers: code() resolves these here
        tasks: list[TitleTask] = []
        for key, (title, texts) in groups.items():
            known = self._verdicts.get(key)
            tasks.append(TitleTask(title, known, tuple(texts.values()), tuple(texts), self.version))
            if known is None:
                self._titles_in_flight.setdefault(key, title)
            self._described_in_flight.update(texts)
        return Ticket(tasks, self._pool.submit(code_titles, tasks))

    def collect(self, ticket: Ticket | None) -> None:
        """Wait for a ticket's answers and remember them, as if :meth:`code` had found them."""
        if ticket is None:
            return
        started = time.perf_counter()
        try:
            results = [result for future in ticket.futures for result in future.result()]
        finally:
            self.stats.resolver_seconds += time.perf_counter() - started
        for task, (verdict, choices) in zip(ticket.tasks, results):
            key = title_key(task.title)
            if task.verdict is None:
                self._titles_in_flight.pop(key, None)
                self.stats.titles_resolved += 1
                if key not in self._verdicts:
                    self._verdicts[key] = verdict
                    if self.version is not None:
                        self.pending[key] = verdict
            self._described_in_flight.difference_update(task.described_keys)
            for described, choice in zip(task.described_keys, choices or ()):
                self.stats.descriptions_resolved += 1
                self._described.setdefault(described, choice)

    def prepare(self, vacancies: Iterable[tuple[str, str | None]]) -> None:
        """:meth:`submit` and :meth:`collect` at once: everything a batch needs, resolved on all cores."""
        self.collect(self.submit(vacancies))

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.close()

    # -- the stored cache

    def save_pending(self) -> None:
        """Write new title verdicts; call inside the caller's write transaction."""
        if not self.pending or self.version is None:
            return
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO vacancy_title_codes"
            " (title_key, resolver_version, nkz_code, nkz_unit, score, confident, tied) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (key, self.version, v.code, v.unit, v.score, int(v.confident), json.dumps(list(v.tied)))
                for key, v in self.pending.items()
            ],
        )
        self.pending.clear()


@dataclass(frozen=True)
class TitleTask:
    """One title for a worker: its verdict if known, and the (title as written, description) pairs to read."""

    title: str
    verdict: TitleVerdict | None
    texts: tuple[tuple[str, str], ...]
    described_keys: tuple[tuple[str, str], ...]
    version: str | None


@dataclass
class Ticket:
    """Work sent to the pool for one batch: the tasks and, in the same order, the futures of their chunks."""

    tasks: list[TitleTask]
    futures: list[Any]


def code_titles(tasks: Sequence[TitleTask]) -> list[tuple[TitleVerdict, list[CodeChoice | None] | None]]:
    """In a worker: each title's verdict and, where the title is not enough, each description's choice.

    The choices are None when the title settled it and no description was read.
    """
    from knowledge.resolver import get_resolver

    resolver = get_resolver()
    results = []
    for task in tasks:
        verdict = task.verdict or verdict_of(resolver.resolve(title=task.title))
        title_choice = title_choice_of(verdict, task.version)
        if title_settles(verdict):
            results.append((verdict, None))
            continue
        choices = [
            choose_with_description(verdict, title_choice, resolver.resolve(title=title, duties=text), task.version)
            for title, text in task.texts
        ]
        results.append((verdict, choices))
    return results


def title_settles(verdict: TitleVerdict) -> bool:
    """A confident title needs no description."""
    return verdict.code is not None and verdict.confident


def title_choice_of(verdict: TitleVerdict, version: str | None) -> CodeChoice | None:
    """The code the title alone gives (None when the resolver could not place it)."""
    return CodeChoice(verdict.code, verdict.unit, verdict.score or 0.0, version, "title") if verdict.code else None


def choose_with_description(
    verdict: TitleVerdict, title_choice: CodeChoice | None, resolution: Any, version: str | None
) -> CodeChoice | None:
    """Read a title-plus-description answer: a confident one wins; otherwise it may only break the title's tie."""
    allowed = {verdict.code, *verdict.tied} if verdict.tied and verdict.code else set()
    units = {code.split("-")[0] for code in allowed}
    return (
        _top_if_confident(resolution, version)
        or (_first_allowed(resolution, allowed, units, version) if allowed else None)
        or title_choice
    )


def _described_key(title: str, text: str) -> tuple[str, str]:
    digest = hashlib.blake2b(text[:DESCRIPTION_CHARS].encode("utf-8"), digest_size=12).hexdigest()
    return title_key(title), digest


def verdict_of(resolution: Any) -> TitleVerdict:
    """Reduce a resolution to what coding needs: the best candidate and the ties around it."""
    candidates = tuple(getattr(resolution, "candidates", ()) or ())
    if not candidates or float(candidates[0].score) < MIN_SCORE:
        return TitleVerdict(None, None, None, False)
    top = candidates[0]
    tied = tuple(
        c.code for c in candidates[1:] if c.unit != top.unit and float(c.score) >= TIE_RATIO * float(top.score)
    )
    return TitleVerdict(top.code, top.unit, round(float(top.score), 4), bool(resolution.confident), tied)


def _top_if_confident(resolution: Any, version: str | None) -> CodeChoice | None:
    if not resolution.confident or not resolution.candidates or float(resolution.candidates[0].score) < MIN_SCORE:
        return None
    top = resolution.candidates[0]
    return CodeChoice(top.code, top.unit, round(float(top.score), 4), version, "title+description")


def _first_allowed(resolution: Any, codes: set[str], units: set[str], version: str | None) -> CodeChoice | None:
    for candidate in resolution.candidates:
        if candidate.code in codes or candidate.unit in units:
            return CodeChoice(candidate.code, candidate.unit, round(float(candidate.score), 4), version, "title+description")
    return None


# ---------------------------------------------------------------- recoding and manual codes


@dataclass
class RecodeReport:
    checked: int = 0
    changed: int = 0
    unchanged: int = 0
    uncoded: int = 0
    resolver_version: str | None = None
    coding: CodingStats = field(default_factory=CodingStats)
    seconds: float = 0.0


def recode(
    db: sqlite_utils.Database,
    resolver: Resolver | None = None,
    progress: Progress | None = None,
    batch_size: int = 2000,
) -> RecodeReport:
    """Re-code every automatically coded (or still uncoded) vacancy with the current resolver.

    Run it after the knowledge or the resolver changes.  Codes with origin
    ``source`` or ``manual`` are never touched, not even when they would
    change.  Titles are resolved afresh (stored verdicts of every version are
    replaced), each distinct title once.  Each batch commits on its own, and
    the resolver runs outside the write lock, so the bot keeps working.
    """
    started = time.perf_counter()
    coder = VacancyCoder(db, resolver, use_stored=False)
    report = RecodeReport(resolver_version=coder.version, coding=coder.stats)
    with write_transaction(db):
        db.execute("DELETE FROM vacancy_title_codes")
    where = "(code_origin = 'auto' OR code_origin IS NULL)"
    total = db.execute(f"SELECT count(*) FROM vacancies WHERE {where}").fetchone()[0]
    last_id = 0
    try:
        while True:
            rows = db.execute(
                f"SELECT id, title, description, nkz_code, nkz_unit, code_confidence, code_version FROM vacancies"
                f" WHERE id > ? AND {where} ORDER BY id LIMIT ?",
                [last_id, batch_size],
            ).fetchall()
            if not rows:
                break
            last_id = rows[-1][0]
            coder.prepare((title, description) for _, title, description, *_ in rows)
            updates = []
            for vacancy_id, title, description, code, unit, confidence, version in rows:
                choice = coder.code(title, description)
                new = (choice.code, choice.unit, "auto", choice.confidence, choice.version) if choice else (None, None, None, None, None)
                old = (code, unit, "auto" if code else None, confidence, version)
                report.checked += 1
                if choice is None:
                    report.uncoded += 1
                if new == old:
                    report.unchanged += 1
                else:
                    report.changed += 1
                    updates.append((*new, *derived_code_columns(new[0], new[1]), vacancy_id))
            with write_transaction(db):
                db.conn.executemany(
                    "UPDATE vacancies SET nkz_code = ?, nkz_unit = ?, code_origin = ?, code_confidence = ?, code_version = ?,"
                    f" nkz_minor = ?, nkz_sub_major = ? WHERE id = ? AND {where}",
                    updates,
                )
                coder.save_pending()
            if progress:
                progress(report.checked, total)
    finally:
        coder.close()
    report.seconds = time.perf_counter() - started
    return report


def set_manual_code(db: sqlite_utils.Database, vacancy_id: int, code: str | None) -> bool:
    """A person's code for one vacancy (origin ``manual``; recoding never overrides it).

    ``code=None`` hands the vacancy back to automatic coding (it is coded at
    the next :func:`recode`).  Returns False when there is no such vacancy.
    """
    if code is None:
        values: tuple[Any, ...] = (None, None, None)
    else:
        try:
            canonical = canonical_code(code)
        except RowError as error:
            raise UnknownCodeError(str(error)) from None
        from knowledge.tree import load_tree

        group = load_tree().get(canonical or "")
        values = (canonical, group.unit if group else None, "manual")
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE vacancies SET nkz_code = ?, nkz_unit = ?, code_origin = ?, code_confidence = NULL,"
            " code_version = NULL, nkz_minor = ?, nkz_sub_major = ? WHERE id = ?",
            [*values, *derived_code_columns(values[0], values[1]), vacancy_id],
        )
    return cursor.rowcount > 0
