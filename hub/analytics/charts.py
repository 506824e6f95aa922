"""Data for the overview charts: usage over time, win rate by stage, the engagement funnel."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from hub.analytics._sql import day_of
from hub.analytics.filters import ReportFilters
from hub.analytics.filters import asset_conditions
from hub.analytics.filters import deal_conditions
from hub.analytics.filters import people_condition
from hub.analytics.influence import influence_pairs
from hub.analytics.scorecard import deals_by_content
from hub.extensions import db
from hub.models import Asset
from hub.models import Deal
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import ShareItem
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import Stage
from hub.models import UsageEvent

SERIES = (
    (EventKind.SEARCH, "Searches"),
    (EventKind.VIEW, "Views"),
    (EventKind.DOWNLOAD, "Downloads"),
    (EventKind.SHARE, "Shares"),
    (EventKind.SHARE_OPEN, "Prospect opens"),
)
# longer ranges are shown per week so the chart stays readable
DAILY_MAX_DAYS = 62


def _event_scope(filters: ReportFilters) -> list:
    conditions = []
    people = people_condition(filters, UsageEvent.user_id)
    if people is not None:
        # prospects have no account: their opens belong to the rep who sent the link
        shared_by = select(ShareLink.id).where(people_condition(filters, ShareLink.created_by_id))
        conditions.append(
            or_(
                and_(UsageEvent.kind == EventKind.SHARE_OPEN, UsageEvent.share_id.in_(shared_by)),
                and_(UsageEvent.kind != EventKind.SHARE_OPEN, people),
            )
        )
    assets = asset_conditions(filters)
    if assets:
        conditions.append(UsageEvent.asset_id.in_(select(Asset.id).where(*assets)))
    return conditions


def _bucket(day: date, weekly: bool) -> date:
    return day - timedelta(days=day.weekday()) if weekly else day


def usage_over_time(filters: ReportFilters) -> dict:
    """Events per day (per week beyond two months) by kind, zero-filled, as Chart.js line data."""
    day = day_of(UsageEvent.created_at)
    stmt = (
        select(day, UsageEvent.kind, func.count())
        .where(
            UsageEvent.kind.in_([kind for kind, _label in SERIES]),
            UsageEvent.created_at >= filters.since,
            UsageEvent.created_at < filters.until,
            *_event_scope(filters),
        )
        .group_by(day, UsageEvent.kind)
    )
    weekly = filters.days > DAILY_MAX_DAYS
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for value, kind, n in db.session.execute(stmt):
        value = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        counts[(_bucket(value, weekly), EventKind(kind).value)] += int(n)
    buckets = sorted({_bucket(filters.start + timedelta(days=i), weekly) for i in range(filters.days)})
    return {
        "unit": "week" if weekly else "day",
        "labels": [b.isoformat() for b in buckets],
        "datasets": [
            {"label": label, "data": [counts.get((b, kind.value), 0) for b in buckets]}
            for kind, label in SERIES
        ],
    }


def win_rate_by_stage(filters: ReportFilters) -> dict:
    """Per deal stage: win rate of closed deals with content and without, each with its deal count."""
    split = deals_by_content(filters, group_by=Deal.stage_id)
    stages = db.session.scalars(select(Stage).order_by(Stage.position, Stage.name)).all()
    names = {stage.id: stage.name for stage in stages}
    order = [stage.id for stage in stages if any(key[1] == stage.id for key in split)]
    if any(key[1] is None for key in split):
        order.append(None)
    rows = []
    for stage_id in order:
        with_won, with_closed = split.get((True, stage_id), (0, 0))
        out_won, out_closed = split.get((False, stage_id), (0, 0))
        rows.append(
            {
                "stage": names.get(stage_id, "No stage"),
                "with_rate": with_won / with_closed if with_closed else None,
                "with_deals": with_closed,
                "without_rate": out_won / out_closed if out_closed else None,
                "without_deals": out_closed,
            }
        )
    return {"rows": rows}


def _distinct_assets(stmt) -> int:
    return int(db.session.scalar(select(func.count()).select_from(stmt.distinct().subquery())) or 0)


def engagement_funnel(filters: ReportFilters) -> dict:
    """Distinct assets at each step: viewed by reps → shared → opened by prospects → in won deals."""
    scope = _event_scope(filters)

    def event_assets(kind: EventKind):
        return select(UsageEvent.asset_id).where(
            UsageEvent.kind == kind,
            UsageEvent.created_at >= filters.since,
            UsageEvent.created_at < filters.until,
            UsageEvent.asset_id.is_not(None),
            *scope,
        )

    opened = (
        select(ShareItem.asset_id)
        .join(ShareVisit, ShareVisit.share_id == ShareItem.share_id)
        .where(ShareVisit.started_at >= filters.since, ShareVisit.started_at < filters.until)
    )
    people = people_condition(filters, ShareLink.created_by_id)
    if people is not None:
        opened = opened.join(ShareLink, ShareLink.id == ShareItem.share_id).where(people)
    assets = asset_conditions(filters)
    if assets:
        opened = opened.where(ShareItem.asset_id.in_(select(Asset.id).where(*assets)))
    won_pairs = influence_pairs(
        start=filters.start,
        end=filters.end,
        deal_conditions=[*deal_conditions(filters), Deal.status == DealStatus.WON],
    ).subquery()
    won = select(won_pairs.c.asset_id)
    if assets:
        won = won.where(won_pairs.c.asset_id.in_(select(Asset.id).where(*assets)))
    steps = [
        ("Viewed by reps", _distinct_assets(event_assets(EventKind.VIEW))),
        ("Shared with prospects", _distinct_assets(event_assets(EventKind.SHARE))),
        ("Opened by prospects", _distinct_assets(opened)),
        ("In won deals", _distinct_assets(won)),
    ]
    return {"labels": [label for label, _n in steps], "data": [n for _label, n in steps]}
