"""Collateral workflows: upload, link, new version, edit, archive, restore, delete.

Every upload runs the same ordered steps: check the file → extract its text → store the blob →
commit the rows → update the search index. If anything before the commit fails, the rows are
rolled back and bytes written by this upload are deleted, so nothing is left half done.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import BinaryIO

from sqlalchemy import func
from sqlalchemy import select

from hub import audit
from hub import index
from hub.extensions import db
from hub.extract import Extraction
from hub.library import blobs
from hub.library import pipeline
from hub.library.links import check_url
from hub.library.terms import set_terms
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import AssetType
from hub.models import AssetVersion
from hub.models import User
from hub.models import utcnow
from hub.uploads import UploadRejected
from hub.uploads import check_file
from hub.uploads import title_from_filename

__all__ = [
    "UploadRejected",
    "add_version",
    "archive_asset",
    "create_file_asset",
    "create_link_asset",
    "delete_asset",
    "restore_asset",
    "reindex_assets",
    "update_asset",
]

log = logging.getLogger(__name__)
EDITABLE = {
    "title",
    "description",
    "asset_type",
    "owner",
    "persona_ids",
    "stage_ids",
    "tags",
    "expires_on",
    "link_url",
}


def create_file_asset(
    *,
    data: bytes | BinaryIO,
    filename: str,
    title: str | None,
    owner: User | None,
    uploaded_by: User | None,
    description: str | None = None,
    asset_type: AssetType = AssetType.OTHER,
    persona_ids: Iterable[int] = (),
    stage_ids: Iterable[int] = (),
    tags: Iterable[str] = (),
    expires_on: date | None = None,
) -> Asset:
    """Store a new file asset with its first version; raises UploadRejected for refused files."""
    payload = pipeline.read_payload(data)
    checked = check_file(
        payload, filename, max_bytes=pipeline.max_upload_bytes(), max_expanded=pipeline.max_expanded_bytes()
    )

    def build(sha: str, extraction: Extraction) -> Asset:
        asset = Asset(
            title=_clean_title(title) or title_from_filename(checked.display_name),
            description=_clean_text(description),
            asset_type=AssetType(asset_type),
            owner=owner,
            expires_on=expires_on,
        )
        set_terms(asset, persona_ids, stage_ids, tags)
        version = pipeline.new_version(asset, 1, sha, checked, payload, extraction, uploaded_by, None)
        db.session.add(asset)
        db.session.flush()
        asset.current_version = version
        audit.log(
            "asset.upload",
            user_id=uploaded_by.id if uploaded_by else None,
            target_type="asset",
            target_id=asset.id,
            detail=f"{asset.title} ({checked.display_name}, {len(payload)} bytes)",
        )
        return asset

    asset = pipeline.store_and_commit(payload, checked, build)
    _reindex(asset)
    return asset


def create_link_asset(
    *,
    url: str,
    title: str,
    owner: User | None,
    created_by: User | None,
    description: str | None = None,
    asset_type: AssetType = AssetType.VIDEO_LINK,
    persona_ids: Iterable[int] = (),
    stage_ids: Iterable[int] = (),
    tags: Iterable[str] = (),
    expires_on: date | None = None,
) -> Asset:
    """A link (video, web page) kept as an asset; raises UploadRejected for a URL that is not http(s)."""
    clean_url = check_url(url)
    asset = Asset(
        title=_clean_title(title) or clean_url[:200],
        description=_clean_text(description),
        asset_type=AssetType(asset_type),
        owner=owner,
        expires_on=expires_on,
        link_url=clean_url,
    )
    set_terms(asset, persona_ids, stage_ids, tags)
    db.session.add(asset)
    db.session.flush()
    audit.log(
        "asset.link",
        user_id=created_by.id if created_by else None,
        target_type="asset",
        target_id=asset.id,
        detail=f"{asset.title} ({clean_url})",
    )
    db.session.commit()
    _reindex(asset)
    return asset


def add_version(
    asset: Asset, *, data: bytes | BinaryIO, filename: str, uploaded_by: User | None, note: str | None = None
) -> AssetVersion:
    """Replace the asset's file with a new version; older versions stay downloadable."""
    if asset.is_link:
        raise UploadRejected("This asset is a link; edit its address instead of uploading a file.")
    payload = pipeline.read_payload(data)
    checked = check_file(
        payload, filename, max_bytes=pipeline.max_upload_bytes(), max_expanded=pipeline.max_expanded_bytes()
    )

    def build(sha: str, extraction: Extraction) -> AssetVersion:
        latest = select(func.max(AssetVersion.number)).where(AssetVersion.asset_id == asset.id)
        number = (db.session.scalar(latest) or 0) + 1
        version = pipeline.new_version(asset, number, sha, checked, payload, extraction, uploaded_by, note)
        db.session.flush()
        asset.current_version = version
        asset.updated_at = utcnow()
        audit.log(
            "asset.version",
            user_id=uploaded_by.id if uploaded_by else None,
            target_type="asset",
            target_id=asset.id,
            detail=f"version {number}: {checked.display_name}" + (f" ({note})" if note else ""),
        )
        return version

    version = pipeline.store_and_commit(payload, checked, build)
    _reindex(asset)
    return version


