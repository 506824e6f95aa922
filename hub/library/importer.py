"""Bulk import of a folder of existing collateral, each file through the normal upload pipeline."""

from __future__ import annotations

import csv
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select

from hub import audit
from hub.extensions import db
from hub.library import blobs
from hub.library import pipeline
from hub.library import service
from hub.models import AssetType
from hub.models import Persona
from hub.models import Stage
from hub.models import User
from hub.storage import StorageError
from hub.uploads import UploadRejected

MANIFEST_COLUMNS = (
    "path",
    "title",
    "description",
    "personas",
    "stages",
    "type",
    "tags",
    "owner",
    "expires_on",
)


class ImportProblem(ValueError):
    """The import cannot start (bad folder, bad manifest, unknown name); the message says what to fix."""


@dataclass
class ImportItem:
    path: Path
    title: str | None = None
    description: str | None = None
    persona_ids: list[int] = field(default_factory=list)
    stage_ids: list[int] = field(default_factory=list)
    asset_type: AssetType = AssetType.OTHER
    tags: list[str] = field(default_factory=list)
    owner: User | None = None
    expires_on: date | None = None


@dataclass
class ImportResult:
    path: str
    status: str  # imported, duplicate, rejected
    message: str
    asset_id: int | None = None


def resolve_terms(model: type[Persona] | type[Stage], names: list[str]) -> list[int]:
    ids = []
    for name in names:
        term = db.session.scalar(select(model).where(func.lower(model.name) == name.strip().lower()))
        if term is None:
            kind = "persona" if model is Persona else "stage"
            raise ImportProblem(f"Unknown {kind} {name!r}. Add it on the Personas & stages page first.")
        ids.append(term.id)
    return ids


def resolve_owner(email: str | None) -> User | None:
    if not email:
        return None
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise ImportProblem(f"No user with the email {email!r}.")
    return user


def resolve_type(value: str | None) -> AssetType:
    if not value:
        return AssetType.OTHER
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return AssetType(key)
    except ValueError:
        allowed = ", ".join(t.value for t in AssetType)
        raise ImportProblem(f"Unknown type {value!r}. Use one of: {allowed}.") from None


def folder_items(folder: Path, template: ImportItem) -> list[ImportItem]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [ImportItem(**{**template.__dict__, "path": path}) for path in files]


def _inside(folder: Path, path: Path) -> bool:
    """True when the path, links followed, stays in the folder being imported."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def manifest_items(folder: Path, manifest: Path) -> list[ImportItem]:
    def split(value: str | None) -> list[str]:
        return [part.strip() for part in (value or "").replace("|", ";").split(";") if part.strip()]

    try:
        with manifest.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportProblem(f"Cannot read the manifest {manifest}: {exc}") from exc
    if rows and "path" not in rows[0]:
        raise ImportProblem(
            f"The manifest needs a header row with the columns {', '.join(MANIFEST_COLUMNS)}."
        )
    items = []
    for line, row in enumerate(rows, start=2):
        try:
            expires = (row.get("expires_on") or "").strip()
            items.append(
                ImportItem(
                    path=folder / (row.get("path") or "").strip(),
                    title=(row.get("title") or "").strip() or None,
                    description=(row.get("description") or "").strip() or None,
                    persona_ids=resolve_terms(Persona, split(row.get("personas"))),
                    stage_ids=resolve_terms(Stage, split(row.get("stages"))),
                    asset_type=resolve_type(row.get("type")),
                    tags=split(row.get("tags"))
                    or [t.strip() for t in (row.get("tags") or "").split(",") if t.strip()],
                    owner=resolve_owner(row.get("owner")),
                    expires_on=date.fromisoformat(expires) if expires else None,
                )
            )
        except ValueError as exc:
            raise ImportProblem(f"Manifest line {line}: {exc}") from exc
    return items


def run_import(
    folder: Path,
    items: list[ImportItem],
    acting: User | None,
    progress: Callable[[int, int, ImportResult], None],
) -> list[ImportResult]:
    results = []
    for number, item in enumerate(items, start=1):
        result = _import_one(folder, item, acting)
        results.append(result)
        progress(number, len(items), result)
    counts = {s: sum(1 for r in results if r.status == s) for s in ("imported", "duplicate", "rejected")}
    audit.log(
        "library.import",
        user_id=acting.id if acting else None,
        target_type="folder",
        target_id=_printable(str(folder))[:64],
        detail=", ".join(f"{n} {s}" for s, n in counts.items()),
    )
    db.session.commit()
    return results


def _import_one(folder: Path, item: ImportItem, acting: User | None) -> ImportResult:
    shown = _relative(folder, item.path)
    if not _inside(folder, item.path):
        return ImportResult(shown, "rejected", "outside the folder being imported (a link or ../ path)")
    if not item.path.is_file():
        return ImportResult(shown, "rejected", "file not found")
    limit = pipeline.max_upload_bytes()
    try:
        # the size is checked before reading, so a huge file in the folder is never loaded into memory
        if item.path.stat().st_size > limit:
            return ImportResult(
                shown, "rejected", f"too large; the limit is {limit // (1024 * 1024)} MB per file"
            )
        data = item.path.read_bytes()
    except OSError as exc:
        return ImportResult(shown, "rejected", f"cannot read the file: {exc.strerror}")
    existing = blobs.first_asset_with(blobs.sha256_of(data))
    if existing is not None:
        return ImportResult(shown, "duplicate", f"same file as asset #{existing}", existing)
    try:
        asset = service.create_file_asset(
            data=data,
            filename=_printable(item.path.name),
            title=item.title,
            owner=item.owner,
            uploaded_by=acting,
            description=item.description,
            asset_type=item.asset_type,
            persona_ids=item.persona_ids,
            stage_ids=item.stage_ids,
            tags=item.tags,
            expires_on=item.expires_on,
        )
    except UploadRejected as exc:
        return ImportResult(shown, "rejected", str(exc))
    except StorageError as exc:
        return ImportResult(shown, "rejected", f"the file store failed: {exc}")
    note = pipeline.extraction_note(asset.current_version)
    if not note and not asset.current_version.extracted_text:
        note = " No text could be extracted."
    return ImportResult(shown, "imported", f"asset #{asset.id} “{asset.title}”.{note}", asset.id)


def _relative(folder: Path, path: Path) -> str:
    try:
        return _printable(path.relative_to(folder).as_posix())
    except ValueError:
        return _printable(str(path))


def _printable(name: str) -> str:
    """A file name whose bytes are not UTF-8 (old archives, network shares), with � for what cannot be read."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def iter_summary(results: list[ImportResult]) -> Iterator[tuple[str, int]]:
    for status in ("imported", "duplicate", "rejected"):
        yield status, sum(1 for r in results if r.status == status)
