"""Engine settings: SQLite in WAL mode with foreign keys, so the laptop default behaves like a server."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import Insert

from hub.extensions import db


def configure_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


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
# 100 ms), so many threads of one worker colliding on its lock waste far more time than they write.
# Within a process they queue on this lock instead; only one writer per worker meets the others.
_sqlite_writer = threading.Lock()


@contextmanager
def writing() -> Iterator[None]:
    """Around a short write transaction: on SQLite the threads of this process take turns."""
    if not is_sqlite():
        yield
        return
    with _sqlite_writer:
        yield


def upsert(table: Table) -> Insert:
    """INSERT … ON CONFLICT for the database in use; SQLite and PostgreSQL spell it the same way."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
