""" "For this deal": the assets that win for a deal's persona and stage."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import Persona
from hub.models import Stage
from hub.models import utcnow
from hub.search import stats as perf


@dataclass(frozen=True)
class Recommendation:
    asset: Asset
    win_rate: float | None
    # closed deals the asset influenced (won + lost); the rate counts only from HUB_RANK_MIN_DEALS
    deals: int
    sufficient: bool
    uses: int


def recommend_for(persona_id: int | None, stage_id: int | None, *, limit: int = 5) -> list[Recommendation]:
    """Published, unexpired assets tagged with the persona and the stage: proven win rates first, then usage."""
    if persona_id is None and stage_id is None:
        return []
    today = utcnow().date()
    stmt = (
        select(Asset)
        .where(Asset.status == AssetStatus.PUBLISHED)
        .where(or_(Asset.expires_on.is_(None), Asset.expires_on >= today))
        .options(selectinload(Asset.personas), selectinload(Asset.stages))
    )
    if persona_id is not None:
        stmt = stmt.where(Asset.personas.any(Persona.id == persona_id))
    if stage_id is not None:
        stmt = stmt.where(Asset.stages.any(Stage.id == stage_id))
    stats = perf.current()
    picks = []
    for asset in db.session.scalars(stmt):
        outcome = stats.outcome(asset.id)
        proven = outcome is not None and outcome.sufficient and outcome.win_rate is not None
        picks.append(
            Recommendation(
                asset=asset,
                win_rate=outcome.win_rate if outcome is not None else None,
                deals=outcome.closed if outcome is not None else 0,
                sufficient=proven,
                uses=stats.uses(asset.id),
            )
        )

    def rank(pick: Recommendation) -> tuple:
        if pick.sufficient:
            return (1, pick.win_rate or 0.0, pick.deals, pick.uses)
        return (0, pick.uses, pick.deals, 0.0)

    picks.sort(key=lambda p: (rank(p), -p.asset.id), reverse=True)
    return picks[:limit]
