"""The prospect side of a share link: lookup, visits, opens, downloads and page timing."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from functools import cache

from sqlalchemy import Boolean
from sqlalchemy import Numeric
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import null
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import joinedload
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.dml import Insert

from hub import tracking
from hub.database import Prepared
from hub.database import session_cursor
from hub.database import upsert
from hub.database import writing
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetVersion
from hub.models import EventKind
from hub.models import PageView
from hub.models import ShareItem
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import token_digest
from hub.models import utcnow
from hub.viewer import content

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
    return db.session.scalars(_share_query(), {"digest": token_digest(token)}).unique().one_or_none()


@cache
def _share_query() -> Select:
    """The link with what every viewer page shows (sender, assets, their current files).

    One joined query, not five (and a third cheaper than a second query for the items); built once,
    because building it (options, criteria) cost a fifth of the query's own time.
    """
    return (
        select(ShareLink)
        .where(ShareLink.token_hash == bindparam("digest"))
        .options(
            joinedload(ShareLink.created_by),
            joinedload(ShareLink.items).joinedload(ShareItem.asset).joinedload(Asset.current_version),
        )
    )


def available_assets(share: ShareLink) -> list[Asset]:
    """The share's assets a prospect may still see (archived or expired content is withdrawn)."""
    return [item.asset for item in share.items if item.asset.is_shown()]


def shared_asset(share: ShareLink, asset_id: int) -> Asset | None:
    for asset in available_assets(share):
        if asset.id == asset_id:
            return asset
    return None


def is_bot(user_agent: str | None) -> bool:
    return bool(user_agent) and bool(BOT_PATTERN.search(user_agent))


def new_visitor_key() -> str:
    return secrets.token_urlsafe(24)


def _visitor_digest(visitor_key: str | None) -> str | None:
    """How a browser's visit cookie is stored; None for a cookie no visit could have."""
    if not visitor_key or len(visitor_key) > 64:
        return None
    return token_digest(visitor_key)


def find_visit(share: ShareLink, visitor_key: str | None) -> ShareVisit | None:
    digest = _visitor_digest(visitor_key)
    if digest is None:
        return None
    return db.session.scalar(
        select(ShareVisit).where(ShareVisit.share_id == share.id, ShareVisit.visitor_key == digest)
    )


def start_visit(share: ShareLink, visitor_key: str, user_agent: str | None) -> ShareVisit:
    """A new visit for one browser; only the digest of its cookie is stored.

    Added, not committed: the open (or the gate, or the download) stores it with its own change. A
    commit here would expire every loaded object, and the viewer page would load the link and its
    assets again. By id, not through the link's `visits`, so only the session holds it (record_open).
    """
    now = utcnow()
    visit = ShareVisit(
        share_id=share.id,
        visitor_key=token_digest(visitor_key),
        user_agent=(user_agent or "")[:300] or None,
        started_at=now,
        last_seen_at=now,
        total_seconds=0.0,
    )
    db.session.add(visit)
    return visit


def save_visit() -> None:
    """Store a just-started visit when the page records no open (the email gate)."""
    db.session.commit()


def record_open(share: ShareLink, visit: ShareVisit | None, asset: Asset | None) -> None:
    """An open of the link (asset=None: a deal room's contents page) or of one asset in it.

    Every prospect's first page writes a visit, an event and the link's last open, so they are prebuilt
    statements on the session's cursor rather than objects through the unit of work (like beacons).
    """
    now = utcnow()
    with writing(db.session()):
        with session_cursor(db.session) as cursor:
            if visit is not None and inspect(visit).pending:
                db.session.expunge(visit)
                _NEW_VISIT.execute(cursor, {**_visit_row(visit), "last_seen_at": now})
            elif visit is not None:
                reset = visit.seen_at is not None and now - visit.last_seen_at > REVISIT_AFTER
                _VISIT_SEEN.execute(cursor, {"visit_id": visit.id, "now": now, "reset": reset})
            _LINK_OPENED.execute(cursor, {"share_id": share.id, "now": now})
            if asset is not None:
                tracking.insert(cursor, EventKind.SHARE_OPEN, **_event_fields(share, asset, now))
        db.session.commit()


_VISIT_ROW = (
    "share_id",
    "visitor_key",
    "viewer_email",
    "user_agent",
    "started_at",
    "last_seen_at",
    "total_seconds",
    "seen_at",
)


def _event_fields(share: ShareLink, asset: Asset, now: datetime) -> dict:
    """A prospect's event on an asset of the link: credited to the link and its deal."""
    return {
        "asset_id": asset.id,
        "deal_id": share.deal_id,
        "share_id": share.id,
        "source": "viewer",
        "at": now,
    }


