"""Which deals each asset influenced, and how often assets are used.

An asset influenced a deal when a DealAsset row links them with `used_at` on or before the deal's
`closed_on` (any time while the deal is open, or when the CRM gave no close date). Uses after the
close are ignored: content sent after the signature did not win the deal.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import ColumnElement
from sqlalchemy import CompoundSelect
from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union

from hub.analytics._sql import as_datetime
from hub.analytics._sql import chunks
from hub.analytics._sql import day_after
from hub.analytics._sql import day_of
from hub.analytics._sql import day_start
from hub.analytics._sql import money
from hub.analytics._sql import rate
from hub.extensions import db
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import UsageEvent

USAGE_KINDS = (EventKind.VIEW, EventKind.DOWNLOAD, EventKind.SHARE, EventKind.USED_IN_DEAL)


@dataclass(frozen=True)
class AssetOutcome:
    deals: int
    won: int
    lost: int
    open: int
    win_rate: float | None
    influenced_revenue: Decimal
    # True when won + lost reaches HUB_RANK_MIN_DEALS; insufficient rates never rank
    sufficient: bool = False

    @property
    def closed(self) -> int:
        return self.won + self.lost


def min_deals() -> int:
    return int(current_app.config.get("HUB_RANK_MIN_DEALS", 5))


def undated() -> ColumnElement[bool]:
    """Deals whose outcome has no date yet: open ones, and closed ones the CRM gave no close date."""
    return or_(Deal.status == DealStatus.OPEN, Deal.closed_on.is_(None))


def influenced() -> ColumnElement[bool]:
    """The DealAsset row counts: used on or before the close date."""
    return or_(undated(), day_of(DealAsset.used_at) <= Deal.closed_on)


def influence_pairs(
    *,
    start: date | None = None,
    end: date | None = None,
    deal_conditions: Sequence[ColumnElement[bool]] = (),
    asset_ids: Sequence[int] | None = None,
) -> Select | CompoundSelect:
    """Distinct (asset_id, deal_id, status, amount) rows, one per asset that influenced a deal.

    With a period, closed deals belong to the period they closed in and undated deals (open, or
    closed without a date) to the period content was used in. The two halves are separate
    statements so each can use its own index (close date; deal status).
    """

    def base(*conditions) -> Select:
        stmt = (
            select(DealAsset.asset_id, DealAsset.deal_id, Deal.status, Deal.amount)
            .join(Deal, Deal.id == DealAsset.deal_id)
            .where(*conditions, *deal_conditions)
        )
        if asset_ids is not None:
            stmt = stmt.where(DealAsset.asset_id.in_(asset_ids))
        return stmt

    if start is None and end is None:
        return base(influenced()).distinct()
    closed = [Deal.status != DealStatus.OPEN, Deal.closed_on.is_not(None)]
    used = [undated()]
    if start is not None:
        closed.append(Deal.closed_on >= start)
        used.append(DealAsset.used_at >= day_start(start))
    if end is not None:
        closed.append(Deal.closed_on <= end)
        used.append(DealAsset.used_at < day_after(end))
    closed.append(day_of(DealAsset.used_at) <= Deal.closed_on)
    return union(base(*closed), base(*used))


def outcome_columns(pairs) -> list:
    """Aggregates over an influence_pairs() subquery: deals, won, lost, open, revenue."""
    return [
        func.count().label("deals"),
        func.sum(case((pairs.c.status == DealStatus.WON, 1), else_=0)).label("won"),
        func.sum(case((pairs.c.status == DealStatus.LOST, 1), else_=0)).label("lost"),
        func.sum(case((pairs.c.status == DealStatus.OPEN, 1), else_=0)).label("open"),
        func.sum(case((pairs.c.status == DealStatus.WON, pairs.c.amount), else_=0)).label("revenue"),
    ]


def make_outcome(deals, won, lost, open_, revenue, threshold: int) -> AssetOutcome:
    won, lost = int(won or 0), int(lost or 0)
    return AssetOutcome(
        deals=int(deals or 0),
        won=won,
        lost=lost,
        open=int(open_ or 0),
        win_rate=rate(won, won + lost),
        influenced_revenue=money(revenue),
        sufficient=won + lost >= threshold,
    )


def asset_outcomes(
    asset_ids: Iterable[int] | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    deal_conditions: Sequence[ColumnElement[bool]] = (),
) -> dict[int, AssetOutcome]:
    """Deal outcomes per asset; assets that influenced no deal in the period are absent."""
    threshold = min_deals()
    result: dict[int, AssetOutcome] = {}
    for ids in chunks(asset_ids):
        pairs = influence_pairs(start=start, end=end, deal_conditions=deal_conditions, asset_ids=ids)
        pairs = pairs.subquery()
        stmt = select(pairs.c.asset_id, *outcome_columns(pairs)).group_by(pairs.c.asset_id)
        for asset_id, deals, won, lost, open_, revenue in db.session.execute(stmt):
            result[asset_id] = make_outcome(deals, won, lost, open_, revenue, threshold)
    return result


def usage_counts(
    asset_ids: Iterable[int] | None = None, since: date | datetime | None = None
) -> dict[int, int]:
    """View, download, share and used-in-deal events per asset (since `since`, when given)."""
    result: dict[int, int] = {}
    for ids in chunks(asset_ids):
        stmt = (
            select(UsageEvent.asset_id, func.count())
            .where(UsageEvent.kind.in_(USAGE_KINDS), UsageEvent.asset_id.is_not(None))
            .group_by(UsageEvent.asset_id)
        )
        if ids is not None:
            stmt = stmt.where(UsageEvent.asset_id.in_(ids))
        if since is not None:
            stmt = stmt.where(UsageEvent.created_at >= as_datetime(since))
        result.update({asset_id: int(count) for asset_id, count in db.session.execute(stmt)})
    return result
