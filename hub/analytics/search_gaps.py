"""Search gaps: what reps look for and do not find (no results) or do not pick (no click)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import aliased

from hub.analytics.filters import ReportFilters
from hub.analytics.filters import people_condition
from hub.extensions import db
from hub.models import EventKind
from hub.models import UsageEvent


@dataclass(frozen=True)
class GapQuery:
    query: str
    count: int
    searches: int
    last_searched: datetime


def _normalized():
    return func.lower(func.trim(UsageEvent.query))


def _searches(filters: ReportFilters, *conditions):
    normalized = _normalized().label("q")
    stmt = select(normalized, UsageEvent.result_count, UsageEvent.search_id, UsageEvent.created_at).where(
        UsageEvent.kind == EventKind.SEARCH,
        UsageEvent.created_at >= filters.since,
        UsageEvent.created_at < filters.until,
        UsageEvent.query.is_not(None),
        func.trim(UsageEvent.query) != "",
        *conditions,
    )
    people = people_condition(filters, UsageEvent.user_id)
    return stmt.where(people) if people is not None else stmt


def _top(filters: ReportFilters, hit, limit: int) -> list[GapQuery]:
    """Queries ranked by how often `hit` was true for them, with their total searches."""
    rows = _searches(filters).add_columns(hit.label("hit")).subquery()
    stmt = (
        select(
            rows.c.q,
            func.sum(rows.c.hit),
            func.count(),
            func.max(rows.c.created_at),
        )
        .group_by(rows.c.q)
        .having(func.sum(rows.c.hit) > 0)
        .order_by(func.sum(rows.c.hit).desc(), func.max(rows.c.created_at).desc(), rows.c.q)
        .limit(limit)
    )
    return [GapQuery(q, int(n), int(total), last) for q, n, total, last in db.session.execute(stmt)]


def zero_result_queries(filters: ReportFilters, *, limit: int = 25) -> list[GapQuery]:
    """Most frequent queries (lower-cased, trimmed) that returned nothing."""
    return _top(filters, case((UsageEvent.result_count == 0, 1), else_=0), limit)


def no_click_queries(filters: ReportFilters, *, limit: int = 25) -> list[GapQuery]:
    """Most frequent queries that showed results but got no click on any of them.

    Searches without a search id cannot be matched to clicks and are left out; zero-result
    searches are listed separately.
    """
    click = aliased(UsageEvent)
    clicked = exists().where(click.kind == EventKind.SEARCH_CLICK, click.search_id == UsageEvent.search_id)
    no_click = case(
        (
            UsageEvent.search_id.is_not(None)
            & or_(UsageEvent.result_count.is_(None), UsageEvent.result_count > 0)
            & ~clicked,
            1,
        ),
        else_=0,
    )
    return _top(filters, no_click, limit)
