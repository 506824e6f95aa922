"""Content-addressed blobs: store once per sha256, and remove a blob only when no version uses it."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select

from hub.extensions import db
from hub.models import AssetVersion
from hub.models import Blob
from hub.storage import blob_key
from hub.storage import get_storage

log = logging.getLogger(__name__)


@dataclass
class StoredBlob:
    blob: Blob
    # True when this call wrote the bytes, so a failed upload must take them away again
    written: bool


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(data: bytes, mime_type: str) -> StoredBlob:
    """Write the bytes unless they are already stored; the Blob row is added to the session, not committed."""
    sha = sha256_of(data)
    storage = get_storage()
    key = blob_key(sha)
    written = False
    if not storage.exists(key):
        storage.put(key, io.BytesIO(data))
        written = True
    blob = db.session.get(Blob, sha)
    if blob is None:
        blob = Blob(sha256=sha, size=len(data), mime_type=mime_type)
        db.session.add(blob)
    return StoredBlob(blob=blob, written=written)


def discard_after_failure(sha: str, written: bool) -> None:
    """After a rollback: delete bytes this upload wrote when no committed row points at them."""
    if not written:
        return
    if db.session.get(Blob, sha) is not None:
        return
    try:
        get_storage().delete(blob_key(sha))
    except Exception:  # the original error matters more; the orphan check in backups reports leftovers
        log.exception("could not remove blob %s after a failed upload", sha)


def users_of(sha: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AssetVersion).where(AssetVersion.blob_sha256 == sha)
    )


def first_asset_with(sha: str) -> int | None:
    """The oldest asset holding these exact bytes in any version."""
    return db.session.scalar(
        select(AssetVersion.asset_id)
        .where(AssetVersion.blob_sha256 == sha)
        .order_by(AssetVersion.id)
        .limit(1)
    )


def drop_unreferenced(shas: set[str]) -> list[str]:
    """Delete Blob rows no version uses (in the session); return their keys to delete after the commit."""
    keys = []
    for sha in shas:
        if users_of(sha) == 0:
            blob = db.session.get(Blob, sha)
            if blob is not None:
                db.session.delete(blob)
            keys.append(blob_key(sha))
    return keys


def delete_keys(keys: list[str]) -> None:
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:
            log.exception("could not delete %s from storage", key)
