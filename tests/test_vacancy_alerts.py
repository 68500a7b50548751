"""Vacancy subscriptions and alerts: opaque keys, watermarks, what counts as new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from db.connection import open_database
from db.migrations import migrate
from db.subscriptions import (
    mark_notified,
    opaque_user_key,
    pending_alerts,
    subscribe,
    subscriptions_of,
    unsubscribe,
)
from db.vacancy_errors import UnknownCodeError, VacancyStoreError
from db.vacancy_import import import_vacancies

ALICE = opaque_user_key(111111111, "test-secret")
BOB = opaque_user_key(222222222, "test-secret")


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    database = open_database(tmp_path / "k.sqlite")
    migrate(database)
    return database


def add(db: sqlite_utils.Database, tmp_path: Path, rows: list[tuple[str, str, str | None]], name: str = "a") -> None:
    """Import vacancies given as (source id, code, city)."""
    path = tmp_path / f"{name}.jsonl"
    path.write_text(
        "".join(
            json.dumps({"source": "t", "source_id": sid, "title": f"Вакансия {sid}", "nkz_code": code, "city": city}, ensure_ascii=False)
            + "\n"
            for sid, code, city in rows
        ),
        encoding="utf-8",
    )
    import_vacancies(db, path, "jsonl", auto_code=False)


def test_opaque_keys_do_not_reveal_the_user() -> None:
    assert ALICE == opaque_user_key("111111111", "test-secret") and ALICE != BOB
    assert "111111111" not in ALICE and ALICE != opaque_user_key(111111111, "other-secret")
    with pytest.raises(ValueError):
        opaque_user_key(1, "")


def test_new_vacancies_reach_the_right_subscribers(db, tmp_path: Path) -> None:
    add(db, tmp_path, [("old", "7212-2", "Караганда")])
    welders = subscribe(db, ALICE, "7212", city="Qaragandy")
    anywhere = subscribe(db, BOB, "7212-2")
    assert welders.city == "Караганда" and anywhere.city is None
    assert pending_alerts(db) == []  # the backlog is not news
    add(db, tmp_path, [
        ("n1", "7212-2", "Караганда"),
        ("n2", "7212-1", "Караганда"),
        ("n3", "7212-2", "Алматы"),
        ("n4", "2512", "Караганда"),
    ], name="b")
    alerts = {a.user_key: a for a in pending_alerts(db)}
    assert sorted(v.source_id for v in alerts[ALICE].vacancies) == ["n1", "n2"]  # unit 7212, in Karaganda
    assert sorted(v.source_id for v in alerts[BOB].vacancies) == ["n1", "n3"]  # occupation 7212-2, anywhere
    assert alerts[ALICE].total_new == 2 and alerts[ALICE].vacancies[0].id > alerts[ALICE].vacancies[1].id
    for alert in alerts.values():
        mark_notified(db, alert.subscription_id, alert.watermark)
    assert pending_alerts(db) == []
    add(db, tmp_path, [("n1", "7212-2", "Караганда"), ("n5", "7212-1", "Караганда")], name="c")  # n1 unchanged
    assert [v.source_id for v in pending_alerts(db)[0].vacancies] == ["n5"]


def test_changed_vacancies_are_not_announced_again(db, tmp_path: Path) -> None:
    subscribe(db, ALICE, "7212")
    add(db, tmp_path, [("n1", "7212-2", "Караганда")])
    (alert,) = pending_alerts(db)
    mark_notified(db, alert.subscription_id, alert.watermark)
    add(db, tmp_path, [("n1", "7212-2", "Темиртау")], name="b")
    assert pending_alerts(db) == []


def test_a_long_absence_gives_the_newest_few_and_the_total(db, tmp_path: Path) -> None:
    subscribe(db, ALICE, "72")
    add(db, tmp_path, [(f"v{i}", "7212-2", "Караганда") for i in range(25)])
    (alert,) = pending_alerts(db, per_subscription=10)
    assert alert.total_new == 25 and len(alert.vacancies) == 10
    assert [v.source_id for v in alert.vacancies] == [f"v{i}" for i in range(24, 14, -1)]
    mark_notified(db, alert.subscription_id, alert.watermark)
    mark_notified(db, alert.subscription_id, 0)  # a watermark never moves back
    assert pending_alerts(db) == []


def test_subscribing_is_idempotent_and_unsubscribing_forgets(db) -> None:
    first = subscribe(db, ALICE, "72121")
    assert subscribe(db, ALICE, "7212-1").id == first.id and first.code == "7212-1"
    subscribe(db, ALICE, "2512", city="Almaty")
    subscribe(db, BOB, "2512")
    assert [s.code for s in subscriptions_of(db, ALICE)] == ["7212-1", "2512"]
    assert unsubscribe(db, ALICE, "2512", city="Алматы") == 1
    assert unsubscribe(db, ALICE) == 1 and subscriptions_of(db, ALICE) == []
    assert [s.user_key for s in subscriptions_of(db, BOB)] == [BOB]
    stored = {c.name for c in db["vacancy_subscriptions"].columns}
    assert not stored & {"name", "username", "first_name", "chat_id", "telegram_id", "phone"}


def test_bad_subscriptions_are_refused(db) -> None:
    with pytest.raises(UnknownCodeError):
        subscribe(db, ALICE, "2148")
    with pytest.raises(VacancyStoreError, match="opaque key"):
        subscribe(db, "42", "7212")
