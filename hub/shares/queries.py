"""Read-only queries behind the Shares pages: link statistics, page times and the activity feed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from hub.database import Prepared
from hub.database import session_cursor
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import Deal
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import PageView
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import UsageEvent
from hub.models import User
from hub.shares.service import share_recipient
from hub.shares.service import visible_shares

FEED_PAGE_SIZE = 30
ASSET_CHOICES = 30
DEAL_CHOICES = 300


@dataclass
class LinkStats:
    opens: int = 0
    viewers: int = 0
    seconds: float = 0.0
    downloads: int = 0


@dataclass
class FeedItem:
    visit: ShareVisit
    share: ShareLink
    who: str
    what: str
    seconds: float
    top_page: int | None
    unread: bool


@dataclass
class PageSeries:
    """Seconds per page of one asset in one link, summed over its visits."""

    asset: Asset
    seconds: dict[int, float] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [f"p. {page}" for page in sorted(self.seconds)]

    @property
    def values(self) -> list[float]:
        return [round(self.seconds[page], 1) for page in sorted(self.seconds)]


def link_stats(share_ids: Iterable[int]) -> dict[int, LinkStats]:
    ids = list(share_ids)
    stats = {share_id: LinkStats() for share_id in ids}
    if not ids:
        return stats
    events = db.session.execute(
        select(UsageEvent.share_id, UsageEvent.kind, func.count())
        .where(
            UsageEvent.share_id.in_(ids),
            UsageEvent.kind.in_((EventKind.SHARE_OPEN, EventKind.SHARE_DOWNLOAD)),
        )
        .group_by(UsageEvent.share_id, UsageEvent.kind)
    )
    for share_id, kind, count in events:
        if kind == EventKind.SHARE_OPEN:
            stats[share_id].opens = count
        else:
            stats[share_id].downloads = count
    visits = db.session.execute(
        select(ShareVisit.share_id, func.count(), func.coalesce(func.sum(ShareVisit.total_seconds), 0.0))
        .where(ShareVisit.share_id.in_(ids))
        .group_by(ShareVisit.share_id)
    )
    for share_id, count, seconds in visits:
        stats[share_id].viewers = count
        stats[share_id].seconds = float(seconds)
    return stats


def page_series(share_ids: Iterable[int]) -> dict[int, list[PageSeries]]:
    """Per link, one series per asset (in the link's order) of seconds spent on each page."""
    ids = list(share_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ShareVisit.share_id, PageView.asset_id, PageView.page, func.sum(PageView.seconds))
        .join(ShareVisit, PageView.visit_id == ShareVisit.id)
        .where(ShareVisit.share_id.in_(ids))
        .group_by(ShareVisit.share_id, PageView.asset_id, PageView.page)
    )
    seconds: dict[int, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for share_id, asset_id, page, total in rows:
        seconds[share_id][asset_id][page] = float(total or 0)
    shares = db.session.scalars(select(ShareLink).where(ShareLink.id.in_(ids))).all()
    result: dict[int, list[PageSeries]] = {}
    for share in shares:
        result[share.id] = [
            PageSeries(asset=item.asset, seconds=seconds[share.id].get(item.asset_id, {}))
            for item in share.items
        ]
    return result


def chart_data(series: list[PageSeries]) -> dict:
    """Chart.js-ready labels and values for a link; a deal room prefixes pages with the asset."""
    labels: list[str] = []
    values: list[float] = []
    many = len(series) > 1
    for entry in series:
        prefix = f"{entry.asset.title[:18]} " if many else ""
        labels += [prefix + label for label in entry.labels]
        values += entry.values
    return {"labels": labels, "values": values}


def visits_of(share: ShareLink) -> list[tuple[ShareVisit, dict[int, dict[int, float]]]]:
    """The link's visits, newest first, each with its seconds per asset and page."""
    visits = db.session.scalars(
        select(ShareVisit).where(ShareVisit.share_id == share.id).order_by(ShareVisit.last_seen_at.desc())
    ).all()
    return [(visit, _pages_by_asset(visit)) for visit in visits]


def unread_count(user: User) -> int:
    with session_cursor(db.session) as cursor:
        return _UNREAD.all(cursor, {"user_id": user.id})[0][0]


# built once and run on a driver cursor: every page with the navigation bar asks, and SQLAlchemy's
# per-execution machinery cost more than the count
_UNREAD = Prepared(
    select(func.count())
    .select_from(ShareVisit)
    .join(ShareLink, ShareVisit.share_id == ShareLink.id)
    .where(ShareLink.created_by_id == bindparam("user_id"), ShareVisit.seen_at.is_(None))
)


def activity(user: User, page: int = 1) -> tuple[list[FeedItem], int]:
    """Visits on the links the user may see, most recent first, described for the feed."""
    visible = visible_shares(user).with_only_columns(ShareLink.id)
    base = select(ShareVisit).where(ShareVisit.share_id.in_(visible))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    visits = db.session.scalars(
        base.order_by(ShareVisit.last_seen_at.desc(), ShareVisit.id.desc())
        .offset((page - 1) * FEED_PAGE_SIZE)
        .limit(FEED_PAGE_SIZE)
    ).all()
    return [describe_visit(visit, user) for visit in visits], total


def describe_visit(visit: ShareVisit, user: User) -> FeedItem:
    share = visit.share
    by_asset = _pages_by_asset(visit)
    who = share_recipient(share)
    if visit.viewer_email and visit.viewer_email != (share.recipient_email or "").lower():
        who = f"{who} ({visit.viewer_email})" if who != "a prospect" else visit.viewer_email
    titles = {item.asset_id: item.asset.title for item in share.items}
    if by_asset:
        asset_id = max(by_asset, key=lambda a: sum(by_asset[a].values()))
        pages = by_asset[asset_id]
        what = titles.get(asset_id, "a document")
        top_page = max(pages, key=lambda p: (pages[p], -p)) if len(pages) > 1 else None
    else:
        what = share.title or (titles[share.items[0].asset_id] if len(share.items) == 1 else "the deal room")
        top_page = None
    return FeedItem(
        visit=visit,
        share=share,
        who=who,
        what=what,
        seconds=visit.total_seconds,
        top_page=top_page,
        unread=visit.seen_at is None and share.created_by_id == user.id,
    )


def shareable_assets(query: str | None, selected: Iterable[int]) -> tuple[list[Asset], list[Asset]]:
    """(selected assets, up to ASSET_CHOICES other published assets matching the query)."""
    chosen_ids = list(dict.fromkeys(selected))
    chosen = []
    if chosen_ids:
        found = {a.id: a for a in db.session.scalars(select(Asset).where(Asset.id.in_(chosen_ids)))}
        chosen = [found[i] for i in chosen_ids if i in found]
    stmt = select(Asset).where(Asset.status == AssetStatus.PUBLISHED)
    if chosen_ids:
        stmt = stmt.where(Asset.id.not_in(chosen_ids))
    words = (query or "").strip()
    if words:
        like = f"%{words[:100]}%"
        stmt = stmt.where(or_(Asset.title.ilike(like), Asset.description.ilike(like)))
    others = db.session.scalars(stmt.order_by(Asset.updated_at.desc()).limit(ASSET_CHOICES)).all()
    return chosen, [a for a in others if not a.is_expired()]


def deal_choices(user: User, include: Deal | None = None) -> list[Deal]:
    """Open deals the user may tie a share to (own deals for reps), plus `include`."""
    stmt = select(Deal).where(Deal.status == DealStatus.OPEN)
    if not user.can_manage_content:
        stmt = stmt.where(Deal.owner_id == user.id)
    deals = list(db.session.scalars(stmt.order_by(Deal.name).limit(DEAL_CHOICES)))
    if include is not None and include not in deals:
        deals.insert(0, include)
    return deals


def _pages_by_asset(visit: ShareVisit) -> dict[int, dict[int, float]]:
    result: dict[int, dict[int, float]] = defaultdict(dict)
    for row in visit.page_views:
        result[row.asset_id][row.page] = row.seconds
    return dict(result)
