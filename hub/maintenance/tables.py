"""Tables to and from JSON lines, portable between SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import contextlib
import enum
import json
import sqlite3
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from datetime import date
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Connection
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Engine
from sqlalchemy import Enum
from sqlalchemy import Float
from sqlalchemy import LargeBinary
from sqlalchemy import Numeric
from sqlalchemy import Table
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

from hub.models import Base

Progress = Callable[[str], None]
BATCH = 1000


def tables() -> list[Table]:
    """Every model table, parents before children."""
    return list(Base.metadata.sorted_tables)


def encode(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def decode(column: Column, value: object) -> object:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Enum):
        return kind.enum_class(value) if kind.enum_class else value
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Float):
        return float(value)
    if isinstance(kind, Numeric):
        return Decimal(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, JSON):
        return value
    return value


@contextlib.contextmanager
def snapshot(engine: Engine, workdir: Path) -> Iterator[Connection]:
    """A connection that sees one consistent state of the database while Hub keeps writing.

    SQLite: an online copy made with the sqlite3 backup API. PostgreSQL: one REPEATABLE READ,
    read-only transaction, so every table is read as of the same moment.
    """
    if engine.dialect.name == "sqlite":
        copy = workdir / "snapshot.db"
        source = sqlite3.connect(engine.url.database, timeout=30)
        target = sqlite3.connect(copy)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
        snap = create_engine(f"sqlite:///{copy}")
        try:
            with snap.connect() as conn:
                yield conn
        finally:
            snap.dispose()
        return
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            yield conn


def schema_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def dump_table(conn: Connection, table: Table, out: IO[str]) -> int:
    """Write a header line with the column names, then one JSON list per row; return the row count."""
    names = [c.name for c in table.columns]
    out.write(json.dumps(names) + "\n")
    count = 0
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(table).order_by(*order)
    )
    for row in result:
        out.write(json.dumps([encode(v) for v in row], ensure_ascii=False) + "\n")
        count += 1
    return count


def deferred_columns(table: Table, order: list[Table]) -> list[str]:
    """Columns pointing at a table loaded later (or at itself): inserted empty, filled in afterwards."""
    position = {t.name: i for i, t in enumerate(order)}
    here = position[table.name]
    late = []
    for fk in table.foreign_keys:
        if position.get(fk.column.table.name, -1) >= here:
            late.append(fk.parent.name)
    return late


def load_table(conn: Connection, table: Table, lines: IO[str], deferred: list[str]) -> tuple[int, list]:
    """Insert the rows from a dump; return the count and the (key, values) updates still to apply."""
    names = json.loads(lines.readline())
    known = {c.name: c for c in table.columns}
    missing = [n for n in names if n not in known]
    if missing:
        raise ValueError(f"table {table.name}: the backup has columns this version does not: {missing}")
    key_names = [c.name for c in table.primary_key.columns]
    stamped = [c.name for c in table.columns if c.onupdate is not None and c.name in names]
    later: list = []
    batch: list[dict] = []
    count = 0
    for line in lines:
        raw = json.loads(line)
        row = {name: decode(known[name], value) for name, value in zip(names, raw, strict=True)}
        late = {name: row[name] for name in deferred if row.get(name) is not None}
        if late:
            row.update(dict.fromkeys(late))
            # the later UPDATE must not fire onupdate defaults (updated_at keeps its restored value)
            late.update({name: row[name] for name in stamped})
            later.append(({k: row[k] for k in key_names}, late))
        batch.append(row)
        count += 1
        if len(batch) >= BATCH:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
    return count, later


def apply_deferred(conn: Connection, table: Table, later: list) -> None:
    for key, values in later:
        where = [table.c[name] == value for name, value in key.items()]
        conn.execute(update(table).where(*where).values(**values))


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences, which must continue after the restored rows."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not keys[0].autoincrement or keys[0].type.python_type is not int:
            continue
        name = conn.dialect.identifier_preparer.quote(table.name)
        column = keys[0].name
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": column}
        ).scalar()
        if sequence:
            conn.execute(
                text(f"SELECT setval(:s, COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {name}"),
                {"s": sequence},
            )


def row_counts(conn: Connection) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    counts = {}
    for table in tables():
        if table.name in present:
            counts[table.name] = conn.execute(select(table).with_only_columns(text("count(*)"))).scalar() or 0
    return counts


def clear_all(conn: Connection) -> None:
    """Delete every row (children first), breaking the asset <-> current version cycle first."""
    order = tables()
    for table in order:
        late = deferred_columns(table, order)
        if late:
            conn.execute(update(table).values(dict.fromkeys(late)))
    for table in reversed(order):
        conn.execute(table.delete())


def workdir(near: Path) -> tempfile.TemporaryDirectory:
    """Scratch space next to the archive, so big dumps do not fill a small /tmp."""
    near.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=near, prefix=".hub-work-")