def _visit_row(visit: ShareVisit) -> dict:
    return {name: getattr(visit, name) for name in _VISIT_ROW}


def record_download(share: ShareLink, visit: ShareVisit | None, asset: Asset) -> None:
    now = utcnow()
    if visit is not None:
        visit.last_seen_at = now
    tracking.add(EventKind.SHARE_DOWNLOAD, **_event_fields(share, asset, now))
    db.session.commit()


def set_viewer_email(visit: ShareVisit, email: str) -> ShareVisit:
    visit.viewer_email = email.strip().lower()[:254]
    visit.seen_at = None
    db.session.commit()
    return visit


def page_seconds(visit: ShareVisit | None, asset: Asset) -> dict[int, float]:
    """Seconds this visit already spent per page of the asset (the viewer counts on from there)."""
    if visit is None or not visit.total_seconds:
        # every stored page time adds to the visit's total: none yet, nothing to read
        return {}
    rows = db.session.execute(
        select(PageView.page, PageView.seconds).where(
            PageView.visit_id == visit.id, PageView.asset_id == asset.id
        )
    )
    return {page: seconds for page, seconds in rows}


@dataclass(frozen=True)
class BeaconTarget:
    """What a beacon needs to know about its link, visit and asset, read in one query."""

    live: bool
    require_email: bool
    visit_id: int | None
    visit_started_at: datetime | None
    visit_total_seconds: float
    visit_has_email: bool
    # the asset is in the share and still shown (not archived, not expired)
    asset_shown: bool
    page_total: int


# Built once, on the tables rather than the ORM classes, and run as Prepared statements on a driver
# connection: beacons are the busiest request, and SQLAlchemy's per-execution machinery costs several
# times the SQL (hub.database.Prepared).
_links, _visits, _items = ShareLink.__table__, ShareVisit.__table__, ShareItem.__table__
_assets, _versions, _page_views = Asset.__table__, AssetVersion.__table__, PageView.__table__
_BEACON_TARGET = Prepared(
    select(
        _links.c.revoked_at,
        _links.c.expires_at,
        _links.c.require_email,
        _visits.c.id,
        _visits.c.started_at,
        _visits.c.total_seconds,
        _visits.c.viewer_email,
        _assets.c.status,
        _assets.c.expires_on,
        _assets.c.link_url,
        _versions.c.blob_sha256,
        _versions.c.mime_type,
        _versions.c.page_count,
        _items.c.id,
    )
    .select_from(_links)
    .outerjoin(
        _visits,
        and_(_visits.c.share_id == _links.c.id, _visits.c.visitor_key == bindparam("visitor_key")),
    )
    .outerjoin(_items, and_(_items.c.share_id == _links.c.id, _items.c.asset_id == bindparam("asset_id")))
    .outerjoin(_assets, _assets.c.id == _items.c.asset_id)
    .outerjoin(_versions, _versions.c.id == _assets.c.current_version_id)
    .where(_links.c.token_hash == bindparam("token_hash"))
)
# a viewer page's writes (record_open)
_NEW_VISIT = Prepared(insert(_visits), column_keys=_VISIT_ROW)
# a visit coming back after REVISIT_AFTER shows in the rep's feed again (seen_at cleared)
_VISIT_SEEN = Prepared(
    update(_visits)
    .where(_visits.c.id == bindparam("visit_id"))
    .values(
        last_seen_at=bindparam("now"),
        seen_at=case((bindparam("reset", type_=Boolean), null()), else_=_visits.c.seen_at),
    )
)
_LINK_OPENED = Prepared(
    update(_links)
    .where(_links.c.id == bindparam("share_id"))
    .values(last_opened_at=bindparam("now"), updated_at=bindparam("now"))
)
# the span of pages a beacon reports (usually one): the rest of the visit is in the visit's running total
_PAGE_SECONDS = Prepared(
    select(_page_views.c.page, _page_views.c.seconds).where(
        _page_views.c.visit_id == bindparam("visit_id"),
        _page_views.c.asset_id == bindparam("asset_id"),
        _page_views.c.page.between(bindparam("first"), bindparam("last")),
    )
)
# the total is summed in the database, inside the write, so beacons racing each other cannot leave a
# total that misses the other's pages
_VISIT_TOTAL = Prepared(
    update(_visits)
    .where(_visits.c.id == bindparam("visit_id"))
    .values(
        total_seconds=select(func.round(cast(func.coalesce(func.sum(_page_views.c.seconds), 0), Numeric), 1))
        .where(_page_views.c.visit_id == _visits.c.id)
        .scalar_subquery(),
        last_seen_at=bindparam("now"),
    )
)
_PAGE_ROW = ("visit_id", "asset_id", "page", "seconds", "first_seen_at", "last_seen_at")


