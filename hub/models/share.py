"""Share links to prospects, their visits and the time spent on each page."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from hub.models.asset import Asset
from hub.models.base import Base
from hub.models.base import TimestampMixin
from hub.models.base import utcnow
from hub.models.deal import Deal
from hub.models.user import User


def token_digest(token: str) -> str:
    """Links are looked up by this digest so lookup time says nothing about the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class ShareLink(TimestampMixin, Base):
    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    # kept so the rep can copy the link again; lookups go through token_hash
    token: Mapped[str] = mapped_column(String(64), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    recipient_name: Mapped[str | None] = mapped_column(String(120))
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    recipient_company: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    allow_download: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    require_email: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_opened_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by: Mapped[User | None] = relationship()
    deal: Mapped[Deal | None] = relationship()
    items: Mapped[list[ShareItem]] = relationship(
        back_populates="share", order_by="ShareItem.position", cascade="all, delete-orphan"
    )
    visits: Mapped[list[ShareVisit]] = relationship(back_populates="share", cascade="all, delete-orphan")

    @property
    def assets(self) -> list[Asset]:
        return [item.asset for item in self.items]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    def is_live(self, now: datetime | None = None) -> bool:
        return ShareLink.live(self.revoked_at, self.expires_at, now or utcnow())

    @staticmethod
    def live(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
        """The rule itself, on column values, for readers that do not load the link (beacons)."""
        return revoked_at is None and not (expires_at is not None and expires_at <= now)


class ShareItem(Base):
    """One asset in a share link; several make a deal room."""

    __tablename__ = "share_item"
    __table_args__ = (UniqueConstraint("share_id", "asset_id", name="uq_share_item_share_asset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"), nullable=False)
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    share: Mapped[ShareLink] = relationship(back_populates="items")
    asset: Mapped[Asset] = relationship()


class ShareVisit(Base):
    """One viewer's visit to a share link (one browser, identified by a random cookie)."""

    __tablename__ = "share_visit"
    __table_args__ = (UniqueConstraint("share_id", "visitor_key", name="uq_share_visit_share_visitor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(
        ForeignKey("share_link.id", ondelete="CASCADE"), nullable=False, index=True
    )
    visitor_key: Mapped[str] = mapped_column(String(64), nullable=False)
    viewer_email: Mapped[str | None] = mapped_column(String(254))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    total_seconds: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    # when the link's owner saw this visit in the activity feed
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)

    share: Mapped[ShareLink] = relationship(back_populates="visits")
    page_views: Mapped[list[PageView]] = relationship(back_populates="visit", cascade="all, delete-orphan")


class PageView(Base):
    """Seconds one visit spent on one page of one asset; beacons only ever raise it, so repeats are harmless."""

    __tablename__ = "page_view"
    __table_args__ = (UniqueConstraint("visit_id", "asset_id", "page", name="uq_page_view_visit_asset_page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("share_visit.id", ondelete="CASCADE"), nullable=False)
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), nullable=False, index=True
    )
    page: Mapped[int] = mapped_column(Integer, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    visit: Mapped[ShareVisit] = relationship(back_populates="page_views")
    asset: Mapped[Asset] = relationship()
