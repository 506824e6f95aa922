"""Report data for marketing: how each asset is used and which deals it influenced."""

from __future__ import annotations

from datetime import datetime

from flask import request
from sqlalchemy import select

from hub.access import CONTENT_ROLES
from hub.analytics.filters import EARLIEST
from hub.analytics.filters import LATEST
from hub.api.auth import api_auth
from hub.api.blueprint import bp
from hub.api.inputs import ApiError
from hub.api.inputs import iso_date
from hub.deals.parsing import ValueProblem
from hub.extensions import db
from hub.models import Asset
from hub.routing import parse_id

MAX_IDS = 500


def _date_arg(name: str):
    try:
        value = iso_date(request.args.get(name) or None, name)
    except ValueProblem as exc:
        raise ApiError(400, f"{name} is not a date.", fields={name: str(exc)}) from exc
    if value is not None and not EARLIEST <= value <= LATEST:
        span = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
        raise ApiError(400, f"{name} must be a date {span}.", fields={name: f"expected a date {span}"})
    return value


def _asset_ids() -> list[int] | None:
    raw = request.args.getlist("asset_id")
    if not raw:
        return None
    ids = [parse_id(v) for v in raw[: MAX_IDS + 1]]
    if len(raw) > MAX_IDS or None in ids:
        raise ApiError(
            400, f"asset_id must be up to {MAX_IDS} asset ids.", fields={"asset_id": "expected ids"}
        )
    return ids


@bp.route("/reports/asset-outcomes")
@api_auth(*CONTENT_ROLES)
def asset_outcomes():
    from hub.analytics.influence import asset_outcomes as outcomes_for
    from hub.analytics.influence import usage_counts

    start, end = _date_arg("start"), _date_arg("end")
    if start and end and start > end:
        raise ApiError(400, "start must be on or before end.", fields={"start": "after end"})
    ids = _asset_ids()
    outcomes = outcomes_for(ids, start=start, end=end)
    since = datetime.combine(start, datetime.min.time()) if start else None
    uses = usage_counts(ids if ids is not None else list(outcomes), since=since)
    wanted = set(ids) if ids is not None else set(outcomes)
    titles = (
        dict(db.session.execute(select(Asset.id, Asset.title).where(Asset.id.in_(wanted))).all())
        if wanted
        else {}
    )
    items = []
    for asset_id in sorted(wanted & set(titles)):
        outcome = outcomes.get(asset_id)
        items.append(
            {
                "asset_id": asset_id,
                "title": titles[asset_id],
                "uses": uses.get(asset_id, 0),
                "deals": outcome.deals if outcome else 0,
                "won": outcome.won if outcome else 0,
                "lost": outcome.lost if outcome else 0,
                "open": outcome.open if outcome else 0,
                "win_rate": outcome.win_rate if outcome else None,
                "influenced_revenue": str(outcome.influenced_revenue) if outcome else "0",
            }
        )
    return {"start": start and start.isoformat(), "end": end and end.isoformat(), "items": items}


@bp.route("/reports/usage")
@api_auth(*CONTENT_ROLES)
def usage():
    from hub.analytics.influence import usage_counts

    since = _date_arg("since")
    counts = usage_counts(_asset_ids(), since=datetime.combine(since, datetime.min.time()) if since else None)
    return {
        "since": since and since.isoformat(),
        "items": [{"asset_id": k, "uses": v} for k, v in sorted(counts.items())],
    }
