"""Per-asset performance for ranking and badges, and taxonomy names, kept briefly in memory (HUB_RANK_STATS_TTL)."""

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from hub.analytics.influence import AssetOutcome
from hub.analytics.influence import asset_outcomes
from hub.analytics.influence import usage_counts
from hub.extensions import db
from hub.models import AssetType
from hub.models import Persona
from hub.models import Stage
from hub.models import utcnow

_lock = threading.Lock()
_cache: dict[str, tuple[float, Stats]] = {}
# one token per computation: results and sort orders remembered for one set of figures are never
# served for another, however close together they were computed
_tokens = itertools.count(1)


@dataclass(frozen=True)
class Stats:
    outcomes: dict[int, AssetOutcome]
    usage: dict[int, int]
    # 0..1 per asset: proven win rate and usage blended by HUB_RANK_USAGE_SHARE
    performance: dict[int, float]
    # sort keys: proven win rates rank above every unproven asset
    win_key: dict[int, float]
    usage_key: dict[int, float]
    # names this set of figures, for what is remembered alongside it
    token: str
    # names of personas and stages by id (as strings, like the index), and type labels by value
    labels: dict[str, dict[str, str]]

    def outcome(self, asset_id: int) -> AssetOutcome | None:
        return self.outcomes.get(asset_id)

    def uses(self, asset_id: int) -> int:
        return self.usage.get(asset_id, 0)


def compute() -> Stats:
    config = current_app.config
    since = utcnow() - timedelta(days=int(config["HUB_RANK_USAGE_DAYS"]))
    outcomes = asset_outcomes()
    usage = usage_counts(since=since)
    usage_share = min(1.0, max(0.0, float(config["HUB_RANK_USAGE_SHARE"])))
    top_usage = math.log1p(max(usage.values(), default=0)) or 1.0
    performance: dict[int, float] = {}
    win_key: dict[int, float] = {}
    for asset_id in set(outcomes) | set(usage):
        outcome = outcomes.get(asset_id)
        proven = outcome is not None and outcome.sufficient and outcome.win_rate is not None
        win = outcome.win_rate if proven else 0.0
        used = math.log1p(usage.get(asset_id, 0)) / top_usage
        performance[asset_id] = (1.0 - usage_share) * win + usage_share * used
        if proven:
            win_key[asset_id] = 1.0 + win + min(outcome.closed, 999) / 1e6
    usage_key = {asset_id: float(count) for asset_id, count in usage.items()}
    labels = {
        "personas": {str(p.id): p.name for p in db.session.scalars(select(Persona))},
        "stages": {str(s.id): s.name for s in db.session.scalars(select(Stage))},
        "type": {t.value: t.label for t in AssetType},
    }
    return Stats(outcomes, usage, performance, win_key, usage_key, str(next(_tokens)), labels)


def current() -> Stats:
    """Stats at most HUB_RANK_STATS_TTL seconds old (0 recomputes on every call)."""
    ttl = float(current_app.config["HUB_RANK_STATS_TTL"])
    key = str(current_app.config["SQLALCHEMY_DATABASE_URI"]) + "|" + str(current_app.config["HUB_INDEX_DIR"])
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and ttl > 0 and now - cached[0] < ttl:
        return cached[1]
    stats = compute()
    with _lock:
        _cache[key] = (now, stats)
    return stats


def clear() -> None:
    with _lock:
        _cache.clear()