def update_asset(asset: Asset, *, acting: User, **fields) -> Asset:
    """Change metadata; only the given fields change. Unknown fields are a programming error."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"cannot edit {', '.join(sorted(unknown))}")
    changed = []
    if "title" in fields:
        title = _clean_title(fields["title"])
        if not title:
            raise ValueError("A title is required.")
        changed += _assign(asset, "title", title)
    if "description" in fields:
        changed += _assign(asset, "description", _clean_text(fields["description"]))
    if "asset_type" in fields:
        changed += _assign(asset, "asset_type", AssetType(fields["asset_type"]))
    if "owner" in fields:
        changed += _assign(asset, "owner", fields["owner"])
    if "expires_on" in fields:
        changed += _assign(asset, "expires_on", fields["expires_on"])
    if "link_url" in fields and asset.is_link:
        changed += _assign(asset, "link_url", check_url(fields["link_url"]))
    before = ([p.id for p in asset.personas], [s.id for s in asset.stages], [t.name for t in asset.tags])
    set_terms(asset, fields.get("persona_ids"), fields.get("stage_ids"), fields.get("tags"))
    after = ([p.id for p in asset.personas], [s.id for s in asset.stages], [t.name for t in asset.tags])
    changed += [
        name
        for name, old, new in zip(("personas", "stages", "tags"), before, after, strict=True)
        if old != new
    ]
    if changed:
        asset.updated_at = utcnow()
        audit.log(
            "asset.edit",
            user_id=acting.id,
            target_type="asset",
            target_id=asset.id,
            detail=", ".join(changed),
        )
    db.session.commit()
    if changed:
        _reindex(asset)
    return asset


def archive_asset(asset: Asset, acting: User) -> Asset:
    if not asset.is_archived:
        asset.status = AssetStatus.ARCHIVED
        asset.archived_at = utcnow()
        audit.log(
            "asset.archive", user_id=acting.id, target_type="asset", target_id=asset.id, detail=asset.title
        )
        db.session.commit()
        _reindex(asset)
    return asset


def restore_asset(asset: Asset, acting: User) -> Asset:
    if asset.is_archived:
        asset.status = AssetStatus.PUBLISHED
        asset.archived_at = None
        audit.log(
            "asset.restore", user_id=acting.id, target_type="asset", target_id=asset.id, detail=asset.title
        )
        db.session.commit()
        _reindex(asset)
    return asset


def delete_asset(asset: Asset, acting: User) -> None:
    """Remove the asset, its versions and any blob no other asset uses (admins only)."""
    if not acting.is_admin:
        raise PermissionError("Only administrators can delete assets.")
    asset_id = asset.id
    shas = {version.blob_sha256 for version in asset.versions}
    asset.current_version = None
    db.session.flush()
    db.session.delete(asset)
    db.session.flush()
    keys = blobs.drop_unreferenced(shas)
    audit.log("asset.delete", user_id=acting.id, target_type="asset", target_id=asset_id, detail=asset.title)
    db.session.commit()
    blobs.delete_keys(keys)
    try:
        index.delete_asset(asset_id)
    except Exception:
        log.exception("search index: could not remove asset %s", asset_id)


def _assign(asset: Asset, name: str, value) -> list[str]:
    if getattr(asset, name) == value:
        return []
    setattr(asset, name, value)
    return [name]


def _clean_title(value: str | None) -> str:
    return " ".join((value or "").split())[:200]


def _clean_text(value: str | None, limit: int | None = None) -> str | None:
    text = (value or "").strip()
    if limit:
        text = text[:limit]
    return text or None


def reindex_assets(assets: Iterable[Asset]) -> None:
    """Refresh the search documents of assets whose related names changed (a renamed persona, say)."""
    for asset in assets:
        _reindex(asset)


def _reindex(asset: Asset) -> None:
    # the rows are committed; a search-index failure is logged and repaired by rebuilding the index
    try:
        index.update_asset(asset)
    except Exception:
        log.exception("search index: could not update asset %s", asset.id)
