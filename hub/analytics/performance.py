"""Content performance: per asset usage, prospect engagement and deal outcomes against a baseline.

One SQL statement per page: each measure is a grouped subquery keyed by asset id, joined to the
asset table, so sorting and paging happen in the database whatever the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Float
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select

from hub.analytics._sql import money
from hub.analytics.filters import ReportFilters
from hub.analytics.filters import asset_conditions
from hub.analytics.filters import deal_conditions
from hub.analytics.filters import people_condition
from hub.analytics.influence import USAGE_KINDS
from hub.analytics.influence import influence_pairs
from hub.analytics.influence import min_deals
from hub.analytics.influence import outcome_columns
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import AssetType
from hub.models import Deal
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import PageView
from hub.models import ShareItem
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import UsageEvent

# (key, label) in table order; every key sorts
COLUMNS = (
    ("title", "Asset"),
    ("type", "Type"),
    ("views", "Views"),
    ("downloads", "Downloads"),
    ("shares", "Shares"),
    ("opens", "Prospect opens"),
    ("seconds", "Prospect time"),
    ("reps", "Unique reps"),
    ("deals", "Deals influenced"),
    ("won", "Won"),
    ("lost", "Lost"),
    ("win_rate", "Win rate"),
    ("baseline", "Baseline win rate"),
    ("lift", "Lift (pts)"),
    ("revenue", "Influenced revenue"),
    ("last_used", "Last used"),
)
SORT_KEYS = frozenset(key for key, _label in COLUMNS)
RATE_KEYS = frozenset({"win_rate", "baseline", "lift"})
DEFAULT_SORT = "views"


@dataclass(frozen=True)
class Comparable:
    """Closed deals in the period and filters: the pool each asset's baseline is drawn from."""

    won: int
    closed: int


@dataclass(frozen=True)
class PerformanceRow:
    asset_id: int
    title: str
    asset_type: AssetType
    status: AssetStatus
    views: int
    downloads: int
    shares: int
    opens: int
    seconds: float
    reps: int
    deals: int
    won: int
    lost: int
    win_rate: float | None
    baseline: float | None
    baseline_deals: int
    lift: float | None
    revenue: Decimal
    last_used: datetime | None
    sufficient: bool

    @property
    def closed(self) -> int:
        return self.won + self.lost


@dataclass(frozen=True)
class PerformanceReport:
    rows: list[PerformanceRow]
    total: int
    page: int
    per_page: int
    sort: str
    descending: bool
    comparable: Comparable
    min_deals: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def comparable_deals(filters: ReportFilters) -> Comparable:
    stmt = select(
        func.coalesce(func.sum(case((Deal.status == DealStatus.WON, 1), else_=0)), 0),
        func.count(),
    ).where(
        Deal.status != DealStatus.OPEN,
        Deal.closed_on >= filters.start,
        Deal.closed_on <= filters.end,
        *deal_conditions(filters),
    )
    won, closed = db.session.execute(stmt).one()
    return Comparable(won=int(won or 0), closed=int(closed or 0))


def _count(kind: EventKind):
    return func.sum(case((UsageEvent.kind == kind, 1), else_=0))


def _events(filters: ReportFilters):
    stmt = (
        select(
            UsageEvent.asset_id.label("asset_id"),
            _count(EventKind.VIEW).label("views"),
            _count(EventKind.DOWNLOAD).label("downloads"),
            _count(EventKind.SHARE).label("shares"),
            func.count(UsageEvent.user_id.distinct()).label("reps"),
            func.max(UsageEvent.created_at).label("last_used"),
        )
        .where(
            UsageEvent.kind.in_(USAGE_KINDS),
            UsageEvent.created_at >= filters.since,
            UsageEvent.created_at < filters.until,
            UsageEvent.asset_id.is_not(None),
        )
        .group_by(UsageEvent.asset_id)
    )
    people = people_condition(filters, UsageEvent.user_id)
    return (stmt.where(people) if people is not None else stmt).subquery("ev")


def _opens(filters: ReportFilters):
    stmt = (
        select(ShareItem.asset_id.label("asset_id"), func.count().label("opens"))
        .join(ShareVisit, ShareVisit.share_id == ShareItem.share_id)
        .where(ShareVisit.started_at >= filters.since, ShareVisit.started_at < filters.until)
        .group_by(ShareItem.asset_id)
    )
    people = people_condition(filters, ShareLink.created_by_id)
    if people is not None:
        stmt = stmt.join(ShareLink, ShareLink.id == ShareItem.share_id).where(people)
    return stmt.subquery("op")


def _time(filters: ReportFilters):
    stmt = (
        select(PageView.asset_id.label("asset_id"), func.sum(PageView.seconds).label("seconds"))
        .where(PageView.first_seen_at >= filters.since, PageView.first_seen_at < filters.until)
        .group_by(PageView.asset_id)
    )
    people = people_condition(filters, ShareLink.created_by_id)
    if people is not None:
        stmt = (
            stmt.join(ShareVisit, ShareVisit.id == PageView.visit_id)
            .join(ShareLink, ShareLink.id == ShareVisit.share_id)
            .where(people)
        )
    return stmt.subquery("tm")


