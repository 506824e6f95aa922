"""Adoption: how much of the published library is used, what is never used, and usage by rep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import union

from hub.analytics.filters import ReportFilters
from hub.analytics.filters import asset_conditions
from hub.analytics.filters import people_condition
from hub.analytics.influence import USAGE_KINDS
from hub.analytics.influence import influence_pairs
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import AssetType
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import Role
from hub.models import UsageEvent
from hub.models import User

# what the industry reports: about a quarter of marketing content is ever used by sales
INDUSTRY_ADOPTION = 0.25
REP_KINDS = (EventKind.SEARCH, EventKind.VIEW, EventKind.DOWNLOAD, EventKind.SHARE)


@dataclass(frozen=True)
class Adoption:
    published: int
    used: int

    @property
    def share(self) -> float | None:
        return self.used / self.published if self.published else None


@dataclass(frozen=True)
class UnusedAsset:
    asset_id: int
    title: str
    asset_type: AssetType
    created_at: datetime
    last_used: datetime | None


@dataclass(frozen=True)
class RepUsage:
    user_id: int
    name: str
    team: str | None
    searches: int
    views: int
    downloads: int
    shares: int
    deals: int
    deals_with_content: int


def used_asset_ids(filters: ReportFilters) -> Select:
    """Assets with a view, download, share or deal use in the period (by the rep or team, if set)."""
    events = select(UsageEvent.asset_id).where(
        UsageEvent.kind.in_(USAGE_KINDS),
        UsageEvent.created_at >= filters.since,
        UsageEvent.created_at < filters.until,
        UsageEvent.asset_id.is_not(None),
    )
    uses = select(DealAsset.asset_id).where(
        DealAsset.used_at >= filters.since, DealAsset.used_at < filters.until
    )
    people = people_condition(filters, UsageEvent.user_id)
    if people is not None:
        events = events.where(people)
        uses = uses.where(people_condition(filters, DealAsset.user_id))
    return union(events, uses)


def _published(filters: ReportFilters) -> list:
    return [Asset.status == AssetStatus.PUBLISHED, *asset_conditions(filters)]


def adoption(filters: ReportFilters) -> Adoption:
    used = used_asset_ids(filters).subquery()
    published = db.session.scalar(select(func.count()).select_from(Asset).where(*_published(filters)))
    count_used = db.session.scalar(
        select(func.count()).select_from(Asset).where(*_published(filters), Asset.id.in_(select(used.c[0])))
    )
    return Adoption(published=int(published or 0), used=int(count_used or 0))


def unused_assets(filters: ReportFilters, *, limit: int | None = None) -> list[UnusedAsset]:
    """Published assets nobody used in the period, never-used first, then longest idle."""
    used = used_asset_ids(filters).subquery()
    last = (
        select(UsageEvent.asset_id, func.max(UsageEvent.created_at).label("last_used"))
        .where(UsageEvent.kind.in_(USAGE_KINDS), UsageEvent.asset_id.is_not(None))
        .group_by(UsageEvent.asset_id)
        .subquery()
    )
    stmt = (
        select(Asset.id, Asset.title, Asset.asset_type, Asset.created_at, last.c.last_used)
        .outerjoin(last, last.c.asset_id == Asset.id)
        .where(*_published(filters), Asset.id.not_in(select(used.c[0])))
        .order_by(case((last.c.last_used.is_(None), 0), else_=1), last.c.last_used, Asset.created_at)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [UnusedAsset(*row) for row in db.session.execute(stmt)]


def _rep_events(filters: ReportFilters):
    def count(kind: EventKind):
        return func.sum(case((UsageEvent.kind == kind, 1), else_=0))

    return (
        select(
            UsageEvent.user_id.label("user_id"),
            count(EventKind.SEARCH).label("searches"),
            count(EventKind.VIEW).label("views"),
            count(EventKind.DOWNLOAD).label("downloads"),
            count(EventKind.SHARE).label("shares"),
        )
        .where(
            UsageEvent.kind.in_(REP_KINDS),
            UsageEvent.created_at >= filters.since,
            UsageEvent.created_at < filters.until,
            UsageEvent.user_id.is_not(None),
        )
        .group_by(UsageEvent.user_id)
        .subquery("rev")
    )


def _rep_deals(filters: ReportFilters):
    """Per owner: deals in the period, and how many of them content influenced."""
    pairs = influence_pairs(start=filters.start, end=filters.end).subquery()
    touched = select(pairs.c.deal_id).distinct().subquery("touched")
    closed = select(Deal.id.label("deal_id")).where(
        Deal.status != DealStatus.OPEN, Deal.closed_on >= filters.start, Deal.closed_on <= filters.end
    )
    period = union(closed, select(touched.c.deal_id)).subquery("period")
    stmt = (
        select(
            Deal.owner_id.label("user_id"),
            func.count().label("deals"),
            func.count(touched.c.deal_id).label("deals_with_content"),
        )
        .select_from(period)
        .join(Deal, Deal.id == period.c.deal_id)
        .outerjoin(touched, touched.c.deal_id == period.c.deal_id)
        .where(Deal.owner_id.is_not(None))
        .group_by(Deal.owner_id)
    )
    return stmt.subquery("rdeal")


def usage_by_rep(filters: ReportFilters) -> list[RepUsage]:
    """Every active rep (of the team, or the one rep), busiest first; idle reps show zeros."""
    reps = select(User.id, User.name, User.team).where(
        User.role == Role.REP, User.is_active_account.is_(True)
    )
    people = people_condition(filters, User.id)
    if people is not None:
        reps = reps.where(people)
    # two grouped queries merged by user id: as joins, SQLite would re-run them for every rep
    ev = _rep_events(filters)
    events = {row[0]: row[1:] for row in db.session.execute(select(ev))}
    rd = _rep_deals(filters)
    deals = {row[0]: row[1:] for row in db.session.execute(select(rd))}
    rows = []
    for uid, name, team in db.session.execute(reps):
        searches, views, downloads, shares = (int(n or 0) for n in events.get(uid, (0, 0, 0, 0)))
        total, with_content = (int(n or 0) for n in deals.get(uid, (0, 0)))
        rows.append(RepUsage(uid, name, team, searches, views, downloads, shares, total, with_content))
    rows.sort(key=lambda r: (-(r.views + r.shares + r.searches), r.name))
    return rows
