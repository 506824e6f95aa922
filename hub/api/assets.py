"""Asset endpoints (list, search, read) and usage events sent by other tools."""

from __future__ import annotations

from flask import request
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub import tracking
from hub.api.auth import api_auth
from hub.api.auth import api_user
from hub.api.blueprint import bp
from hub.api.deals import log_use_from
from hub.api.inputs import ApiError
from hub.api.inputs import crm_id_given
from hub.api.inputs import iso_datetime
from hub.api.inputs import json_body
from hub.api.inputs import not_in_future
from hub.api.inputs import paging
from hub.api.serialize import asset_json
from hub.api.serialize import use_json
from hub.deals import queries
from hub.deals.parsing import ValueProblem
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import AssetType
from hub.models import Deal
from hub.models import EventKind
from hub.models import Persona
from hub.models import Stage
from hub.routing import MAX_ID

# what other tools may report; searches, shares and prospect events are Hub's own
EVENT_KINDS = {EventKind.VIEW, EventKind.DOWNLOAD, EventKind.USED_IN_DEAL}


def _visible_asset(asset_id: int) -> Asset:
    asset = db.session.get(Asset, asset_id)
    if asset is None or (asset.is_archived and not api_user().can_manage_content):
        raise ApiError(404, f"No asset with the id {asset_id}.")
    return asset


def _term_id(model, raw: str | None, name: str) -> int | None:
    if not raw:
        return None
    term = db.session.scalar(select(model).where(func.lower(model.name) == raw.strip().lower()))
    if term is None:
        raise ApiError(422, f"Unknown {name} {raw!r}.", fields={name: "unknown name"})
    return term.id


@bp.route("/assets")
@api_auth()
def list_assets():
    page, per_page = paging()
    asset_type = request.args.get("type") or None
    if asset_type is not None and asset_type not in {t.value for t in AssetType}:
        raise ApiError(
            400,
            "Unknown asset type.",
            fields={"type": f"expected one of {', '.join(t.value for t in AssetType)}"},
        )
    status = request.args.get("status", AssetStatus.PUBLISHED.value)
    if status not in ("published", "archived", "all"):
        raise ApiError(
            400,
            "status must be published, archived or all.",
            fields={"status": "expected published, archived or all"},
        )
    if status != "published" and not api_user().can_manage_content:
        raise ApiError(403, "Only marketing can list archived assets.")
    persona_id = _term_id(Persona, request.args.get("persona"), "persona")
    stage_id = _term_id(Stage, request.args.get("stage"), "stage")
    q = (request.args.get("q") or "").strip()[:200]
    if q:
        return _search(q, page, per_page, status, asset_type, persona_id, stage_id)
    query = select(Asset)
    if status != "all":
        query = query.where(Asset.status == AssetStatus(status))
    if asset_type:
        query = query.where(Asset.asset_type == AssetType(asset_type))
    if persona_id:
        query = query.where(Asset.personas.any(Persona.id == persona_id))
    if stage_id:
        query = query.where(Asset.stages.any(Stage.id == stage_id))
    items, total, pages = queries.page_of(
        query.order_by(Asset.updated_at.desc(), Asset.id.desc()), page, per_page
    )
    return {
        "items": [asset_json(a) for a in items],
        "page": min(page, pages),
        "per_page": per_page,
        "total": total,
        "pages": pages,
    }


