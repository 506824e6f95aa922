"""Deals imported from the CRM and the content used in each."""

from __future__ import annotations

import enum
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from hub.models.asset import Asset
from hub.models.base import Base
from hub.models.base import TimestampMixin
from hub.models.base import str_enum
from hub.models.base import utcnow
from hub.models.taxonomy import Persona
from hub.models.taxonomy import Stage
from hub.models.user import User


class DealStatus(enum.StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        return self is not DealStatus.OPEN


class DealAssetSource(enum.StrEnum):
    SHARE = "share"
    MEETING = "meeting"
    EMAIL = "email"
    OTHER = "other"


class Deal(TimestampMixin, Base):
    __tablename__ = "deal"

    id: Mapped[int] = mapped_column(primary_key=True)
    crm_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    account: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD", nullable=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # the CRM's own pipeline stage name ("Negotiation/Review"), kept as text
    crm_stage: Mapped[str | None] = mapped_column(String(80))
    # the buyer-journey stage and persona drive content recommendations
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    persona_id: Mapped[int | None] = mapped_column(ForeignKey("persona.id", ondelete="SET NULL"))
    status: Mapped[DealStatus] = mapped_column(
        str_enum(DealStatus, 16), default=DealStatus.OPEN, nullable=False, index=True
    )
    created_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    notes: Mapped[str | None] = mapped_column(Text)

    owner: Mapped[User | None] = relationship()
    stage: Mapped[Stage | None] = relationship()
    persona: Mapped[Persona | None] = relationship()
    asset_uses: Mapped[list[DealAsset]] = relationship(
        back_populates="deal", order_by="DealAsset.used_at", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Deal {self.crm_id} {self.status.value}>"


class DealAsset(Base):
    """An asset used in a deal: shared through a link, shown in a meeting, sent by email."""

    __tablename__ = "deal_asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deal.id", ondelete="CASCADE"), nullable=False, index=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    share_id: Mapped[int | None] = mapped_column(ForeignKey("share_link.id", ondelete="SET NULL"))
    source: Mapped[DealAssetSource] = mapped_column(str_enum(DealAssetSource, 16), nullable=False)
    used_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))

    deal: Mapped[Deal] = relationship(back_populates="asset_uses")
    asset: Mapped[Asset] = relationship()
    user: Mapped[User | None] = relationship()
