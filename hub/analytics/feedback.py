"""Rep feedback: ratings per asset and the latest comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from hub.analytics.filters import ReportFilters
from hub.analytics.filters import asset_conditions
from hub.analytics.filters import people_condition
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetType
from hub.models import Feedback
from hub.models import User


@dataclass(frozen=True)
class AssetRating:
    asset_id: int
    title: str
    asset_type: AssetType
    average: float
    count: int
    last_rated: datetime


@dataclass(frozen=True)
class Comment:
    asset_id: int
    title: str
    rating: int
    comment: str
    author: str | None
    created_at: datetime


def _conditions(filters: ReportFilters) -> list:
    conditions = [
        Feedback.created_at >= filters.since,
        Feedback.created_at < filters.until,
        *asset_conditions(filters),
    ]
    people = people_condition(filters, Feedback.user_id)
    return conditions + ([people] if people is not None else [])


def ratings(filters: ReportFilters) -> list[AssetRating]:
    """Average rating per asset rated in the period, best first (ties: more ratings first)."""
    average = func.avg(Feedback.rating)
    stmt = (
        select(Asset.id, Asset.title, Asset.asset_type, average, func.count(), func.max(Feedback.created_at))
        .join(Asset, Asset.id == Feedback.asset_id)
        .where(*_conditions(filters))
        .group_by(Asset.id, Asset.title, Asset.asset_type)
        .order_by(average.desc(), func.count().desc(), Asset.title)
    )
    return [
        AssetRating(aid, title, AssetType(kind), float(avg), int(n), last)
        for aid, title, kind, avg, n, last in db.session.execute(stmt)
    ]


def latest_comments(filters: ReportFilters, *, limit: int = 20) -> list[Comment]:
    stmt = (
        select(Asset.id, Asset.title, Feedback.rating, Feedback.comment, User.name, Feedback.created_at)
        .join(Asset, Asset.id == Feedback.asset_id)
        .outerjoin(User, User.id == Feedback.user_id)
        .where(*_conditions(filters), Feedback.comment.is_not(None), Feedback.comment != "")
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    return [Comment(*row) for row in db.session.execute(stmt)]
