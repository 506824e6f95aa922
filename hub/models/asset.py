"""Collateral: assets, their versions, the content-addressed blobs behind them, and tags."""

from __future__ import annotations

import enum
from datetime import date
from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import Column
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from hub.models.base import Base
from hub.models.base import TimestampMixin
from hub.models.base import str_enum
from hub.models.base import utcnow
from hub.models.taxonomy import Persona
from hub.models.taxonomy import Stage
from hub.models.user import User


class AssetType(enum.StrEnum):
    CASE_STUDY = "case_study"
    DECK = "deck"
    ONE_PAGER = "one_pager"
    WHITEPAPER = "whitepaper"
    BATTLE_CARD = "battle_card"
    DATASHEET = "datasheet"
    VIDEO_LINK = "video_link"
    WEB_PAGE = "web_page"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").replace("one pager", "one-pager").capitalize()


class AssetStatus(enum.StrEnum):
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ExtractionStatus(enum.StrEnum):
    OK = "ok"
    EMPTY = "empty"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


asset_persona = Table(
    "asset_persona",
    Base.metadata,
    Column("asset_id", ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    Column("persona_id", ForeignKey("persona.id", ondelete="CASCADE"), primary_key=True),
)

asset_stage = Table(
    "asset_stage",
    Base.metadata,
    Column("asset_id", ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    Column("stage_id", ForeignKey("stage.id", ondelete="CASCADE"), primary_key=True),
)

asset_tag = Table(
    "asset_tag",
    Base.metadata,
    Column("asset_id", ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)


class Blob(Base):
    """A stored file, keyed by the sha256 of its bytes so identical uploads are kept once."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    mime_type: Mapped[str] = mapped_column(String(120), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class Asset(TimestampMixin, Base):
    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    asset_type: Mapped[AssetType] = mapped_column(
        str_enum(AssetType), nullable=False, default=AssetType.OTHER
    )
    status: Mapped[AssetStatus] = mapped_column(
        str_enum(AssetStatus, 16), nullable=False, default=AssetStatus.PUBLISHED, index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    # for link assets (videos, web pages); file assets keep their bytes in versions
    link_url: Mapped[str | None] = mapped_column(String(2000))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset_version.id", use_alter=True, ondelete="SET NULL")
    )
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    personas: Mapped[list[Persona]] = relationship(secondary=asset_persona, order_by="Persona.position")
    stages: Mapped[list[Stage]] = relationship(secondary=asset_stage, order_by="Stage.position")
    tags: Mapped[list[Tag]] = relationship(secondary=asset_tag, order_by="Tag.name")
    versions: Mapped[list[AssetVersion]] = relationship(
        back_populates="asset",
        foreign_keys="AssetVersion.asset_id",
        order_by="AssetVersion.number.desc()",
        cascade="all, delete-orphan",
    )
    current_version: Mapped[AssetVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    @property
    def is_link(self) -> bool:
        return self.link_url is not None

    @property
    def is_archived(self) -> bool:
        return self.status == AssetStatus.ARCHIVED

    def is_expired(self, today: date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or utcnow().date())

    def is_shown(self, today: date | None = None) -> bool:
        """Still shown to prospects: neither archived nor expired."""
        return Asset.shown(self.status, self.expires_on, today or utcnow().date())

    @staticmethod
    def shown(status: AssetStatus, expires_on: date | None, today: date) -> bool:
        """The rule itself, on column values, for readers that do not load the asset (beacons)."""
        return status != AssetStatus.ARCHIVED and not (expires_on is not None and expires_on < today)

    def __repr__(self) -> str:
        return f"<Asset {self.id} {self.title!r}>"


class AssetVersion(Base):
    __tablename__ = "asset_version"
    __table_args__ = (UniqueConstraint("asset_id", "number", name="uq_asset_version_asset_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    mime_type: Mapped[str] = mapped_column(String(120), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    page_count: Mapped[int | None] = mapped_column(Integer)
    # up to HUB_EXTRACT_MAX_CHARS; loaded only where used (indexing, the text preview), not with every version
    extracted_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    extraction_status: Mapped[ExtractionStatus] = mapped_column(
        str_enum(ExtractionStatus, 16), nullable=False, default=ExtractionStatus.NOT_APPLICABLE
    )
    extraction_error: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    asset: Mapped[Asset] = relationship(back_populates="versions", foreign_keys=[asset_id])
    blob: Mapped[Blob] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
