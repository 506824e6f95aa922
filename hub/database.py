"""Engine settings: SQLite in WAL mode with foreign keys, so the laptop default behaves like a server."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import Insert

from hub.extensions import db

log = logging.getLogger(__name__)


def configure_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


# A database server restart or a dropped connection leaves dead connections in the pool. Checking
# each one with a round trip before every use (SQLAlchemy's pool_pre_ping) cost a seventh of a beacon
# on PostgreSQL. A connection handed back within the last second was working a moment ago, so only
# those idle for longer are checked; a server that went away in between fails the requests in flight
# anyway, and their disconnect errors make the pool replace every older connection.
PING_AFTER_IDLE_SECONDS = 1.0


@event.listens_for(Pool, "checkin")
def _note_return(_dbapi_connection, record: ConnectionPoolEntry) -> None:
    record.info["hub_returned_at"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _check_if_idle(dbapi_connection, record: ConnectionPoolEntry, _proxy) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    returned_at = record.info.get("hub_returned_at")
    if returned_at is not None and time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
        return
    try:
        ping(dbapi_connection)
    except Exception as exc:
        # the pool drops this connection and checks out another (up to three tries)
        raise DisconnectionError("database connection lost while idle") from exc


def ping(dbapi_connection) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
        cursor.fetchall()
    finally:
        cursor.close()
    # the driver opened a transaction for the SELECT; the connection goes out as it came back, idle
    dbapi_connection.rollback()


@event.listens_for(Engine, "connect")
def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


# SQLite lets one writer in at a time and makes the others sleep and retry (1 ms, 2 ms, 5 ms … up to
# 100 ms), so writers colliding on its lock spend far more time asleep than writing. Threads of one
# process queue on this lock instead, and processes on an flock of a file beside the database, which
# the kernel hands to the next waiter the moment it is released.
_sqlite_writer = threading.Lock()
# (process id, lock file path) -> open descriptor; a forked worker opens its own
_turn_files: dict[tuple[int, str], int | None] = {}


@contextmanager
def writing(session: Session | None = None) -> Iterator[None]:
    """Around a short write transaction: on SQLite, writers take turns across threads and processes.

    With `session`, a session that has already written in its open transaction holds SQLite's lock
    and goes straight on: waiting for a turn held by a writer that waits for that lock would deadlock.
    """
    if not is_sqlite() or (session is not None and _holds_write_lock(session)):
        yield
        return
    with _sqlite_writer:
        turn = _turn_file()
        if turn is None:
            yield
            return
        fcntl.flock(turn, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)


def _holds_write_lock(session: Session) -> bool:
    if not session.in_transaction():
        return False
    # the driver opens its transaction (BEGIN) at the first write, so an open one means written
    return bool(session.connection().connection.driver_connection.in_transaction)


def _turn_file() -> int | None:
    """This process's descriptor of the database's writer-turn file; None for an in-memory database."""
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    key = (os.getpid(), f"{database}.writer")
    if key not in _turn_files:
        try:
            _turn_files[key] = os.open(key[1], os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            # a folder Hub may write the database in but not create files in: SQLite's own lock still holds
            log.warning(
                "cannot open %s; SQLite writers will not queue across processes", key[1], exc_info=True
            )
            _turn_files[key] = None
    return _turn_files[key]


def upsert(table: Table) -> Insert:
    """INSERT … ON CONFLICT for the database in use; SQLite and PostgreSQL spell it the same way."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
