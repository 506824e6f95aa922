"""The persona × stage coverage grid: assets, usage and win rate per cell, with gaps highlighted."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select

from hub.analytics._sql import rate
from hub.analytics.filters import ReportFilters
from hub.analytics.filters import asset_conditions
from hub.analytics.filters import people_condition
from hub.analytics.influence import USAGE_KINDS
from hub.analytics.influence import influence_pairs
from hub.analytics.influence import min_deals
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import Deal
from hub.models import DealStatus
from hub.models import Persona
from hub.models import Stage
from hub.models import UsageEvent
from hub.models.asset import asset_persona
from hub.models.asset import asset_stage

# a cell is weak with at most this many assets…
WEAK_MAX_ASSETS = 2
# …or with usage under this share of the average covered cell's usage…
WEAK_USAGE_SHARE = 0.25
# …or with a win rate (from enough deals) this many points under the grid's overall win rate
WEAK_WIN_RATE_GAP = 0.10


@dataclass(frozen=True)
class Cell:
    persona_id: int
    stage_id: int
    assets: int
    usage: int
    won: int
    closed: int
    win_rate: float | None
    sufficient: bool
    gap: bool
    weak: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    personas: list[Persona]
    stages: list[Stage]
    cells: dict[tuple[int, int], Cell]
    overall_win_rate: float | None
    average_usage: float

    def cell(self, persona_id: int, stage_id: int) -> Cell:
        return self.cells[(persona_id, stage_id)]

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells.values() if cell.gap)

    @property
    def weak(self) -> int:
        return sum(1 for cell in self.cells.values() if cell.weak)


def _tagged():
    """(asset_id, persona_id, stage_id) for every published asset tagged with both."""
    return (
        select(asset_persona.c.asset_id, asset_persona.c.persona_id, asset_stage.c.stage_id)
        .join(asset_stage, asset_stage.c.asset_id == asset_persona.c.asset_id)
        .join(Asset, Asset.id == asset_persona.c.asset_id)
        .where(Asset.status == AssetStatus.PUBLISHED)
    )


def _asset_counts(filters: ReportFilters) -> dict[tuple[int, int], int]:
    tagged = _tagged().where(*asset_conditions(filters)).subquery()
    stmt = select(tagged.c.persona_id, tagged.c.stage_id, func.count()).group_by(
        tagged.c.persona_id, tagged.c.stage_id
    )
    return {(p, s): int(n) for p, s, n in db.session.execute(stmt)}


def _usage(filters: ReportFilters) -> dict[tuple[int, int], int]:
    per_asset = select(UsageEvent.asset_id, func.count().label("uses")).where(
        UsageEvent.kind.in_(USAGE_KINDS),
        UsageEvent.created_at >= filters.since,
        UsageEvent.created_at < filters.until,
        UsageEvent.asset_id.is_not(None),
    )
    people = people_condition(filters, UsageEvent.user_id)
    if people is not None:
        per_asset = per_asset.where(people)
    per_asset = per_asset.group_by(UsageEvent.asset_id).subquery()
    tagged = _tagged().where(*asset_conditions(filters)).subquery()
    stmt = (
        select(tagged.c.persona_id, tagged.c.stage_id, func.sum(per_asset.c.uses))
        .join(per_asset, per_asset.c.asset_id == tagged.c.asset_id)
        .group_by(tagged.c.persona_id, tagged.c.stage_id)
    )
    return {(p, s): int(n or 0) for p, s, n in db.session.execute(stmt)}


def _outcomes(filters: ReportFilters) -> dict[tuple[int, int], tuple[int, int]]:
    """Per cell: closed deals of that persona and stage influenced by an asset tagged with both."""
    people = people_condition(filters, Deal.owner_id)
    pairs = influence_pairs(
        start=filters.start, end=filters.end, deal_conditions=[people] if people is not None else []
    ).subquery()
    tagged = _tagged().where(*asset_conditions(filters)).subquery()
    deals = (
        select(tagged.c.persona_id, tagged.c.stage_id, Deal.id, Deal.status)
        .join(pairs, pairs.c.asset_id == tagged.c.asset_id)
        .join(Deal, Deal.id == pairs.c.deal_id)
        .where(
            Deal.persona_id == tagged.c.persona_id,
            Deal.stage_id == tagged.c.stage_id,
            Deal.status != DealStatus.OPEN,
        )
        .distinct()
        .subquery()
    )
    stmt = select(
        deals.c.persona_id,
        deals.c.stage_id,
        func.sum(case((deals.c.status == DealStatus.WON, 1), else_=0)),
        func.count(),
    ).group_by(deals.c.persona_id, deals.c.stage_id)
    return {(p, s): (int(won or 0), int(closed)) for p, s, won, closed in db.session.execute(stmt)}


def coverage_grid(filters: ReportFilters) -> Grid:
    """Persona and stage filters are the grid's own axes, so they are ignored here."""
    filters = filters.but(persona_id=None, stage_id=None)
    personas = list(
        db.session.scalars(
            select(Persona).where(Persona.retired_at.is_(None)).order_by(Persona.position, Persona.name)
        )
    )
    stages = list(
        db.session.scalars(
            select(Stage).where(Stage.retired_at.is_(None)).order_by(Stage.position, Stage.name)
        )
    )
    counts, usage, outcomes = _asset_counts(filters), _usage(filters), _outcomes(filters)
    threshold = min_deals()
    covered = [usage.get(key, 0) for key, n in counts.items() if n]
    average = sum(covered) / len(covered) if covered else 0.0
    total_won = sum(won for won, _closed in outcomes.values())
    total_closed = sum(closed for _won, closed in outcomes.values())
    overall = rate(total_won, total_closed)
    cells = {}
    for persona in personas:
        for stage in stages:
            key = (persona.id, stage.id)
            assets, uses = counts.get(key, 0), usage.get(key, 0)
            won, closed = outcomes.get(key, (0, 0))
            win_rate, sufficient = rate(won, closed), closed >= threshold
            reasons = []
            if assets and assets <= WEAK_MAX_ASSETS:
                reasons.append(f"only {assets} asset{'s' if assets > 1 else ''}")
            if assets and average and uses < WEAK_USAGE_SHARE * average:
                reasons.append("little used")
            if (
                assets
                and sufficient
                and overall is not None
                and win_rate is not None
                and win_rate < overall - WEAK_WIN_RATE_GAP
            ):
                reasons.append("low win rate")
            cells[key] = Cell(
                persona_id=persona.id,
                stage_id=stage.id,
                assets=assets,
                usage=uses,
                won=won,
                closed=closed,
                win_rate=win_rate,
                sufficient=sufficient,
                gap=assets == 0,
                weak=bool(reasons),
                reasons=tuple(reasons),
            )
    return Grid(personas, stages, cells, overall, average)
