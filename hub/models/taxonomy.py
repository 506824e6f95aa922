"""Buyer personas and buyer-journey stages. Retired entries stay for history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from hub.models.base import Base
from hub.models.base import TimestampMixin


class _TaxonomyTerm(TimestampMixin):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class Persona(_TaxonomyTerm, Base):
    __tablename__ = "persona"


class Stage(_TaxonomyTerm, Base):
    """A buyer-journey stage; `position` orders awareness → advocacy."""

    __tablename__ = "stage"
