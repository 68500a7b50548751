"""A turn's writes land together or not at all (bot/service.py, db/transaction.py), on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialog import Dialog, Event
from bot.service import KasipService, Turn
from db.connection import open_database
from db.conversations import ConversationStore
from db.migrations import migrate
from db.transaction import write_transaction
from knowledge.resolver import get_resolver
from knowledge.tree import NkzTree


@pytest.fixture()
def service(tree: NkzTree, tmp_path: Path) -> KasipService:
    db = open_database(tmp_path / "turns.sqlite")
    migrate(db)
    return KasipService(ConversationStore(db), Dialog(tree, get_resolver()))


def _usage(service: KasipService) -> dict[str, int]:
    return dict(service.store.db.execute("SELECT kind, count FROM usage").fetchall())


def test_a_turn_that_fails_leaves_nothing_behind(service: KasipService, monkeypatch: pytest.MonkeyPatch) -> None:
    turn = Turn(7001, 7001, "ru")
    service.handle(turn, Event.command("start"))
    service.handle(turn, Event.button("lang:ru"))
    state_before, usage_before = service.store.load_state(7001), _usage(service)

    def broken(*args, **kwargs):
        raise RuntimeError("the resolver failed mid-turn")

    monkeypatch.setattr(service.dialog.resolver, "resolve", broken)
    with pytest.raises(RuntimeError):
        service.handle(turn, Event.text("электросварщик"))
    assert service.store.load_state(7001) == state_before  # the title is not half-stored
    assert _usage(service) == usage_before  # nor is the turn counted
    assert not service.store.db.conn.in_transaction

    monkeypatch.undo()
    replies = service.handle(turn, Event.text("электросварщик"))
    assert "7212" in replies[0].text and "7212" in (service.store.load_state(7001) or "")


def test_a_new_person_is_stored_only_with_their_first_turn(service: KasipService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service.dialog, "start", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("broken")))
    with pytest.raises(RuntimeError):
        service.handle(Turn(7002, 7002, "kk"), Event.text("дәнекерлеуші"))
    assert service.store.user(7002) is None


def test_write_transactions_join_the_outer_one(tmp_path: Path) -> None:
    db = open_database(tmp_path / "nest.sqlite")
    db.execute("CREATE TABLE t (x INTEGER)")
    with write_transaction(db):
        db.execute("INSERT INTO t VALUES (1)")
        with write_transaction(db):
            db.execute("INSERT INTO t VALUES (2)")
        assert db.conn.in_transaction  # the inner block did not commit
    assert [r[0] for r in db.execute("SELECT x FROM t ORDER BY x")] == [1, 2]

    with pytest.raises(ValueError):
        with write_transaction(db):
            db.execute("INSERT INTO t VALUES (3)")
            with write_transaction(db):
                db.execute("INSERT INTO t VALUES (4)")
                raise ValueError("inner failure")
    assert [r[0] for r in db.execute("SELECT x FROM t ORDER BY x")] == [1, 2]  # 3 and 4 both rolled back

    db.execute("BEGIN")  # somebody else's transaction: joining it would commit their half-done work
    db.execute("INSERT INTO t VALUES (5)")
    with pytest.raises(RuntimeError):
        with write_transaction(db):
            pass
    db.conn.rollback()
