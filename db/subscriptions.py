"""Vacancy alerts, store side: who watches which group where, and what is new for them.

    sub = subscribe(db, user_key, "7212", city="Караганда")
    ... an import adds vacancies ...
    for alert in pending_alerts(db):
        send(alert.user_key, alert.vacancies)          # the Telegram layer, later
        mark_notified(db, alert.subscription_id, alert.watermark)

**Least personal data.**  A subscription stores an opaque ``user_key`` —
the transport derives it with :func:`opaque_user_key` from its own user id
and a secret, so the database alone does not say who anyone is — plus the
code, the city and dates.  No names, no chat ids.  :func:`unsubscribe` with
no code forgets everything about a user.

**What "new" means.**  Vacancy ids only grow (``AUTOINCREMENT``), so each
subscription keeps the highest id it has been told about (its watermark).
A new subscription starts at the newest vacancy: it announces what arrives
*after* subscribing, not the backlog.  A vacancy whose text changes keeps
its id and is not announced again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlite_utils

from db.cities import clean_city
from db.transaction import write_transaction
from db.vacancy_errors import VacancyStoreError
from db.vacancy_search import LEVEL_COLUMN, VACANCY_COLUMNS, Vacancy, search_levels, vacancy_from_row


@dataclass(frozen=True)
class Subscription:
    id: int
    user_key: str
    code: str
    city: str | None
    created: str
    last_notified_vacancy: int


@dataclass(frozen=True)
class Alert:
    """New vacancies for one subscription: the newest few, how many in all, and the watermark to mark."""

    subscription_id: int
    user_key: str
    code: str
    city: str | None
    vacancies: tuple[Vacancy, ...]
    total_new: int
    watermark: int


def opaque_user_key(platform_user_id: str | int, secret: str, platform: str = "telegram") -> str:
    """A stable key for a user that cannot be turned back into their id without *secret*."""
    if not secret:
        raise ValueError("an opaque key needs a secret")
    message = f"{platform}:{platform_user_id}".encode()
    return "u1_" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _subscription(row: tuple) -> Subscription:
    sub_id, user_key, code, city, created, last = row
    return Subscription(sub_id, user_key, code, city or None, created, last)


def _check_key(user_key: str) -> None:
    if not isinstance(user_key, str) or not 8 <= len(user_key) <= 128:
        raise VacancyStoreError("user_key must be an opaque key of 8 to 128 characters")


def subscribe(db: sqlite_utils.Database, user_key: str, code: str, city: str | None = None) -> Subscription:
    """Watch a group (sub-major down to occupation) in a city, or anywhere; subscribing twice is harmless."""
    _check_key(user_key)
    group = search_levels(code)[0][1]
    city_name = clean_city(city) or ""
    with write_transaction(db):
        (newest,) = db.execute("SELECT coalesce(max(id), 0) FROM vacancies").fetchone()
        db.execute(
            "INSERT INTO vacancy_subscriptions (user_key, nkz_code, city, created, last_notified_vacancy)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_key, nkz_code, city) DO NOTHING",
            [user_key, group, city_name, _now(), newest],
        )
        row = db.execute(
            "SELECT id, user_key, nkz_code, city, created, last_notified_vacancy FROM vacancy_subscriptions"
            " WHERE user_key = ? AND nkz_code = ? AND city = ?",
            [user_key, group, city_name],
        ).fetchone()
    return _subscription(row)


def unsubscribe(db: sqlite_utils.Database, user_key: str, code: str | None = None, city: str | None = None) -> int:
    """Stop watching; without *code*, every subscription of the user is removed.  Returns how many."""
    _check_key(user_key)
    sql, params = "DELETE FROM vacancy_subscriptions WHERE user_key = ?", [user_key]
    if code is not None:
        sql += " AND nkz_code = ? AND city = ?"
        params += [search_levels(code)[0][1], clean_city(city) or ""]
    with write_transaction(db):
        return db.execute(sql, params).rowcount


def subscriptions_of(db: sqlite_utils.Database, user_key: str) -> list[Subscription]:
    return [
        _subscription(row)
        for row in db.execute(
            "SELECT id, user_key, nkz_code, city, created, last_notified_vacancy FROM vacancy_subscriptions"
            " WHERE user_key = ? ORDER BY id",
            [user_key],
        )
    ]


def pending_alerts(db: sqlite_utils.Database, per_subscription: int = 10) -> list[Alert]:
    """For every subscription with something new: its newest matching vacancies since the watermark.

    Reads one consistent snapshot; the returned ``watermark`` is the newest
    vacancy id in that snapshot, so marking it never skips a vacancy that
    arrives while alerts are being sent.
    """
    alerts: list[Alert] = []
    with db.conn:  # one read transaction: a snapshot of the database
        db.execute("BEGIN")
        (newest,) = db.execute("SELECT coalesce(max(id), 0) FROM vacancies").fetchone()
        subs = db.execute(
            "SELECT id, user_key, nkz_code, city, created, last_notified_vacancy FROM vacancy_subscriptions"
            " WHERE last_notified_vacancy < ? ORDER BY id",
            [newest],
        ).fetchall()
        for row in subs:
            sub = _subscription(row)
            column = LEVEL_COLUMN[search_levels(sub.code)[0][0]]
            where = f"{column} = ? AND id > ? AND id <= ?"
            params: list = [sub.code, sub.last_notified_vacancy, newest]
            if sub.city:
                where += " AND city = ?"
                params.append(sub.city)
            (count,) = db.execute(f"SELECT count(*) FROM vacancies WHERE {where}", params).fetchone()
            if not count:
                continue
            rows = db.execute(
                f"SELECT {VACANCY_COLUMNS} FROM vacancies WHERE {where} ORDER BY id DESC LIMIT ?",
                [*params, per_subscription],
            ).fetchall()
            alerts.append(
                Alert(sub.id, sub.user_key, sub.code, sub.city, tuple(vacancy_from_row(r) for r in rows), count, newest)
            )
    return alerts


def mark_notified(db: sqlite_utils.Database, subscription_id: int, watermark: int) -> None:
    """Record that a subscription has been told about everything up to *watermark* (never moves back)."""
    with write_transaction(db):
        db.execute(
            "UPDATE vacancy_subscriptions SET last_notified_vacancy = max(last_notified_vacancy, ?), last_notified = ?"
            " WHERE id = ?",
            [watermark, _now(), subscription_id],
        )
