"""People and their conversations: the least that must be stored for the bot to work.

What is kept, and why:

* ``users`` — the Telegram user id (to answer and to send alerts), the chat
  id, the chosen language and city, and two timestamps.  No names, no
  usernames, no phone numbers.
* ``conversations`` — the dialog state (JSON), so that a conversation in
  progress survives a restart between two messages.  It holds what the
  person wrote about their job in this session, which ``/summary`` needs;
  a finished session is replaced by the next one.
* ``session_events`` — codes shown and vacancies listed in the session, for
  ``/summary``; codes and counts only, never message text.
* ``usage`` — anonymous daily counters for the admin statistics.

``forget(user_id)`` erases everything about one person in one transaction.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from db.transaction import write_transaction


def create_conversation_tables(db: sqlite_utils.Database) -> None:
    """Migration step: the tables above (see db/migrations.py)."""
    db.execute(
        """CREATE TABLE users (
            user_id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            lang TEXT,
            city TEXT,
            created TEXT NOT NULL,
            last_seen TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE conversations (
            user_id INTEGER PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
            state TEXT NOT NULL,
            updated TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE session_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            code TEXT,
            detail TEXT
        )"""
    )
    db.execute("CREATE INDEX session_events_user ON session_events (user_id, id)")
    db.execute(
        """CREATE TABLE usage (
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, kind)
        )"""
    )


def subscription_key(user_id: int) -> str:
    """The opaque key a Telegram user's vacancy subscriptions are stored under."""
    return f"telegram:{user_id}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class User:
    user_id: int
    chat_id: int
    lang: str | None
    city: str | None


class ConversationStore:
    """Reads and writes of the tables above.

    Every write commits before returning — unless it runs inside
    :meth:`transaction`, which the service opens around a whole turn: then
    the turn's writes (the person seen, the counters, the new state, the
    events) land together in one commit, or not at all.
    """

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def transaction(self) -> contextlib.AbstractContextManager:
        """One commit for everything written inside; nested calls join the outer one.

        Why: a turn used to make four or five commits, each taking SQLite's
        file locks and appending to the WAL; under load that was a tenth of
        the bot's time (`kasip bench bot`), and a failed turn left half its
        writes behind.
        """
        return write_transaction(self.db)

    def touch(self, user_id: int, chat_id: int) -> User:
        """Record that the person wrote (creating them on first contact) and return them."""
        now = _now()
        with self.transaction():
            row = self.db.execute(
                """INSERT INTO users (user_id, chat_id, created, last_seen) VALUES (?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, last_seen = excluded.last_seen
                   RETURNING user_id, chat_id, lang, city""",
                [user_id, chat_id, now, now],
            ).fetchall()[0]  # read to the end: the statement is then finished before the commit
        return User(*row)

    def user(self, user_id: int) -> User | None:
        row = self.db.execute("SELECT user_id, chat_id, lang, city FROM users WHERE user_id = ?", [user_id]).fetchone()
        return User(*row) if row else None

    def set_language(self, user_id: int, lang: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE users SET lang = ? WHERE user_id = ?", [lang, user_id])

    def set_city(self, user_id: int, city: str | None) -> None:
        with self.transaction():
            self.db.execute("UPDATE users SET city = ? WHERE user_id = ?", [city, user_id])

    def load_state(self, user_id: int) -> str | None:
        row = self.db.execute("SELECT state FROM conversations WHERE user_id = ?", [user_id]).fetchone()
        return row[0] if row else None

    def save_state(self, user_id: int, state_json: str) -> None:
        with self.transaction():
            self.db.execute(
                """INSERT INTO conversations (user_id, state, updated) VALUES (?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, updated = excluded.updated""",
                [user_id, state_json, _now()],
            )

    def log_event(self, user_id: int, kind: str, code: str | None = None, detail: dict | None = None) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO session_events (user_id, at, kind, code, detail) VALUES (?, ?, ?, ?, ?)",
                [user_id, _now(), kind, code, json.dumps(detail, ensure_ascii=False) if detail else None],
            )

    def clear_session(self, user_id: int) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM session_events WHERE user_id = ?", [user_id])

    def session_events(self, user_id: int) -> list[tuple[str, str | None, dict]]:
        rows = self.db.execute(
            "SELECT kind, code, detail FROM session_events WHERE user_id = ? ORDER BY id", [user_id]
        ).fetchall()
        return [(kind, code, json.loads(detail) if detail else {}) for kind, code, detail in rows]

    def count(self, kind: str) -> None:
        """Bump an anonymous daily counter (no user id is stored with it)."""
        with self.transaction():
            self.db.execute(
                """INSERT INTO usage (day, kind, count) VALUES (?, ?, 1)
                   ON CONFLICT (day, kind) DO UPDATE SET count = count + 1""",
                [_now()[:10], kind],
            )

    def usage(self, days: int = 30) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT kind, SUM(count) FROM usage WHERE day >= date('now', ?) GROUP BY kind ORDER BY kind",
            [f"-{int(days)} days"],
        ).fetchall()
        totals = dict(rows)
        totals["users"] = self.db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
        return totals

    def forget(self, user_id: int) -> None:
        """Erase everything stored about one person (their subscriptions too)."""
        with self.transaction():
            for table, column in (("session_events", "user_id"), ("conversations", "user_id")):
                self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", [user_id])
            if "vacancy_subscriptions" in self.db.table_names():
                self.db.execute("DELETE FROM vacancy_subscriptions WHERE user_key = ?", [subscription_key(user_id)])
            self.db.execute("DELETE FROM users WHERE user_id = ?", [user_id])
