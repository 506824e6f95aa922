"""Deal workflows: upsert from the CRM, close, edit, and content used in a deal."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from sqlalchemy import select

from hub import audit
from hub import tracking
from hub.extensions import db
from hub.models import Asset
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.models import EventKind
from hub.models import Persona
from hub.models import Stage
from hub.models import User
from hub.models import utcnow

# fields an upsert may set; anything not given is left as it is
FIELDS = (
    "name",
    "account",
    "amount",
    "currency",
    "owner_id",
    "crm_stage",
    "stage_id",
    "persona_id",
    "status",
    "created_on",
    "closed_on",
)
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class DealError(ValueError):
    """A user-facing problem with a deal change."""


@dataclass
class UpsertOutcome:
    deal: Deal
    result: str
    changed: list[str] = field(default_factory=list)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    outcomes: list[tuple[int, str, str]] = field(default_factory=list)  # (line, crm_id, result)


def _final_values(deal: Deal | None, changes: dict, today: date) -> dict:
    """What the deal's fields become; a close without a date closes today."""
    values = {key: changes[key] for key in FIELDS if key in changes}
    if deal is None:
        values.setdefault("currency", "USD")
        values.setdefault("status", DealStatus.OPEN)
    old_status = deal.status if deal else None
    status = values.get("status", old_status)
    if status is not None and status.is_closed and not values.get("closed_on"):
        kept = deal.closed_on if deal and old_status == status else None
        values["closed_on"] = kept or today
    elif status == DealStatus.OPEN and old_status is not None and old_status.is_closed:
        values.setdefault("closed_on", None)
    return values


def _apply(deal: Deal, values: dict) -> list[str]:
    changed = []
    for key, value in values.items():
        if getattr(deal, key) != value:
            setattr(deal, key, value)
            changed.append(key)
    return changed


def _upsert_one(existing: Deal | None, crm_id: str, changes: dict, today: date) -> UpsertOutcome:
    if existing is None:
        if not changes.get("name"):
            raise DealError(f"Deal {crm_id} is new, so it needs a name.")
        deal = Deal(crm_id=crm_id)
        _apply(deal, _final_values(None, changes, today))
        db.session.add(deal)
        return UpsertOutcome(deal, CREATED)
    changed = _apply(existing, _final_values(existing, changes, today))
    return UpsertOutcome(existing, UPDATED if changed else UNCHANGED, changed)


