"""Write transactions that take the write lock up front.

Why not ``db.atomic()``: it opens a *deferred* transaction, which in WAL mode
can fail with ``SQLITE_BUSY`` when it reads first and another process (the
bot) writes in between.  ``BEGIN IMMEDIATE`` takes the write lock at the
start, so the connection's busy timeout makes writers queue instead.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or roll back everything if the block raises.

    Opened inside another ``write_transaction`` on the same database, it joins
    that one: the outermost block commits, and an error anywhere rolls all of
    it back.  (The bot wraps a whole turn this way; a subscription made during
    the turn is part of it.)  Any other transaction already open is a mistake
    and raises.
    """
    depth = _open_depth.get(db, 0)
    if depth:
        _open_depth[db] = depth + 1
        try:
            yield db
        finally:
            _open_depth[db] = depth
        return
    if db.conn.in_transaction:
        raise RuntimeError("a transaction is already open on this connection")
    db.execute("BEGIN IMMEDIATE")
    _open_depth[db] = 1
    try:
        yield db
    except BaseException:
        _open_depth.pop(db, None)
        db.conn.rollback()
        raise
    _open_depth.pop(db, None)
    db.conn.commit()


_open_depth: weakref.WeakKeyDictionary[sqlite_utils.Database, int] = weakref.WeakKeyDictionary()
"""How deeply each database is inside write_transaction blocks (sqlite3 connections take no weak references)."""
