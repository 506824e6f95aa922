"""Reading deals: who may see which, the filtered list, and a deal's content timeline."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.database import Prepared
from hub.database import session_cursor
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealStatus
from hub.models import PageView
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import User


def can_see_all(user: User) -> bool:
    return user.can_manage_content


def can_edit(user: User, deal: Deal) -> bool:
    return user.can_manage_content or deal.owner_id == user.id


def visible_to(user: User, deal: Deal) -> bool:
    return can_see_all(user) or deal.owner_id == user.id


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def deal_query(
    user: User,
    *,
    status: DealStatus | None = None,
    owner_id: int | None = None,
    stage_id: int | None = None,
    persona_id: int | None = None,
    q: str | None = None,
) -> Select:
    """Deals this user may see, filtered; reps only ever get their own."""
    query = select(Deal).options(
        selectinload(Deal.owner), selectinload(Deal.stage), selectinload(Deal.persona)
    )
    if not can_see_all(user):
        query = query.where(Deal.owner_id == user.id)
    elif owner_id:
        query = query.where(Deal.owner_id == owner_id)
    if status:
        query = query.where(Deal.status == status)
    if stage_id:
        query = query.where(Deal.stage_id == stage_id)
    if persona_id:
        query = query.where(Deal.persona_id == persona_id)
    if q and q.strip():
        pattern = f"%{escape_like(q.strip().lower())}%"
        query = query.where(
            or_(
                func.lower(Deal.name).like(pattern, escape="\\"),
                func.lower(Deal.account).like(pattern, escape="\\"),
                func.lower(Deal.crm_id).like(pattern, escape="\\"),
            )
        )
    # open deals first, then the most recently closed
    open_first = case((Deal.status == DealStatus.OPEN, 0), else_=1)
    return query.order_by(open_first, Deal.closed_on.desc(), Deal.id.desc())


def page_of(query: Select, page: int, per_page: int) -> tuple[list, int, int]:
    """(items, total, pages) for a 1-based page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return list(items), total, pages


def owners_with_deals() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(select(Deal.owner_id).distinct())).order_by(User.name)
        )
    )


def open_deal_choices(user: User, limit: int | None = None) -> list[DealChoice]:
    """(id, name, account, crm_id) of the open deals a user can pick: own ones, all of them for marketing.

    Columns rather than Deal objects: a picker lists hundreds of deals on pages that show nothing else
    of them.
    """
    # built once: the search page asks on every query, and building the statement cost more than running it
    everyone = can_see_all(user)
    params = {} if everyone else {"owner_id": user.id}
    if limit is not None:
        params["limit"] = limit
    with session_cursor(db.session) as cursor:
        return [DealChoice(*row) for row in _OPEN_DEALS[everyone, limit is not None].all(cursor, params)]


class DealChoice(NamedTuple):
    id: int
    name: str
    account: str | None
    crm_id: str | None


def _open_deals(*, everyone: bool, limited: bool) -> Select:
    query = (
        select(Deal.id, Deal.name, Deal.account, Deal.crm_id)
        .where(Deal.status == DealStatus.OPEN)
        .order_by(Deal.name, Deal.id)
    )
    if not everyone:
        query = query.where(Deal.owner_id == bindparam("owner_id"))
    return query.limit(bindparam("limit")) if limited else query


# run on a driver cursor: SQLAlchemy's per-execution machinery cost more than the query
_OPEN_DEALS = {
    (everyone, limited): Prepared(_open_deals(everyone=everyone, limited=limited))
    for everyone in (True, False)
    for limited in (True, False)
}


def loggable_assets() -> list[Asset]:
    return list(
        db.session.scalars(select(Asset).where(Asset.status == AssetStatus.PUBLISHED).order_by(Asset.title))
    )


@dataclass
class Engagement:
    visits: int = 0
    seconds: float = 0.0
    last_opened_at: datetime | None = None
    pages: int = 0


@dataclass
class TimelineEntry:
    use: DealAsset
    counts: bool
    engagement: Engagement | None = None


@dataclass
class ShareSummary:
    share: ShareLink
    engagement: Engagement = field(default_factory=Engagement)


def timeline(deal: Deal) -> list[TimelineEntry]:
    """Content used in the deal, oldest first; `counts` says whether the use came before the close."""
    uses = db.session.scalars(
        select(DealAsset)
        .where(DealAsset.deal_id == deal.id)
        .options(selectinload(DealAsset.asset), selectinload(DealAsset.user))
        .order_by(DealAsset.used_at, DealAsset.id)
    ).all()
    share_ids = {u.share_id for u in uses if u.share_id}
    per_asset = _asset_engagement(share_ids)
    entries = []
    for use in uses:
        counts = not deal.status.is_closed or deal.closed_on is None or use.used_at.date() <= deal.closed_on
        engagement = per_asset.get((use.share_id, use.asset_id)) if use.share_id else None
        entries.append(TimelineEntry(use=use, counts=counts, engagement=engagement))
    return entries


def _asset_engagement(share_ids: set[int]) -> dict[tuple[int, int], Engagement]:
    if not share_ids:
        return {}
    rows = db.session.execute(
        select(
            ShareVisit.share_id,
            PageView.asset_id,
            func.count(func.distinct(ShareVisit.id)),
            func.coalesce(func.sum(PageView.seconds), 0.0),
            func.max(PageView.last_seen_at),
            func.count(func.distinct(PageView.page)),
        )
        .join(PageView, PageView.visit_id == ShareVisit.id)
        .where(ShareVisit.share_id.in_(share_ids))
        .group_by(ShareVisit.share_id, PageView.asset_id)
    ).all()
    return {
        (share_id, asset_id): Engagement(visits=v, seconds=float(s), last_opened_at=last, pages=p)
        for share_id, asset_id, v, s, last, p in rows
    }


def shares_for(deal: Deal) -> list[ShareSummary]:
    """Share links tied to the deal with the prospect's opens and time spent."""
    shares = db.session.scalars(
        select(ShareLink).where(ShareLink.deal_id == deal.id).order_by(ShareLink.created_at.desc())
    ).all()
    if not shares:
        return []
    stats = {
        share_id: Engagement(visits=visits, seconds=float(seconds or 0.0), last_opened_at=last)
        for share_id, visits, seconds, last in db.session.execute(
            select(
                ShareVisit.share_id,
                func.count(ShareVisit.id),
                func.sum(ShareVisit.total_seconds),
                func.max(ShareVisit.last_seen_at),
            )
            .where(ShareVisit.share_id.in_([s.id for s in shares]))
            .group_by(ShareVisit.share_id)
        )
    }
    return [ShareSummary(share=s, engagement=stats.get(s.id, Engagement())) for s in shares]
