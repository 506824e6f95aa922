"""The one way a usage event is written."""

from __future__ import annotations

from datetime import datetime

from hub.database import writing
from hub.extensions import db
from hub.models import EventKind
from hub.models import UsageEvent
from hub.models import utcnow


def record(
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
    commit: bool = True,
) -> UsageEvent:
    """Add a usage event; commit=False lets a service write it in the same transaction as its own change."""
    event = UsageEvent(
        kind=kind,
        user_id=user_id,
        asset_id=asset_id,
        deal_id=deal_id,
        share_id=share_id,
        query=(query or None) and query[:500],
        filters=filters or None,
        result_count=result_count,
        seconds=seconds,
        source=source,
        search_id=search_id,
        created_at=at or utcnow(),
    )
    db.session.add(event)
    if commit:
        # every page view writes an event: on SQLite they queue for the lock instead of sleeping on it
        with writing(db.session()):
            db.session.commit()
    return event
