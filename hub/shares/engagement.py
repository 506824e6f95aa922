"""Prospect engagement per asset, across every share link: opens, time spent and where readers stop."""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func
from sqlalchemy import select

from hub.extensions import db
from hub.models import Asset
from hub.models import AssetVersion
from hub.models import EventKind
from hub.models import PageView
from hub.models import ShareItem
from hub.models import UsageEvent


def asset_engagement(asset_id: int) -> dict:
    """Engagement with one asset, as a dict of plain values.

    Keys: shares, opens, downloads, viewers (visits that read at least one page), total_seconds,
    average_seconds (per viewer, None without viewers), pages (list of {page, viewers, seconds, reach}
    where reach is the share of viewers who got that far) and drop_off_page (the page most readers
    stopped on before the end, None when there is none).
    """
    return engagement_for([asset_id])[asset_id]


def engagement_for(asset_ids: Iterable[int]) -> dict[int, dict]:
    ids = list(dict.fromkeys(asset_ids))
    if not ids:
        return {}
    shares = dict(
        db.session.execute(
            select(ShareItem.asset_id, func.count())
            .where(ShareItem.asset_id.in_(ids))
            .group_by(ShareItem.asset_id)
        ).all()
    )
    events: dict[tuple[int, EventKind], int] = {
        (asset_id, EventKind(kind)): count
        for asset_id, kind, count in db.session.execute(
            select(UsageEvent.asset_id, UsageEvent.kind, func.count())
            .where(
                UsageEvent.asset_id.in_(ids),
                UsageEvent.kind.in_((EventKind.SHARE_OPEN, EventKind.SHARE_DOWNLOAD)),
            )
            .group_by(UsageEvent.asset_id, UsageEvent.kind)
        )
    }
    views: dict[int, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for asset_id, visit_id, page, seconds in db.session.execute(
        select(PageView.asset_id, PageView.visit_id, PageView.page, PageView.seconds).where(
            PageView.asset_id.in_(ids)
        )
    ):
        views[asset_id][visit_id][page] = float(seconds)
    page_totals = dict(
        db.session.execute(select(Asset.id, Asset.current_version_id).where(Asset.id.in_(ids))).all()
    )
    known_pages = _page_counts([v for v in page_totals.values() if v])
    return {
        asset_id: _summarise(
            views.get(asset_id, {}),
            shares=shares.get(asset_id, 0),
            opens=events.get((asset_id, EventKind.SHARE_OPEN), 0),
            downloads=events.get((asset_id, EventKind.SHARE_DOWNLOAD), 0),
            page_count=known_pages.get(page_totals.get(asset_id)),
        )
        for asset_id in ids
    }


def engaged_asset_ids(limit: int, offset: int = 0) -> tuple[list[int], int]:
    """Assets that were ever shared, most shared first, for the engagement overview."""
    base = select(ShareItem.asset_id, func.count().label("n")).group_by(ShareItem.asset_id)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        base.order_by(func.count().desc(), ShareItem.asset_id).offset(offset).limit(limit)
    )
    return [asset_id for asset_id, _n in rows], total


def _page_counts(version_ids: list[int]) -> dict[int, int]:
    if not version_ids:
        return {}
    rows = db.session.execute(
        select(AssetVersion.id, AssetVersion.page_count).where(AssetVersion.id.in_(version_ids))
    )
    return {version_id: count for version_id, count in rows if count}


def _summarise(
    visits: dict[int, dict[int, float]], *, shares: int, opens: int, downloads: int, page_count: int | None
) -> dict:
    viewers = len(visits)
    total = sum(sum(pages.values()) for pages in visits.values())
    furthest = Counter(max(pages) for pages in visits.values() if pages)
    last_page = max([page_count or 0, *furthest.keys()]) if furthest else page_count or 0
    per_page: dict[int, dict] = {}
    for pages in visits.values():
        for page, seconds in pages.items():
            entry = per_page.setdefault(page, {"page": page, "viewers": 0, "seconds": 0.0})
            entry["viewers"] += 1
            entry["seconds"] += seconds
    for page in range(1, last_page + 1):
        entry = per_page.setdefault(page, {"page": page, "viewers": 0, "seconds": 0.0})
        reached = sum(count for stop, count in furthest.items() if stop >= page)
        entry["reach"] = reached / viewers if viewers else None
        entry["seconds"] = round(entry["seconds"], 1)
    stopped_early = {page: count for page, count in furthest.items() if page < last_page}
    drop_off = min(stopped_early, key=lambda p: (-stopped_early[p], p)) if stopped_early else None
    return {
        "shares": shares,
        "opens": opens,
        "downloads": downloads,
        "viewers": viewers,
        "total_seconds": round(total, 1),
        "average_seconds": round(total / viewers, 1) if viewers else None,
        "page_count": last_page or None,
        "pages": [per_page[page] for page in sorted(per_page)],
        "drop_off_page": drop_off,
    }
