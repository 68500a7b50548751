"""Write transactions that take the write lock up front.

Why not ``db.atomic()``: it opens a *deferred* transaction, which in WAL mode
can fail with ``SQLITE_BUSY`` when it reads first and another process (the
bot) writes in between.  ``BEGIN IMMEDIATE`` takes the write lock at the
start, so the connection's busy timeout makes writers queue instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or roll back everything if the block raises."""
    if db.conn.in_transaction:
        raise RuntimeError("a transaction is already open on this connection")
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()
