"""Deal endpoints: list and read (reps see their own), upsert one or many, outcomes, content used."""

from __future__ import annotations

from flask import request
from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.access import CONTENT_ROLES
from hub.api.auth import api_auth
from hub.api.auth import api_user
from hub.api.blueprint import bp
from hub.api.inputs import ApiError
from hub.api.inputs import crm_id_given
from hub.api.inputs import deal_changes
from hub.api.inputs import iso_date
from hub.api.inputs import iso_datetime
from hub.api.inputs import json_body
from hub.api.inputs import not_in_future
from hub.api.inputs import paging
from hub.api.serialize import deal_json
from hub.api.serialize import use_json
from hub.deals import queries
from hub.deals import service
from hub.deals.lookups import Lookups
from hub.deals.parsing import ValueProblem
from hub.extensions import db
from hub.models import Asset
from hub.models import Deal
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.routing import MAX_ID
from hub.routing import parse_id

MAX_BATCH = 500


def visible_deal(crm_id: str) -> Deal:
    deal = db.session.scalar(select(Deal).where(Deal.crm_id == crm_id_given(crm_id)))
    if deal is None or not queries.visible_to(api_user(), deal):
        raise ApiError(404, f"No deal with the CRM id {crm_id!r}.")
    return deal


@bp.route("/deals")
@api_auth()
def list_deals():
    page, per_page = paging()
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in DealStatus}:
        raise ApiError(
            400, "status must be open, won or lost.", fields={"status": "expected open, won or lost"}
        )
    owner_id = parse_id(request.args.get("owner_id"))
    if request.args.get("owner_id") and owner_id is None:
        raise ApiError(400, "owner_id must be a user id.", fields={"owner_id": "expected a user id"})
    query = queries.deal_query(
        api_user(),
        status=DealStatus(status) if status else None,
        owner_id=owner_id,
        q=request.args.get("q"),
    )
    items, total, pages = queries.page_of(query, page, per_page)
    return {
        "items": [deal_json(d) for d in items],
        "page": min(page, pages),
        "per_page": per_page,
        "total": total,
        "pages": pages,
    }


@bp.route("/deals/<path:crm_id>")
@api_auth()
def get_deal(crm_id: str):
    return deal_json(visible_deal(crm_id))


@bp.route("/deals", methods=["POST"])
@api_auth(*CONTENT_ROLES)
def create_deal():
    crm_id, changes = deal_changes(json_body(), Lookups())
    if db.session.scalar(select(Deal.id).where(Deal.crm_id == crm_id)) is not None:
        raise ApiError(
            409, f"A deal with the CRM id {crm_id!r} exists; use PUT /api/v1/deals/{crm_id} to update it."
        )
    return _upsert(crm_id, changes)


@bp.route("/deals/<path:crm_id>", methods=["PUT"])
@api_auth(*CONTENT_ROLES)
def upsert_deal(crm_id: str):
    crm_id, changes = deal_changes(json_body(), Lookups(), crm_id=crm_id)
    return _upsert(crm_id, changes)


def _upsert(crm_id: str, changes: dict):
    try:
        outcome = service.upsert_deal(
            crm_id, changes, acting=api_user(), source="api", ip_address=request.remote_addr
        )
    except service.DealError as exc:
        raise ApiError(400, str(exc), fields={"name": "required for a new deal"}) from exc
    except IntegrityError as exc:
        db.session.rollback()
        raise ApiError(
            409, f"The deal {crm_id!r} was changed by another request at the same time; try again."
        ) from exc
    body = {"result": outcome.result, "changed": outcome.changed, "deal": deal_json(outcome.deal)}
    if outcome.result == service.CREATED:
        return body, 201, {"Location": url_for("api.get_deal", crm_id=crm_id)}
    return body, 200


