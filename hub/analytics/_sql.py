"""Small SQL helpers that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# stay well under SQLite's bound-parameter limit when filtering by long id lists
CHUNK = 900


class day_of(FunctionElement):  # noqa: N801 - reads like a SQL function
    """The calendar day of a timestamp, comparable with a DATE column."""

    type = Date()
    inherit_cache = True


@compiles(day_of)
def _day_of_default(element, compiler, **kw) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps dates as ISO text; CAST(... AS DATE) would yield a number
    return f"date({compiler.process(element.clauses, **kw)})"


def day_start(value: date) -> datetime:
    return datetime.combine(value, time.min)


def day_after(value: date) -> datetime:
    """Exclusive upper bound for timestamps on or before `value`."""
    return datetime.combine(value + timedelta(days=1), time.min)


def as_datetime(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else day_start(value)


def chunks(ids: Iterable[int] | None) -> Iterator[list[int] | None]:
    """Yield the id list in bounded pieces; None (no filter) is yielded once as None."""
    if ids is None:
        yield None
        return
    items = sorted({int(i) for i in ids})
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def money(value: object) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def rate(won: int, closed: int) -> float | None:
    return won / closed if closed else None
