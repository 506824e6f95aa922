"""The Whoosh search index over assets: keep it in step with the database, rebuild it, search it.

Writers in every process serialise on one file lock; an update that cannot get the lock in time is queued
in a file beside the index and applied by the next writer or search, so no change is lost.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TypeVar

from flask import current_app

from hub.index import _query
from hub.index import _ranking
from hub.index import _snapshot
from hub.index import _text
from hub.index import _writer
from hub.index._query import SORTS
from hub.index._query import Filters
from hub.index._query import Hit
from hub.index._query import Page
from hub.index._query import clean
from hub.index._schema import day_number
from hub.index._schema import to_document
from hub.index._writer import IndexLockTimeout
from hub.models import Asset
from hub.models import utcnow

__all__ = [
    "SORTS",
    "Filters",
    "Hit",
    "IndexLockTimeout",
    "Page",
    "clean",
    "delete_asset",
    "ensure_index",
    "rebuild",
    "remembered",
    "search",
    "suggest",
    "update_asset",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
# spelling suggestions remembered per snapshot, by what was typed
SUGGESTIONS_KEPT = 2048
# results pages (and their HTML) remembered per snapshot: a few MB per worker at most
REMEMBERED_KEPT = 512


def _dir() -> str:
    return str(current_app.config["HUB_INDEX_DIR"])


def _options() -> dict:
    config = current_app.config
    return {
        "timeout": float(config["HUB_INDEX_LOCK_TIMEOUT"]),
        "excerpt_chars": int(config["HUB_SEARCH_EXCERPT_CHARS"]),
    }


def _write(change, asset_id: int) -> None:
    index_dir = _dir()
    try:
        _writer.write(index_dir, change, **_options())
    except Exception:
        # the database change is already committed; queue the id so the next writer applies it
        log.exception("index write for asset %s deferred", asset_id)
        _writer.enqueue(index_dir, [asset_id])


def update_asset(asset: Asset) -> None:
    """Add or replace one asset's document (call after the change is committed)."""
    document = to_document(asset, excerpt_chars=_options()["excerpt_chars"])
    _write(lambda writer: writer.update_document(**document), asset.id)


def delete_asset(asset_id: int) -> None:
    """Remove one asset's document."""
    _write(lambda writer: writer.delete_by_term("id", str(asset_id)), asset_id)


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the database; returns the number of assets indexed."""
    index_dir = _dir()
    count = _writer.rebuild(index_dir, progress=progress, **_options())
    _snapshot.forget(index_dir)
    return count


def ensure_index() -> bool:
    """Rebuild when the index is missing, unreadable or from another schema version; True if it was rebuilt."""
    index_dir = _dir()
    if Path(_writer.pending_path(index_dir)).exists():
        try:
            _writer.write(index_dir, lambda writer: None, **_options())
        except Exception:
            log.exception("applying queued index updates failed; will retry")
    return _writer.ensure(index_dir, **_options())


def _snap() -> _snapshot.Snapshot:
    index_dir = _dir()
    # two stat calls instead of reading the version file and listing the folder on every search
    stamp = _snapshot.stamp(index_dir, _writer.pending_path(index_dir))
    snap = _snapshot.settled(index_dir, stamp)
    if snap is not None:
        return snap
    ensure_index()
    try:
        return _snapshot.current(index_dir, stamp)
    except Exception:
        # unreadable (half-written, damaged): start over from the database
        log.exception("search index at %s unreadable; rebuilding", index_dir)
        _snapshot.forget(index_dir)
        _writer.rebuild(index_dir, **_options())
        return _snapshot.current(index_dir)


def search(
    text: str,
    filters: Filters | None = None,
    *,
    sort: str = "best",
    page: int = 1,
    per_page: int = 20,
    performance: Mapping[int, float] | None = None,
    metric: Mapping[int, float] | None = None,
    metric_token: str = "",
    today: date | None = None,
) -> Page:
    """One page of results for what a user typed; never raises on odd query syntax."""
    config = current_app.config
    text = clean(text)
    sort = sort if sort in SORTS else "best"
    options = {
        "sort": sort,
        "page": max(1, page),
        "per_page": per_page,
        "today": day_number(today or utcnow().date()),
        "depth": int(config["HUB_RANK_DEPTH"]),
        "performance": performance or {},
        "weight": float(config["HUB_RANK_PERFORMANCE_WEIGHT"]),
        "metric": metric or {},
        "metric_token": metric_token,
    }
    filters = filters or Filters()
    try:
        return _run(_snap(), text, filters, options)
    except Exception:
        # a damaged segment shows up on first read: rebuild once and answer from the new index
        log.exception("search failed on the index at %s; rebuilding", _dir())
    try:
        _snapshot.forget(_dir())
        _writer.rebuild(_dir(), **_options())
        return _run(_snapshot.current(_dir()), text, filters, options)
    except Exception:
        log.exception("search index at %s still unusable after a rebuild", _dir())
        return Page(hits=[], total=0, facets={}, text=text, degraded=True)


def _run(snap: _snapshot.Snapshot, text: str, filters: Filters, options: dict) -> Page:
    with snap.lock:
        return _query.run(snap, text, filters, **options)


def remembered(key, build: Callable[[], T], keep: Callable[[T], bool] = lambda _value: True) -> T:
    """build(), remembered with the index as it is now, so any change to the index forgets it.

    For what follows from the index and `key` alone, such as a results page: reps search for the same
    few things all day, and each worker then answers a popular search once per change of the library.
    `keep` says whether a value may be remembered (not a page the index could only half answer).
    """
    try:
        snap = _snap()
    except Exception:
        log.exception("search index unreadable; answering without remembered results")
        return build()
    with snap.lock:
        cache = snap._memo(("remembered",), OrderedDict)
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
    # built outside the lock: building may search this very snapshot
    value = build()
    if keep(value):
        with snap.lock:
            _ranking.keep_recent(cache, key, lambda: value, REMEMBERED_KEPT)
    return value


def suggest(text: str) -> str | None:
    """A corrected spelling of `text` from the words in titles and document text, or None."""
    text = clean(text)
    if not text:
        return None
    try:
        snap = _snap()
        with snap.lock:
            # "" stands for "no suggestion", so known words are remembered as well
            found = _ranking.keep_recent(
                snap._memo(("suggestions",), OrderedDict),
                text,
                lambda: _text.suggest(snap, text) or "",
                SUGGESTIONS_KEPT,
            )
        return found or None
    except Exception:
        log.exception("spelling suggestion failed for %r", text)
        return None
