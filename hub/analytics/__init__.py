"""Report queries: every number the reports show is computed here, in SQL aggregates."""

from __future__ import annotations

from hub.analytics.influence import AssetOutcome
from hub.analytics.influence import asset_outcomes
from hub.analytics.influence import usage_counts

__all__ = ["AssetOutcome", "asset_outcomes", "usage_counts"]
