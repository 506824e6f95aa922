"""The filters every report shares, and the SQL conditions they turn into."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlalchemy import exists
from sqlalchemy import select

from hub.analytics._sql import day_after
from hub.analytics._sql import day_start
from hub.models import Asset
from hub.models import AssetType
from hub.models import Deal
from hub.models import User
from hub.models import utcnow
from hub.models.asset import asset_persona
from hub.models.asset import asset_stage

DEFAULT_DAYS = 90
# report dates stay where date arithmetic (a range's first day, the day after its last) cannot overflow
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


@dataclass(frozen=True)
class ReportFilters:
    """A closed date range (both days included) and optional persona, stage, type, team and rep."""

    start: date
    end: date
    persona_id: int | None = None
    stage_id: int | None = None
    asset_type: AssetType | None = None
    team: str | None = None
    rep_id: int | None = None

    @classmethod
    def default(cls, today: date | None = None) -> ReportFilters:
        end = today or utcnow().date()
        return cls(start=end - timedelta(days=DEFAULT_DAYS - 1), end=end)

    def but(self, **changes) -> ReportFilters:
        return replace(self, **changes)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self):
        return day_start(self.start)

    @property
    def until(self):
        """Exclusive timestamp bound: the first instant after `end`."""
        return day_after(self.end)

    @property
    def has_people(self) -> bool:
        return self.team is not None or self.rep_id is not None

    def query_args(self) -> dict[str, str]:
        """The filters as GET arguments, for links, pagers and CSV exports."""
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for key, value in (
            ("persona", self.persona_id),
            ("stage", self.stage_id),
            ("type", self.asset_type.value if self.asset_type else None),
            ("team", self.team),
            ("rep", self.rep_id),
        ):
            if value is not None:
                args[key] = str(value)
        return args


def asset_conditions(filters: ReportFilters, asset_id=Asset.id) -> list[ColumnElement[bool]]:
    """Assets tagged with the persona and stage, of the type."""
    conditions: list[ColumnElement[bool]] = []
    if filters.persona_id is not None:
        conditions.append(
            exists().where(
                asset_persona.c.asset_id == asset_id, asset_persona.c.persona_id == filters.persona_id
            )
        )
    if filters.stage_id is not None:
        conditions.append(
            exists().where(asset_stage.c.asset_id == asset_id, asset_stage.c.stage_id == filters.stage_id)
        )
    if filters.asset_type is not None:
        conditions.append(
            asset_id.in_(select(Asset.id).where(Asset.asset_type == filters.asset_type))
            if asset_id is not Asset.id
            else Asset.asset_type == filters.asset_type
        )
    return conditions


def people_condition(filters: ReportFilters, user_id) -> ColumnElement[bool] | None:
    """Rows done by the rep, or by someone in the team."""
    conditions = []
    if filters.rep_id is not None:
        conditions.append(user_id == filters.rep_id)
    if filters.team is not None:
        conditions.append(user_id.in_(select(User.id).where(User.team == filters.team)))
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else conditions[0] & conditions[1]


def deal_conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """Deals of the persona and stage, owned by the rep or team: the comparable deals."""
    conditions: list[ColumnElement[bool]] = []
    if filters.persona_id is not None:
        conditions.append(Deal.persona_id == filters.persona_id)
    if filters.stage_id is not None:
        conditions.append(Deal.stage_id == filters.stage_id)
    people = people_condition(filters, Deal.owner_id)
    if people is not None:
        conditions.append(people)
    return conditions
