"""Models as JSON for the API."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from flask import url_for

from hub.models import Asset
from hub.models import Deal
from hub.models import DealAsset


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() + ("Z" if isinstance(value, datetime) else "")


def deal_json(deal: Deal) -> dict:
    return {
        "id": deal.id,
        "crm_id": deal.crm_id,
        "name": deal.name,
        "account": deal.account,
        "amount": None if deal.amount is None else str(deal.amount),
        "currency": deal.currency,
        "owner": (
            {"id": deal.owner.id, "email": deal.owner.email, "name": deal.owner.name} if deal.owner else None
        ),
        "crm_stage": deal.crm_stage,
        "stage": deal.stage.name if deal.stage else None,
        "persona": deal.persona.name if deal.persona else None,
        "status": deal.status.value,
        "created_on": _iso(deal.created_on),
        "closed_on": _iso(deal.closed_on),
        "updated_at": _iso(deal.updated_at),
        "url": url_for("deals.detail", deal_id=deal.id, _external=True),
    }


def asset_json(asset: Asset) -> dict:
    version = asset.current_version
    return {
        "id": asset.id,
        "title": asset.title,
        "description": asset.description,
        "type": asset.asset_type.value,
        "status": asset.status.value,
        "personas": [p.name for p in asset.personas],
        "stages": [s.name for s in asset.stages],
        "tags": [t.name for t in asset.tags],
        "expires_on": _iso(asset.expires_on),
        "link_url": asset.link_url,
        "file": (
            {
                "filename": version.filename,
                "mime_type": version.mime_type,
                "size": version.size,
                "version": version.number,
            }
            if version
            else None
        ),
        "updated_at": _iso(asset.updated_at),
        "url": url_for("library.asset", asset_id=asset.id, _external=True),
    }


def use_json(use: DealAsset) -> dict:
    return {
        "id": use.id,
        "deal_id": use.deal_id,
        "asset_id": use.asset_id,
        "source": use.source.value,
        "used_at": _iso(use.used_at),
        "note": use.note,
        "user_id": use.user_id,
        "share_id": use.share_id,
    }
