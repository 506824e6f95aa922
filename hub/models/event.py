"""Usage events: every search, view, download, share and prospect open."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from hub.models.base import Base
from hub.models.base import str_enum
from hub.models.base import utcnow


class EventKind(enum.StrEnum):
    SEARCH = "search"
    SEARCH_CLICK = "search_click"
    VIEW = "view"
    DOWNLOAD = "download"
    SHARE = "share"
    SHARE_OPEN = "share_open"
    SHARE_DOWNLOAD = "share_download"
    USED_IN_DEAL = "used_in_deal"
    FEEDBACK = "feedback"


class UsageEvent(Base):
    """Append-only; foreign keys are plain ids so events survive the rows they point at."""

    __tablename__ = "usage_event"
    __table_args__ = (
        # covers the reports' per-asset aggregates over a period, so they never read the table rows
        Index("ix_usage_event_kind_created_at_asset_user", "kind", "created_at", "asset_id", "user_id"),
        Index("ix_usage_event_asset_id_kind", "asset_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(
        str_enum(EventKind, 24),
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    asset_id: Mapped[int | None] = mapped_column(Integer)
    deal_id: Mapped[int | None] = mapped_column(Integer, index=True)
    share_id: Mapped[int | None] = mapped_column(Integer, index=True)
    query: Mapped[str | None] = mapped_column(String(500))
    filters: Mapped[dict | None] = mapped_column(JSON)
    result_count: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float | None] = mapped_column(Float)
    # where the event came from: web, api, viewer, import
    source: Mapped[str] = mapped_column(String(16), default="web", nullable=False)
    # groups a search with the click on one of its results
    search_id: Mapped[str | None] = mapped_column(String(32), index=True)
