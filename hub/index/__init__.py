"""The Whoosh search index over assets."""

from __future__ import annotations

from hub.models import Asset


def update_asset(asset: Asset) -> None:
    """Add or replace one asset's document."""


def delete_asset(asset_id: int) -> None:
    """Remove one asset's document."""
