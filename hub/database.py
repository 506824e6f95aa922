"""Engine settings: SQLite in WAL mode with foreign keys, so the laptop default behaves like a server."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.pool import Pool
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert

from hub.extensions import db

log = logging.getLogger(__name__)


def configure_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    else:
        # kept open for every thread of a worker (hub.asgi: pages, each with up to two, and beacon
        # groups): with SQLAlchemy's 5, connections past the fifth were closed on return and opened
        # again for the next request, and PostgreSQL's start-up of each took more CPU than the beacons
        options.setdefault("pool_size", 12)
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


def upsert(table: Table, dialect: str) -> Insert:
    """INSERT … ON CONFLICT for the named database; SQLite and PostgreSQL spell it the same way."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


class Prepared:
    """A Core statement compiled once per dialect and run on a driver cursor.

    For the busiest request, page-time beacons, SQLAlchemy's per-execution machinery (execution
    context, parameter and result set-up) costs several times the SQL itself: on SQLite about 35 µs
    against 7 µs for the beacon's link lookup, and 130 µs against 19 µs for its writes. The statement
    is still written and compiled by SQLAlchemy, and its column types still convert the values both
    ways; only the per-call machinery is skipped. `statement` may be a function of the dialect's name,
    for the statements spelled differently per database.
    """

    def __init__(
        self,
        statement: Executable | Callable[[str], Executable],
        *,
        column_keys: Sequence[str] | None = None,
    ) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        # per dialect object (each engine has its own), dropped with it
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            statement = (
                self.statement if isinstance(self.statement, Executable) else self.statement(dialect.name)
            )
            compiled = self._compiled[dialect] = _Compiled(statement, dialect, self.column_keys)
        return compiled

    def all(self, cursor: DBAPICursor, params: dict) -> list[tuple]:
        """Run a SELECT; its rows with each column converted as SQLAlchemy would."""
        dialect = db.engine.dialect
        compiled = self._for(dialect)
        cursor.execute(compiled.sql, compiled.bind(params))
        rows = cursor.fetchall()
        convert = compiled.converters(cursor, dialect)
        if not any(convert):
            return rows
        return [
            tuple(value if to is None else to(value) for to, value in zip(convert, row, strict=True))
            for row in rows
        ]

    def execute(self, cursor: DBAPICursor, params: dict) -> None:
        compiled = self._for(db.engine.dialect)
        cursor.execute(compiled.sql, compiled.bind(params))

    def execute_many(self, cursor: DBAPICursor, rows: list[dict]) -> None:
        compiled = self._for(db.engine.dialect)
        cursor.executemany(compiled.sql, [compiled.bind(row) for row in rows])


class _Compiled:
    def __init__(self, statement: Executable, dialect: Dialect, column_keys: list[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        self.sql = str(compiled)
        # constants the statement carries itself, such as the 1 of round(…, 1)
        self.defaults = {name: value for name, value in compiled.params.items() if value is not None}
        # positional drivers (SQLite's qmark) take a tuple in this order; named ones a dict
        self.order = compiled.positiontup
        self.binds = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        self.columns = list(getattr(statement, "selected_columns", ()))
        self.results: list | None = None

    def bind(self, params: dict) -> dict | tuple:
        values = {**self.defaults, **params}
        for name, processor in self.binds.items():
            if name in values:
                values[name] = processor(values[name])
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)

    def converters(self, cursor: DBAPICursor, dialect: Dialect) -> list:
        """Each result column's conversion, or None; some depend on the type the driver reports."""
        if self.results is None:
            self.results = [
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self.columns, cursor.description, strict=True)
            ]
        return self.results


@contextmanager
def session_cursor(session: Session) -> Iterator[DBAPICursor]:
    """A driver cursor on the session's own connection, for `Prepared` reads inside its transaction."""
    cursor = session.connection().connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


@contextmanager
def driver_connection() -> Iterator[PoolProxiedConnection]:
    """A pooled driver connection for `Prepared` statements.

    On return the pool rolls back what was not committed, and throws the connection away if that
    fails (a connection the database dropped).
    """
    connection = db.engine.raw_connection()
    try:
        yield connection
    finally:
        connection.close()
