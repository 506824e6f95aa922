"""The search index compared with the database: missing, stale and extra documents, leftover builds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from whoosh import index as whoosh_index

from hub import index
from hub.extensions import db
from hub.index._schema import timestamp
from hub.models import Asset

# above this share of assets out of step, one rebuild is cheaper than document-by-document repair
REBUILD_SHARE = 0.2


def stored_documents(index_dir: str) -> dict[int, int]:
    """asset id -> the `updated` stamp of its document; raises when the index cannot be read."""
    ix = whoosh_index.open_dir(index_dir)
    with ix.searcher() as searcher:
        return {int(fields["id"]): int(fields.get("updated") or 0) for fields in searcher.all_stored_fields()}


def database_stamps() -> dict[int, int]:
    return {
        asset_id: timestamp(updated)
        for asset_id, updated in db.session.execute(select(Asset.id, Asset.updated_at))
    }


def status() -> dict:
    """For /health: readable, and how many documents against how many assets."""
    index_dir = current_app.config["HUB_INDEX_DIR"]
    assets = db.session.scalar(select(db.func.count(Asset.id))) or 0
    if not whoosh_index.exists_in(index_dir):
        # an instance without assets has nothing to index yet
        return {"status": "ok" if assets == 0 else "error", "documents": 0, "assets": assets}
    documents = whoosh_index.open_dir(index_dir).doc_count()
    return {"status": "ok", "documents": documents, "assets": assets}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftover_builds(report, repair: bool, index_dir: str) -> None:
    """Half-built or swapped-out index folders a killed rebuild left beside the live one."""
    target = Path(index_dir)
    if not target.parent.exists():
        return
    for path in target.parent.glob(f"{target.name}.*-*"):
        kind, _, pid = path.name[len(target.name) + 1 :].partition("-")
        if kind not in ("new", "old") or not pid.isdigit() or not path.is_dir():
            continue
        alive = _pid_alive(int(pid))
        done = repair and not alive
        if done:
            shutil.rmtree(path, ignore_errors=True)
        note = " (its process is still running)" if alive else ""
        report.add("index_leftover", f"leftover index folder {path.name}{note}", done)


def check(report, repair: bool, progress) -> None:
    index_dir = current_app.config["HUB_INDEX_DIR"]
    _leftover_builds(report, repair, index_dir)
    expected = database_stamps()
    try:
        found = stored_documents(index_dir) if whoosh_index.exists_in(index_dir) else None
    except Exception as exc:  # any failure to read means the index must be rebuilt
        report.add("index_unreadable", f"the search index cannot be read ({exc.__class__.__name__}: {exc})")
        found = None
        if not repair:
            return
    if found is None:
        if not expected:
            return
        if not report.of_kind("index_unreadable"):
            report.add("index_missing", f"the search index is missing ({len(expected)} assets to index)")
        if repair:
            _rebuild(report, progress)
        return
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    stale = sorted(i for i in set(expected) & set(found) if expected[i] != found[i])
    for label, ids in (
        ("not indexed", missing),
        ("out of date", stale),
        ("deleted but still indexed", extra),
    ):
        if ids:
            shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
            report.add("index_out_of_step", f"{len(ids)} assets {label}: {shown}")
    if not repair or not (missing or stale or extra):
        return
    if len(missing) + len(stale) + len(extra) > max(10, REBUILD_SHARE * len(expected)):
        _rebuild(report, progress)
        return
    for asset_id in missing + stale:
        asset = db.session.get(Asset, asset_id)
        if asset is not None:
            index.update_asset(asset)
    for asset_id in extra:
        index.delete_asset(asset_id)
    for finding in report.of_kind("index_out_of_step"):
        finding.repaired = True
    progress(f"  reindexed {len(missing) + len(stale)} assets, removed {len(extra)} documents")


def _rebuild(report, progress) -> None:
    progress("  rebuilding the search index from the database")
    count = index.rebuild()
    for finding in report.findings:
        if finding.kind.startswith("index_") and finding.kind != "index_leftover":
            finding.repaired = True
    progress(f"  indexed {count} assets")
