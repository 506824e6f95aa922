"""The scorecard sales and marketing share, and the data behind the overview charts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select

from hub.analytics._sql import money
from hub.analytics._sql import rate
from hub.analytics.adoption import Adoption
from hub.analytics.adoption import adoption
from hub.analytics.filters import ReportFilters
from hub.analytics.filters import deal_conditions
from hub.analytics.influence import influence_pairs
from hub.analytics.influence import min_deals
from hub.extensions import db
from hub.models import Deal
from hub.models import DealStatus


@dataclass(frozen=True)
class RateWithCount:
    won: int
    closed: int
    min_deals: int

    @property
    def rate(self) -> float | None:
        return rate(self.won, self.closed)

    @property
    def sufficient(self) -> bool:
        return self.closed >= self.min_deals


@dataclass(frozen=True)
class Scorecard:
    influenced_revenue: Decimal
    influenced_deals: int
    influenced_won: int
    adoption: Adoption
    with_content: RateWithCount
    without_content: RateWithCount

    @property
    def lift(self) -> float | None:
        """Win-rate lift in percentage points: deals with content against deals without."""
        if self.with_content.rate is None or self.without_content.rate is None:
            return None
        return (self.with_content.rate - self.without_content.rate) * 100

    @property
    def lift_sufficient(self) -> bool:
        return self.with_content.sufficient and self.without_content.sufficient


def influenced_deal_ids(filters: ReportFilters):
    """Deals in the period that any asset influenced."""
    pairs = influence_pairs(
        start=filters.start, end=filters.end, deal_conditions=deal_conditions(filters)
    ).subquery()
    return select(pairs.c.deal_id)


def deals_by_content(filters: ReportFilters, group_by=None) -> dict:
    """Won and closed counts of deals closed in the period, split by whether content influenced them."""
    has_content = Deal.id.in_(influenced_deal_ids(filters))
    keys = [has_content.label("has_content")] + ([group_by] if group_by is not None else [])
    stmt = (
        select(*keys, func.sum(case((Deal.status == DealStatus.WON, 1), else_=0)), func.count())
        .where(
            Deal.status != DealStatus.OPEN,
            Deal.closed_on >= filters.start,
            Deal.closed_on <= filters.end,
            *deal_conditions(filters),
        )
        .group_by(*keys)
    )
    result = {}
    for row in db.session.execute(stmt):
        *key, won, closed = row
        result[tuple(bool(k) if i == 0 else k for i, k in enumerate(key))] = (int(won or 0), int(closed))
    return result


def scorecard(filters: ReportFilters) -> Scorecard:
    threshold = min_deals()
    pairs = influence_pairs(
        start=filters.start, end=filters.end, deal_conditions=deal_conditions(filters)
    ).subquery()
    deals = select(pairs.c.deal_id, pairs.c.status, pairs.c.amount).distinct().subquery()
    count, won, revenue = db.session.execute(
        select(
            func.count(),
            func.sum(case((deals.c.status == DealStatus.WON, 1), else_=0)),
            func.sum(case((deals.c.status == DealStatus.WON, deals.c.amount), else_=0)),
        )
    ).one()
    split = deals_by_content(filters)
    with_won, with_closed = split.get((True,), (0, 0))
    without_won, without_closed = split.get((False,), (0, 0))
    return Scorecard(
        influenced_revenue=money(revenue),
        influenced_deals=int(count or 0),
        influenced_won=int(won or 0),
        adoption=adoption(filters),
        with_content=RateWithCount(with_won, with_closed, threshold),
        without_content=RateWithCount(without_won, without_closed, threshold),
    )