def _page_upsert(dialect: str) -> Insert:
    """Add a page's seconds, or raise them if the row exists; two beacons racing land on one row."""
    table = _page_views
    statement = upsert(table, dialect)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[table.c.visit_id, table.c.asset_id, table.c.page],
        set_={
            "seconds": case((excluded.seconds > table.c.seconds, excluded.seconds), else_=table.c.seconds),
            "last_seen_at": excluded.last_seen_at,
        },
    )


_PAGE_UPSERT = Prepared(_page_upsert, column_keys=_PAGE_ROW)


def beacon_target(
    connection: PoolProxiedConnection, token: str, visitor_key: str | None, asset_id: int
) -> BeaconTarget | None:
    """The link behind a beacon, with this browser's visit and the reported asset; None for no link.

    `connection` is a driver connection (hub.database.driver_connection). Beacons arrive every few
    seconds from every open viewer, so this is one indexed query rather than loading the share, its
    items and its visits as objects.
    """
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    params = {
        "token_hash": token_digest(token),
        "visitor_key": _visitor_digest(visitor_key),
        "asset_id": asset_id,
    }
    rows = _BEACON_TARGET.all(connection.cursor(), params)
    if not rows:
        return None
    row = rows[0]
    (
        revoked_at,
        expires_at,
        require_email,
        visit_id,
        started_at,
        total_seconds,
        viewer_email,
        status,
        expires_on,
        link_url,
        sha256,
        mime_type,
        page_count,
        item_id,
    ) = row
    now = utcnow()
    shown = item_id is not None and Asset.shown(status, expires_on, now.date())
    if not shown or link_url is not None or sha256 is None:
        total = 1
    else:
        total = content.blob_page_total(sha256, mime_type, page_count)
    return BeaconTarget(
        live=ShareLink.live(revoked_at, expires_at, now),
        require_email=require_email,
        visit_id=visit_id,
        visit_started_at=started_at,
        visit_total_seconds=total_seconds or 0.0,
        visit_has_email=bool(viewer_email),
        asset_shown=shown,
        page_total=total,
    )


@dataclass(frozen=True)
class PageTimes:
    """One beacon's page seconds, checked and clamped, ready to be stored."""

    visit_id: int
    rows: list[dict]
    now: datetime


def page_times(
    connection: PoolProxiedConnection,
    visit_id: int,
    visit_started_at: datetime,
    asset_id: int,
    pages: dict[int, float],
    page_total: int,
    visit_total: float,
    now: datetime | None = None,
) -> PageTimes:
    """Cumulative seconds per page, clamped to what time allows; store them with store_page_times.

    `connection` is a driver connection (hub.database.driver_connection). `visit_total` is the visit's
    stored total, so only the reported pages are read back. Raises BeaconRejected for a page outside
    1..page_total.
    """
    unknown = [page for page in pages if not 1 <= page <= page_total]
    if unknown:
        raise BeaconRejected(f"unknown page {unknown[0]}")
    now = now or utcnow()
    # fetched in one call: each row fetched alone lets another thread take the GIL and hand it back
    span = {"visit_id": visit_id, "asset_id": asset_id, "first": min(pages), "last": max(pages)}
    stored = {
        page: seconds for page, seconds in _PAGE_SECONDS.all(connection.cursor(), span) if page in pages
    }
    wall = max(0.0, (now - visit_started_at).total_seconds()) + SLACK_SECONDS
    budget = max(0.0, wall - (visit_total - sum(stored.values())))
    rows = []
    for page in sorted(pages):
        claimed = min(pages[page], MAX_PAGE_SECONDS, wall, budget)
        seconds = round(max(stored.get(page, 0.0), claimed), 1)
        rows.append(
            {
                "visit_id": visit_id,
                "asset_id": asset_id,
                "page": page,
                "seconds": seconds,
                "first_seen_at": now,
                "last_seen_at": now,
            }
        )
        budget = max(0.0, budget - seconds)
    return PageTimes(visit_id=visit_id, rows=rows, now=now)


def store_page_times(connection: PoolProxiedConnection, checked: list[PageTimes]) -> None:
    """Store the page times of several beacons in one transaction: one writer's turn, one commit.

    Values only ever rise. Nothing is stored when any of them fails; the transaction is rolled back.
    """
    cursor = connection.cursor()
    rows = [row for times in checked for row in times.rows]
    totals = [{"visit_id": times.visit_id, "now": times.now} for times in checked]
    with writing():
        try:
            # two statements for the whole group: psycopg sends each executemany in one round trip
            _PAGE_UPSERT.execute_many(cursor, rows)
            _VISIT_TOTAL.execute_many(cursor, totals)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