def _search(q: str, page: int, per_page: int, status: str, asset_type, persona_id, stage_id) -> dict:
    """Full-text search through the index, ranked as on the search page, and recorded as an API search."""
    from hub.search.service import SearchParams
    from hub.search.service import record_search
    from hub.search.service import search

    params = SearchParams(
        text=q,
        personas=(str(persona_id),) if persona_id else (),
        stages=(str(stage_id),) if stage_id else (),
        types=(asset_type,) if asset_type else (),
        include_archived=status != "published",
        page=page,
        per_page=per_page,
    )
    outcome = search(params)
    record_search(api_user(), outcome, source="api")
    # results carry what the index stores; the API answers with the full asset rows
    rows = {
        asset.id: asset
        for asset in db.session.scalars(
            select(Asset)
            .where(Asset.id.in_([r.asset.id for r in outcome.results]))
            .options(selectinload(Asset.personas), selectinload(Asset.stages), selectinload(Asset.tags))
        )
    }
    items = []
    for result in outcome.results:
        asset = rows.get(result.asset.id)
        if asset is None or (status == "archived" and not asset.is_archived):
            continue
        item = asset_json(asset)
        item["win_rate"] = (
            result.outcome.win_rate if result.outcome is not None and result.outcome.sufficient else None
        )
        item["uses"] = result.uses
        items.append(item)
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": outcome.total,
        "pages": outcome.pages,
        "query": q,
    }


@bp.route("/assets/<int:asset_id>")
@api_auth()
def get_asset(asset_id: int):
    return asset_json(_visible_asset(asset_id))


@bp.route("/events", methods=["POST"])
@api_auth()
def record_event():
    body = json_body()
    kind = body.get("kind")
    allowed = sorted(k.value for k in EVENT_KINDS)
    if kind not in allowed:
        raise ApiError(
            400,
            f"kind must be one of {', '.join(allowed)}.",
            fields={"kind": f"expected one of {', '.join(allowed)}"},
        )
    asset_id = body.get("asset_id")
    if not isinstance(asset_id, int) or isinstance(asset_id, bool) or not 1 <= asset_id <= MAX_ID:
        raise ApiError(400, "asset_id is required.", fields={"asset_id": "expected an asset id (a number)"})
    _visible_asset_or_422(asset_id)
    if kind == EventKind.USED_IN_DEAL.value:
        deal = _deal_for_event(body)
        use = log_use_from(
            deal,
            {k: v for k, v in body.items() if k in ("asset_id", "source", "note")}
            | {"used_at": body.get("occurred_at")},
        )
        return {"kind": kind, "use": use_json(use)}, 201
    try:
        occurred_at = not_in_future(iso_datetime(body.get("occurred_at")), "occurred_at")
    except ValueProblem as exc:
        raise ApiError(400, "occurred_at is not a date-time.", fields={"occurred_at": str(exc)}) from exc
    seconds = body.get("seconds")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 86400
    ):
        raise ApiError(400, "seconds must be a number from 0 to 86400.", fields={"seconds": "out of range"})
    event = tracking.record(
        EventKind(kind),
        user_id=api_user().id,
        asset_id=asset_id,
        seconds=seconds,
        source="api",
        at=occurred_at,
    )
    return {
        "id": event.id,
        "kind": kind,
        "asset_id": asset_id,
        "created_at": event.created_at.isoformat() + "Z",
    }, 201


def _visible_asset_or_422(asset_id: int) -> Asset:
    try:
        return _visible_asset(asset_id)
    except ApiError as exc:
        raise ApiError(422, exc.message, fields={"asset_id": "unknown asset"}) from exc


def _deal_for_event(body: dict) -> Deal:
    crm_id = body.get("deal_crm_id")
    deal_id = body.get("deal_id")
    deal = None
    if isinstance(crm_id, str) and crm_id:
        deal = db.session.scalar(select(Deal).where(Deal.crm_id == crm_id_given(crm_id, "deal_crm_id")))
    elif isinstance(deal_id, int) and not isinstance(deal_id, bool):
        deal = db.session.get(Deal, deal_id)
    else:
        raise ApiError(400, "used_in_deal needs deal_crm_id or deal_id.", fields={"deal_crm_id": "required"})
    if deal is None or not queries.visible_to(api_user(), deal):
        raise ApiError(422, "No such deal among those you can see.", fields={"deal_crm_id": "unknown deal"})
    if not queries.can_edit(api_user(), deal):
        raise ApiError(403, "Only the deal's owner or marketing can log content for it.")
    return deal
