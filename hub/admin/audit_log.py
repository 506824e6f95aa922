"""Reading the audit log: filters, pages and the CSV export."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import IO

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hub.extensions import db
from hub.models import AuditEntry
from hub.models import User

PAGE_SIZE = 50
CSV_COLUMNS = ("time_utc", "user_email", "user_name", "action", "target_type", "target_id", "detail", "ip")
# a cell starting with one of these would run as a formula in a spreadsheet (CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None

    def apply(self, query: Select) -> Select:
        if self.user_id is not None:
            query = query.where(AuditEntry.user_id == self.user_id)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.start:
            query = query.where(AuditEntry.created_at >= datetime.combine(self.start, time.min))
        # the last representable day has no next day to stop before, and nothing lies beyond it
        if self.end and self.end < date.max:
            query = query.where(
                AuditEntry.created_at < datetime.combine(self.end + timedelta(days=1), time.min)
            )
        return query


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def page_of(filters: AuditFilter, page: int = 1, per_page: int = PAGE_SIZE) -> AuditPage:
    """Newest first."""
    total = db.session.scalar(filters.apply(select(func.count(AuditEntry.id)))) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    query = (
        filters.apply(select(AuditEntry))
        .options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return AuditPage(list(db.session.scalars(query)), page, pages, total)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def actors() -> list[User]:
    """Users who appear in the log, for the filter."""
    ids = select(AuditEntry.user_id).where(AuditEntry.user_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_csv(filters: AuditFilter, batch: int = 1000) -> IO[bytes]:
    """The filtered log as UTF-8 CSV, oldest first, read in batches and spooled to disk past 8 MB."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")
    out = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    last_id = 0
    while True:
        query = (
            filters.apply(select(AuditEntry))
            .options(joinedload(AuditEntry.user))
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch)
        )
        entries = list(db.session.scalars(query))
        for entry in entries:
            user = entry.user
            writer.writerow(
                [
                    entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    _cell(user.email if user else ""),
                    _cell(user.name if user else ""),
                    _cell(entry.action),
                    _cell(entry.target_type),
                    _cell(entry.target_id),
                    _cell(entry.detail),
                    _cell(entry.ip_address),
                ]
            )
        db.session.expunge_all()
        if len(entries) < batch:
            break
        last_id = entries[-1].id
    out.flush()
    out.detach()
    spool.seek(0)
    return spool