def _existing(crm_ids: Iterable[str]) -> dict[str, Deal]:
    found: dict[str, Deal] = {}
    ids = list(dict.fromkeys(crm_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update((d.crm_id, d) for d in db.session.scalars(select(Deal).where(Deal.crm_id.in_(chunk))))
    return found


def preview(rows: Sequence[tuple[str, dict]]) -> dict[str, str]:
    """crm_id -> what an import would do, without writing anything."""
    existing = _existing(crm_id for crm_id, _c in rows)
    today = utcnow().date()
    results = {}
    for crm_id, changes in rows:
        deal = existing.get(crm_id)
        if deal is None:
            results[crm_id] = CREATED
            continue
        values = _final_values(deal, changes, today)
        results[crm_id] = UPDATED if any(getattr(deal, k) != v for k, v in values.items()) else UNCHANGED
    return results


def import_deals(
    rows: Sequence[tuple[int, str, dict]],
    *,
    acting: User | None,
    label: str,
    errors: int = 0,
    source: str = "import",
    ip_address: str | None = None,
) -> ImportSummary:
    """Upsert many deals by CRM id in one transaction; `rows` are (line, crm_id, changes)."""
    existing = _existing(crm_id for _line, crm_id, _c in rows)
    today = utcnow().date()
    summary = ImportSummary()
    for line, crm_id, changes in rows:
        outcome = _upsert_one(existing.get(crm_id), crm_id, changes, today)
        existing[crm_id] = outcome.deal
        setattr(summary, outcome.result, getattr(summary, outcome.result) + 1)
        summary.outcomes.append((line, crm_id, outcome.result))
    audit.log(
        f"deals.{source}",
        user_id=acting.id if acting else None,
        target_type="deal",
        detail=(
            f"{label}: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {errors} rows with errors"
        ),
        ip_address=ip_address,
    )
    db.session.commit()
    return summary


def upsert_deal(
    crm_id: str, changes: dict, *, acting: User | None, source: str = "api", ip_address: str | None = None
) -> UpsertOutcome:
    """Create the deal with this CRM id or update the given fields of it."""
    outcome = _upsert_one(_existing([crm_id]).get(crm_id), crm_id, changes, utcnow().date())
    if outcome.result != UNCHANGED:
        db.session.flush()
        audit.log(
            f"deal.{outcome.result}",
            user_id=acting.id if acting else None,
            target_type="deal",
            target_id=outcome.deal.id,
            detail=f"{crm_id} via {source}" + (f": {', '.join(outcome.changed)}" if outcome.changed else ""),
            ip_address=ip_address,
        )
    db.session.commit()
    return outcome


def close_deal(
    deal: Deal,
    status: DealStatus,
    closed_on: date | None = None,
    *,
    acting: User | None = None,
    ip_address: str | None = None,
) -> Deal:
    """Set the outcome; closed_on defaults to today. Content used on or before closed_on gets the credit."""
    if closed_on is not None and status.is_closed and closed_on > utcnow().date():
        raise DealError("The close date cannot be in the future.")
    if closed_on is not None and deal.created_on is not None and closed_on < deal.created_on:
        raise DealError("The close date cannot be before the deal was created.")
    changes: dict = {"status": status}
    if closed_on is not None or status == DealStatus.OPEN:
        changes["closed_on"] = closed_on
    changed = _apply(deal, _final_values(deal, changes, utcnow().date()))
    if changed:
        verb = "reopened" if status == DealStatus.OPEN else f"closed as {status.value}"
        audit.log(
            "deal.close" if status.is_closed else "deal.reopen",
            user_id=acting.id if acting else None,
            target_type="deal",
            target_id=deal.id,
            detail=f"{deal.crm_id} {verb}" + (f" on {deal.closed_on}" if status.is_closed else ""),
            ip_address=ip_address,
        )
    db.session.commit()
    return deal


def update_deal(
    deal: Deal,
    *,
    persona: Persona | None,
    stage: Stage | None,
    acting: User,
    ip_address: str | None = None,
) -> Deal:
    """Set the buyer persona and journey stage that drive the deal's recommendations."""
    before = (deal.persona.name if deal.persona else "none", deal.stage.name if deal.stage else "none")
    deal.persona = persona
    deal.stage = stage
    after = (persona.name if persona else "none", stage.name if stage else "none")
    if before != after:
        audit.log(
            "deal.edit",
            user_id=acting.id,
            target_type="deal",
            target_id=deal.id,
            detail=f"{deal.crm_id}: persona {before[0]} -> {after[0]}, stage {before[1]} -> {after[1]}",
            ip_address=ip_address,
        )
    db.session.commit()
    return deal


def log_asset_use(
    deal: Deal,
    asset: Asset,
    user: User | None,
    source: DealAssetSource,
    note: str | None = None,
    used_at: datetime | None = None,
    *,
    event_source: str = "web",
) -> DealAsset:
    """Record that an asset was used in a deal, plus a USED_IN_DEAL usage event, in one commit."""
    now = utcnow()
    used_at = used_at or now
    if used_at > now:
        raise DealError("The date of use cannot be in the future.")
    use = DealAsset(
        deal=deal,
        asset=asset,
        user=user,
        source=source,
        used_at=used_at,
        note=(note or "").strip()[:500] or None,
    )
    db.session.add(use)
    tracking.add(
        EventKind.USED_IN_DEAL,
        user_id=user.id if user else None,
        asset_id=asset.id,
        deal_id=deal.id,
        source=event_source,
        at=used_at,
    )
    db.session.commit()
    return use