@bp.route("/deals/batch", methods=["POST"])
@api_auth(*CONTENT_ROLES)
def batch_deals():
    items = json_body().get("deals")
    if not isinstance(items, list) or not items:
        raise ApiError(
            400,
            'Send {"deals": [ ... ]} with at least one deal.',
            fields={"deals": "expected a non-empty list"},
        )
    if len(items) > MAX_BATCH:
        raise ApiError(413, f"At most {MAX_BATCH} deals per batch; split the list.")
    lookups = Lookups()
    good: list[tuple[int, str, dict]] = []
    results: list[dict] = [{} for _ in items]
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise ApiError(400, "Each deal must be a JSON object.")
            crm_id, changes = deal_changes(item, lookups)
            if crm_id in seen:
                raise ApiError(
                    409, f"Duplicate crm_id (also at index {seen[crm_id]}).", fields={"crm_id": "duplicate"}
                )
        except ApiError as exc:
            crm = item.get("crm_id") if isinstance(item, dict) else None
            results[index] = {
                "index": index,
                "crm_id": crm,
                "error": {"status": exc.status, "message": exc.message, **exc.extra},
            }
            continue
        seen[crm_id] = index
        good.append((index, crm_id, changes))
    new_without_name = _new_without_name(good)
    for index, crm_id, _changes in [g for g in good if g[1] in new_without_name]:
        results[index] = {
            "index": index,
            "crm_id": crm_id,
            "error": {
                "status": 400,
                "message": "A new deal needs a name.",
                "fields": {"name": "required for a new deal"},
            },
        }
    good = [g for g in good if g[1] not in new_without_name]
    errors = sum(1 for r in results if "error" in r)
    summary = service.import_deals(
        good,
        acting=api_user(),
        label="API batch",
        errors=errors,
        source="api",
        ip_address=request.remote_addr,
    )
    for index, crm_id, result in summary.outcomes:
        results[index] = {"index": index, "crm_id": crm_id, "result": result}
    return {
        "summary": {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "errors": errors,
        },
        "results": results,
    }


def _new_without_name(good: list[tuple[int, str, dict]]) -> set[str]:
    nameless = [crm_id for _i, crm_id, changes in good if not changes.get("name")]
    if not nameless:
        return set()
    existing = set(db.session.scalars(select(Deal.crm_id).where(Deal.crm_id.in_(nameless))))
    return set(nameless) - existing


@bp.route("/deals/<path:crm_id>/outcome", methods=["PUT"])
@api_auth()
def set_outcome(crm_id: str):
    deal = visible_deal(crm_id)
    if not queries.can_edit(api_user(), deal):
        raise ApiError(403, "Only the deal's owner or marketing can set its outcome.")
    body = json_body()
    status = body.get("status")
    if status not in {s.value for s in DealStatus}:
        raise ApiError(
            400, "status must be open, won or lost.", fields={"status": "expected open, won or lost"}
        )
    try:
        closed_on = iso_date(body.get("closed_on"), "closed_on")
    except ValueProblem as exc:
        raise ApiError(400, "closed_on is not a date.", fields={"closed_on": str(exc)}) from exc
    try:
        service.close_deal(
            deal, DealStatus(status), closed_on, acting=api_user(), ip_address=request.remote_addr
        )
    except service.DealError as exc:
        raise ApiError(422, str(exc), fields={"closed_on": str(exc)}) from exc
    return deal_json(deal)


@bp.route("/deals/<path:crm_id>/assets", methods=["POST"])
@api_auth()
def log_use(crm_id: str):
    deal = visible_deal(crm_id)
    if not queries.can_edit(api_user(), deal):
        raise ApiError(403, "Only the deal's owner or marketing can log content for it.")
    use = log_use_from(deal, json_body())
    return use_json(use), 201


def log_use_from(deal: Deal, body: dict):
    """Shared by this endpoint and used_in_deal events: validate, then record the use."""
    fields: dict[str, str] = {}
    asset_id = body.get("asset_id")
    source = body.get("source", DealAssetSource.OTHER.value)
    if not isinstance(asset_id, int) or isinstance(asset_id, bool) or not 1 <= asset_id <= MAX_ID:
        fields["asset_id"] = "expected an asset id (a number)"
    allowed_sources = {s.value for s in DealAssetSource} - {DealAssetSource.SHARE.value}
    if source not in allowed_sources:
        fields["source"] = f"expected one of {', '.join(sorted(allowed_sources))}"
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 500):
        fields["note"] = "expected text of at most 500 characters"
    elif note and "\x00" in note:
        # PostgreSQL refuses NUL in text
        fields["note"] = "must not contain NUL characters"
    try:
        used_at = iso_datetime(body.get("used_at"))
    except ValueProblem as exc:
        fields["used_at"] = str(exc)
        used_at = None
    if fields:
        raise ApiError(400, "Some fields are not valid.", fields=fields)
    not_in_future(used_at, "used_at")
    asset = db.session.get(Asset, asset_id)
    if asset is None:
        raise ApiError(422, f"No asset with the id {asset_id}.", fields={"asset_id": "unknown asset"})
    return service.log_asset_use(
        deal, asset, api_user(), DealAssetSource(source), note=note, used_at=used_at, event_source="api"
    )
