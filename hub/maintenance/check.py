"""`check`: find and repair inconsistencies between the database, stored files and the search index."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from hub.extensions import db
from hub.maintenance import index_state
from hub.models import Asset
from hub.models import AssetVersion
from hub.models import Blob
from hub.models import utcnow
from hub.storage import blob_key
from hub.storage import get_storage
from hub.storage.local import LocalStorage

Progress = Callable[[str], None]
TEMP_PREFIX = ".tmp-"


@dataclass
class Finding:
    kind: str
    message: str
    repaired: bool = False


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    def add(self, kind: str, message: str, repaired: bool = False) -> Finding:
        finding = Finding(kind, message, repaired)
        self.findings.append(finding)
        return finding

    @property
    def unresolved(self) -> list[Finding]:
        return [f for f in self.findings if not f.repaired]

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]


def _age_seconds(storage, key: str) -> float:
    """How long ago a stored object was written (a fresh one may belong to an upload in progress)."""
    if isinstance(storage, LocalStorage):
        return time.time() - storage._path(key).stat().st_mtime
    head = storage.client.head_object(Bucket=storage.bucket, Key=storage._key(key))
    return (utcnow() - head["LastModified"].replace(tzinfo=None)).total_seconds()


def run_check(
    *, repair: bool = False, grace_seconds: float = 3600, progress: Progress = print
) -> CheckReport:
    """Compare database, storage and index; with repair, fix what can be fixed safely.

    Files are only removed when older than grace_seconds, so an upload that has written its file but
    not yet committed its rows is never mistaken for debris.
    """
    report = CheckReport()
    progress("Checking the database")
    _check_database(report)
    progress("Checking stored files")
    _check_temp_files(report, repair, grace_seconds)
    _check_storage(report, repair, grace_seconds)
    progress("Checking assets and versions")
    _check_assets(report, repair)
    progress("Checking the search index")
    index_state.check(report, repair, progress)
    return report


def _check_database(report: CheckReport) -> None:
    if db.engine.dialect.name != "sqlite":
        return
    result = db.session.execute(text("PRAGMA quick_check")).scalar()
    if result != "ok":
        report.add("database", f"SQLite integrity check failed: {result}")


def _check_temp_files(report: CheckReport, repair: bool, grace: float) -> None:
    """Half-written files a killed process left behind (local storage writes beside, then renames)."""
    storage = get_storage()
    roots: list[Path] = []
    if isinstance(storage, LocalStorage):
        roots.append(storage.root)
    now = time.time()
    for root in roots:
        for path in root.rglob(f"{TEMP_PREFIX}*"):
            if not path.is_file():
                continue
            old = now - path.stat().st_mtime >= grace
            done = repair and old
            if done:
                path.unlink(missing_ok=True)
            note = "" if old else " (recent; left alone, an upload may still be writing it)"
            report.add("temp_file", f"unfinished file {path.relative_to(root)}{note}", done)


def _check_storage(report: CheckReport, repair: bool, grace: float) -> None:
    storage = get_storage()
    known = set(db.session.scalars(select(Blob.sha256)))
    seen = set()
    for key in storage.keys("blobs/"):
        sha = key.rsplit("/", 1)[-1]
        seen.add(sha)
        if sha in known and key == blob_key(sha):
            continue
        old = _age_seconds(storage, key) >= grace
        done = repair and old
        if done:
            storage.delete(key)
        note = "" if old else " (recent; left alone, an upload may be committing it)"
        report.add("orphan_file", f"file {key} has no database row{note}", done)

    for sha in sorted(known - seen):
        versions = db.session.execute(
            select(AssetVersion.asset_id, AssetVersion.number).where(AssetVersion.blob_sha256 == sha)
        ).all()
        where = ", ".join(f"asset {a} version {n}" for a, n in versions) or "no version"
        report.add("missing_file", f"blob {sha} is in the database but its file is missing (used by {where})")

    used = select(AssetVersion.blob_sha256)
    unused = db.session.scalars(select(Blob).where(Blob.sha256.not_in(used))).all()
    for blob in unused:
        old = (utcnow() - blob.created_at).total_seconds() >= grace
        done = repair and old
        if done:
            db.session.delete(blob)
            db.session.commit()
            storage.delete(blob_key(blob.sha256))
        report.add("unused_blob", f"blob {blob.sha256} is not used by any version", done)


def _check_assets(report: CheckReport, repair: bool) -> None:
    """File assets must point at one of their own versions."""
    latest = (
        select(AssetVersion.asset_id, func.max(AssetVersion.id).label("version_id"))
        .group_by(AssetVersion.asset_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Asset, latest.c.version_id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .where(Asset.link_url.is_(None))
    ).all()
    for asset, newest in rows:
        current = asset.current_version
        if current is not None and current.asset_id == asset.id:
            continue
        if newest is None:
            report.add("asset_without_file", f"asset {asset.id} ({asset.title!r}) has no file version")
            continue
        done = False
        if repair:
            asset.current_version_id = newest
            db.session.commit()
            done = True
        report.add("asset_version", f"asset {asset.id} does not point at its latest version {newest}", done)


def describe(report: CheckReport) -> list[str]:
    lines = []
    for f in report.findings:
        mark = "repaired" if f.repaired else "found"
        lines.append(f"  [{mark}] {f.kind}: {f.message}")
    return lines