def _influence(filters: ReportFilters):
    pairs = influence_pairs(
        start=filters.start, end=filters.end, deal_conditions=deal_conditions(filters)
    ).subquery("pairs")
    return (
        select(pairs.c.asset_id.label("asset_id"), *outcome_columns(pairs))
        .group_by(pairs.c.asset_id)
        .subquery("inf")
    )


def _statement(filters: ReportFilters, comparable: Comparable, threshold: int) -> tuple[Select, dict]:
    ev, op, tm, inf = _events(filters), _opens(filters), _time(filters), _influence(filters)
    zero = literal(0)
    won = func.coalesce(inf.c.won, zero)
    lost = func.coalesce(inf.c.lost, zero)
    closed = won + lost
    win_rate = case((closed > 0, cast(won, Float) / closed), else_=None)
    base_closed = literal(comparable.closed, Integer) - closed
    baseline = case(
        (base_closed > 0, cast(literal(comparable.won, Integer) - won, Float) / base_closed), else_=None
    )
    columns = {
        "title": Asset.title,
        "type": Asset.asset_type,
        "views": func.coalesce(ev.c.views, zero),
        "downloads": func.coalesce(ev.c.downloads, zero),
        "shares": func.coalesce(ev.c.shares, zero),
        "opens": func.coalesce(op.c.opens, zero),
        "seconds": func.coalesce(tm.c.seconds, zero),
        "reps": func.coalesce(ev.c.reps, zero),
        "deals": func.coalesce(inf.c.deals, zero),
        "won": won,
        "lost": lost,
        "win_rate": win_rate,
        "baseline": baseline,
        "lift": (win_rate - baseline) * 100,
        "revenue": func.coalesce(inf.c.revenue, zero),
        "last_used": ev.c.last_used,
    }
    stmt = (
        select(
            Asset.id,
            Asset.status,
            *(column.label(key) for key, column in columns.items()),
            base_closed.label("baseline_deals"),
            (closed >= threshold).label("sufficient"),
        )
        .select_from(Asset)
        .outerjoin(ev, ev.c.asset_id == Asset.id)
        .outerjoin(op, op.c.asset_id == Asset.id)
        .outerjoin(tm, tm.c.asset_id == Asset.id)
        .outerjoin(inf, inf.c.asset_id == Asset.id)
        .where(
            *asset_conditions(filters),
            # archived assets only appear when they still did something in the period
            or_(
                Asset.status == AssetStatus.PUBLISHED,
                ev.c.asset_id.is_not(None),
                op.c.asset_id.is_not(None),
                inf.c.asset_id.is_not(None),
            ),
        )
    )
    return stmt, columns | {"closed": closed}


def _ordered(stmt: Select, columns: dict, sort: str, descending: bool, threshold: int) -> Select:
    column = columns[sort]
    terms = []
    if sort in RATE_KEYS:
        # rates from too few deals never rank: they go after every rate with enough deals
        terms.append(case((columns["closed"] >= threshold, 0), else_=1))
    terms.append(case((column.is_(None), 1), else_=0))
    terms.append(column.desc() if descending else column.asc())
    return stmt.order_by(*terms, Asset.title, Asset.id)


def _row(record) -> PerformanceRow:
    return PerformanceRow(
        asset_id=record.id,
        title=record.title,
        asset_type=AssetType(record.type),
        status=AssetStatus(record.status),
        views=int(record.views),
        downloads=int(record.downloads),
        shares=int(record.shares),
        opens=int(record.opens),
        seconds=float(record.seconds or 0),
        reps=int(record.reps),
        deals=int(record.deals),
        won=int(record.won),
        lost=int(record.lost),
        win_rate=record.win_rate,
        baseline=record.baseline,
        baseline_deals=int(record.baseline_deals),
        lift=record.lift,
        revenue=money(record.revenue),
        last_used=record.last_used,
        sufficient=bool(record.sufficient),
    )


def content_performance(
    filters: ReportFilters,
    *,
    sort: str = DEFAULT_SORT,
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> PerformanceReport:
    """One page of the content performance table, sorted in SQL."""
    sort = sort if sort in SORT_KEYS else DEFAULT_SORT
    threshold = min_deals()
    comparable = comparable_deals(filters)
    stmt, columns = _statement(filters, comparable, threshold)
    # the row count rides along as a window total, so one pass computes the page and the count
    ordered = _ordered(
        stmt.add_columns(func.count().over().label("total_rows")), columns, sort, descending, threshold
    )
    page = max(1, page)
    records = db.session.execute(ordered.limit(per_page).offset((page - 1) * per_page)).all()
    if records:
        total = int(records[0].total_rows)
    else:
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        last = max(1, -(-total // per_page))
        if total and page > last:
            page = last
            records = db.session.execute(ordered.limit(per_page).offset((page - 1) * per_page)).all()
    return PerformanceReport(
        rows=[_row(record) for record in records],
        total=total,
        page=page,
        per_page=per_page,
        sort=sort,
        descending=descending,
        comparable=comparable,
        min_deals=threshold,
    )
