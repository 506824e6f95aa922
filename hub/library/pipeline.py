"""The ordered upload steps: read → (checked by the caller) → extract → store the blob → stage rows → commit.

If anything fails before the commit lands, the session is rolled back and bytes this upload wrote are
deleted, so there is never an orphan blob or a half-written row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO
from typing import TypeVar

from flask import current_app
from sqlalchemy.exc import IntegrityError

from hub.extensions import db
from hub.extract import Extraction
from hub.extract import Limits
from hub.extract import extract
from hub.library import blobs
from hub.models import Asset
from hub.models import AssetVersion
from hub.models import ExtractionStatus
from hub.models import User
from hub.uploads import CheckedFile

T = TypeVar("T")


def max_upload_bytes() -> int:
    return current_app.config["HUB_MAX_UPLOAD_MB"] * 1024 * 1024


def max_expanded_bytes() -> int:
    """How large an Office file may be once unzipped; beyond it the file is a zip bomb, not a document."""
    return current_app.config["HUB_MAX_EXPANDED_MB"] * 1024 * 1024


def extract_limits() -> Limits:
    config = current_app.config
    return Limits(
        seconds=config["HUB_EXTRACT_SECONDS"],
        memory_mb=config["HUB_EXTRACT_MEMORY_MB"],
        max_chars=config["HUB_EXTRACT_MAX_CHARS"],
    )


def store_and_commit(payload: bytes, checked: CheckedFile, build: Callable[[str, Extraction], T]) -> T:
    """Extract, store the blob, let `build` stage the rows, commit; on failure roll back and drop new bytes.

    A unique-key clash with a parallel upload (the same new file, the same next version number)
    is retried once, and the retry sees the other upload's committed rows.
    """
    if not (db.session.new or db.session.dirty or db.session.deleted):
        # parsing may take HUB_EXTRACT_SECONDS: end the read transaction first, so no connection sits
        # idle in a transaction on PostgreSQL (or keeps SQLite's snapshot) meanwhile
        db.session.commit()
    extraction = extract(payload, checked.mime_type, extract_limits())
    attempts = 2
    while True:
        attempts -= 1
        stored = blobs.store(payload, checked.mime_type)
        try:
            result = build(stored.blob.sha256, extraction)
            db.session.commit()
            return result
        except BaseException as exc:
            db.session.rollback()
            blobs.discard_after_failure(stored.blob.sha256, stored.written)
            if not isinstance(exc, IntegrityError) or attempts == 0:
                raise


def extraction_note(version: AssetVersion) -> str:
    """A sentence for the uploader when the text could be read only in part or not at all."""
    if version.extraction_status == ExtractionStatus.FAILED:
        reason = f" ({version.extraction_error.rstrip('.')})" if version.extraction_error else ""
        return f" Its text could not be read{reason}, so search will not find it by its content."
    if version.extraction_status == ExtractionStatus.OK and version.extraction_error:
        return f" {version.extraction_error}"
    return ""


def read_payload(data: bytes | BinaryIO) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    # one byte over the limit is enough to refuse the file without reading all of it
    return data.read(max_upload_bytes() + 1)


def new_version(
    asset: Asset,
    number: int,
    sha: str,
    checked: CheckedFile,
    payload: bytes,
    extraction: Extraction,
    uploaded_by: User | None,
    note: str | None,
) -> AssetVersion:
    """Stage a version row; page_count is known for paged formats the extractor could open."""
    version = AssetVersion(
        asset=asset,
        number=number,
        blob_sha256=sha,
        filename=checked.display_name,
        mime_type=checked.mime_type,
        size=len(payload),
        page_count=extraction.page_count or None,
        extracted_text=extraction.text or None,
        extraction_status=extraction.status,
        extraction_error=extraction.error,
        note=(note or "").strip()[:500] or None,
        uploaded_by=uploaded_by,
    )
    db.session.add(version)
    return version
