"""The one way a usage event is written: on its own (`record`), or with a service's change as an object
(`add`) or as a statement on its cursor (`insert`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Insert
from sqlalchemy import insert as insert_into
from sqlalchemy.engine.interfaces import DBAPICursor

from hub.database import Prepared
from hub.database import is_sqlite
from hub.database import session_cursor
from hub.database import writing
from hub.extensions import db
from hub.models import EventKind
from hub.models import UsageEvent
from hub.models import utcnow


def _insert(dialect: str) -> Insert:
    statement = insert_into(UsageEvent.__table__)
    # SQLite reports the new id as the cursor's lastrowid; PostgreSQL's driver needs RETURNING
    return statement.returning(UsageEvent.__table__.c.id) if dialect == "postgresql" else statement


@dataclass(frozen=True)
class RecordedEvent:
    id: int
    created_at: datetime


def record(kind: EventKind, **fields) -> RecordedEvent:
    """Write a usage event and commit it (with anything else the session holds).

    Every search and page view writes one, so it is a single prebuilt INSERT on the session's driver
    cursor rather than an ORM object through the unit of work (several times the cost). The fields
    are those of `_values`.
    """
    # every page view writes an event: on SQLite they queue for the lock instead of sleeping on it
    with writing(db.session()):
        with session_cursor(db.session) as cursor:
            event = insert(cursor, kind, **fields)
        db.session.commit()
    return event


def insert(cursor: DBAPICursor, kind: EventKind, **fields) -> RecordedEvent:
    """Write a usage event on a driver cursor of the session's transaction; the caller commits.

    For services that write their own change the same way (hub.database.Prepared), inside `writing`.
    """
    values = _values(kind, **fields)
    _INSERT.execute(cursor, values)
    event_id = cursor.lastrowid if is_sqlite() else cursor.fetchone()[0]
    return RecordedEvent(id=event_id, created_at=values["created_at"])


def add(kind: EventKind, **fields) -> UsageEvent:
    """Add a usage event to the session, to be committed with the caller's own change."""
    event = UsageEvent(**_values(kind, **fields))
    db.session.add(event)
    return event


def _values(
    kind: EventKind,
    *,
    user_id: int | None = None,
    asset_id: int | None = None,
    deal_id: int | None = None,
    share_id: int | None = None,
    query: str | None = None,
    filters: dict | None = None,
    result_count: int | None = None,
    seconds: float | None = None,
    source: str = "web",
    search_id: str | None = None,
    at: datetime | None = None,
) -> dict:
    return {
        "kind": kind,
        "user_id": user_id,
        "asset_id": asset_id,
        "deal_id": deal_id,
        "share_id": share_id,
        "query": (query or None) and query[:500],
        "filters": filters or None,
        "result_count": result_count,
        "seconds": seconds,
        "source": source,
        "search_id": search_id,
        "created_at": at or utcnow(),
    }


# compiled for the columns `_values` fills, all of them on every call
_INSERT = Prepared(_insert, column_keys=tuple(_values(EventKind.VIEW)))
