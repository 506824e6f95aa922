"""The prospect side of a share link: lookup, visits, opens, downloads and page timing."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub import tracking
from hub.extensions import db
from hub.models import Asset
from hub.models import EventKind
from hub.models import PageView
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import token_digest
from hub.models import utcnow

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# a beacon may claim at most this much time on one page, and never more than the visit's wall time
MAX_PAGE_SECONDS = 1800.0
SLACK_SECONDS = 30.0
# a visit that comes back after this long counts as new activity in the rep's feed
REVISIT_AFTER = timedelta(minutes=30)
# link previewers and crawlers fetch links in emails and chats; they are not prospects
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|whatsapp|skypeuripreview|outlook|"
    r"linkedinbot|curl|wget|python-requests",
    re.IGNORECASE,
)


class BeaconRejected(ValueError):
    """A page-timing report that refers to something outside the share."""


def find_share(token: str) -> ShareLink | None:
    """The link for a token, looked up by digest so timing says nothing about near misses."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return db.session.scalar(select(ShareLink).where(ShareLink.token_hash == token_digest(token)))


def available_assets(share: ShareLink) -> list[Asset]:
    """The share's assets a prospect may still see (archived or expired content is withdrawn)."""
    return [item.asset for item in share.items if not item.asset.is_archived and not item.asset.is_expired()]


def shared_asset(share: ShareLink, asset_id: int) -> Asset | None:
    for asset in available_assets(share):
        if asset.id == asset_id:
            return asset
    return None


def is_bot(user_agent: str | None) -> bool:
    return bool(user_agent) and bool(BOT_PATTERN.search(user_agent))


def new_visitor_key() -> str:
    return secrets.token_urlsafe(24)


def find_visit(share: ShareLink, visitor_key: str | None) -> ShareVisit | None:
    if not visitor_key or len(visitor_key) > 64:
        return None
    return db.session.scalar(
        select(ShareVisit).where(
            ShareVisit.share_id == share.id, ShareVisit.visitor_key == token_digest(visitor_key)
        )
    )


def start_visit(share: ShareLink, visitor_key: str, user_agent: str | None) -> ShareVisit:
    """A new visit for one browser; only the digest of its cookie is stored."""
    now = utcnow()
    visit = ShareVisit(
        share=share,
        visitor_key=token_digest(visitor_key),
        user_agent=(user_agent or "")[:300] or None,
        started_at=now,
        last_seen_at=now,
    )
    db.session.add(visit)
    db.session.commit()
    return visit


def record_open(share: ShareLink, visit: ShareVisit | None, asset: Asset | None) -> None:
    """An open of the link (asset=None: a deal room's contents page) or of one asset in it."""
    now = utcnow()
    share.last_opened_at = now
    if visit is not None:
        if visit.seen_at is not None and now - visit.last_seen_at > REVISIT_AFTER:
            visit.seen_at = None
        visit.last_seen_at = now
    if asset is not None:
        tracking.record(
            EventKind.SHARE_OPEN,
            asset_id=asset.id,
            deal_id=share.deal_id,
            share_id=share.id,
            source="viewer",
            at=now,
            commit=False,
        )
    db.session.commit()


def record_download(share: ShareLink, visit: ShareVisit | None, asset: Asset) -> None:
    now = utcnow()
    if visit is not None:
        visit.last_seen_at = now
    tracking.record(
        EventKind.SHARE_DOWNLOAD,
        asset_id=asset.id,
        deal_id=share.deal_id,
        share_id=share.id,
        source="viewer",
        at=now,
        commit=False,
    )
    db.session.commit()


def set_viewer_email(visit: ShareVisit, email: str) -> ShareVisit:
    visit.viewer_email = email.strip().lower()[:254]
    visit.seen_at = None
    db.session.commit()
    return visit


def page_seconds(visit: ShareVisit | None, asset: Asset) -> dict[int, float]:
    """Seconds this visit already spent per page of the asset (the viewer counts on from there)."""
    if visit is None:
        return {}
    rows = db.session.execute(
        select(PageView.page, PageView.seconds).where(
            PageView.visit_id == visit.id, PageView.asset_id == asset.id
        )
    )
    return {page: seconds for page, seconds in rows}


def record_page_times(
    visit: ShareVisit,
    asset: Asset,
    pages: dict[int, float],
    page_total: int,
    now: datetime | None = None,
) -> None:
    """Store cumulative seconds per page; values only ever rise and are clamped to what time allows.

    Raises BeaconRejected for a page outside 1..page_total; nothing is stored then.
    """
    unknown = [page for page in pages if not 1 <= page <= page_total]
    if unknown:
        raise BeaconRejected(f"unknown page {unknown[0]}")
    for attempt in range(2):
        try:
            _apply_page_times(visit, asset, pages, now or utcnow())
            return
        except IntegrityError:
            # another beacon for the same page inserted first; the retry updates its row
            db.session.rollback()
            if attempt:
                raise


def _apply_page_times(visit: ShareVisit, asset: Asset, pages: dict[int, float], now: datetime) -> None:
    rows = db.session.scalars(select(PageView).where(PageView.visit_id == visit.id)).all()
    existing = {(row.asset_id, row.page): row for row in rows}
    wall = max(0.0, (now - visit.started_at).total_seconds()) + SLACK_SECONDS
    others = sum(row.seconds for key, row in existing.items() if key[0] != asset.id or key[1] not in pages)
    budget = max(0.0, wall - others)
    for page in sorted(pages):
        row = existing.get((asset.id, page))
        claimed = min(pages[page], MAX_PAGE_SECONDS, wall, budget)
        if row is None:
            row = PageView(visit=visit, asset_id=asset.id, page=page, seconds=0.0, first_seen_at=now)
            db.session.add(row)
            existing[(asset.id, page)] = row
        row.seconds = round(max(row.seconds, claimed), 1)
        row.last_seen_at = now
        budget = max(0.0, budget - row.seconds)
    visit.total_seconds = round(sum(row.seconds for row in existing.values()), 1)
    visit.last_seen_at = now
    db.session.commit()
