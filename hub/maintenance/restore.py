"""Bringing a backup archive back on an empty instance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import inspect

from hub import audit
from hub import index
from hub.extensions import db
from hub.maintenance import tables as tbl
from hub.maintenance.backup import BackupError
from hub.maintenance.backup import read_manifest
from hub.maintenance.backup import scratch_dir
from hub.maintenance.backup import stream_archive
from hub.storage import blob_key
from hub.storage import get_storage


@dataclass
class RestoreResult:
    rows: dict[str, int]
    files: int
    indexed: int


def _existing_data() -> tuple[int, bool]:
    with db.engine.connect() as conn:
        rows = sum(tbl.row_counts(conn).values())
    has_files = next(iter(get_storage().keys("blobs/")), None) is not None
    return rows, has_files


def _prepare_schema(revision: str | None, progress: tbl.Progress) -> None:
    """Create the schema at the backup's revision on an empty database; refuse a mismatched one."""
    present = set(inspect(db.engine).get_table_names())
    if not present & {t.name for t in tbl.tables()}:
        progress(f"Creating the database schema (revision {revision or 'head'})")
        upgrade(revision=revision or "head")
        return
    with db.engine.connect() as conn:
        current = tbl.schema_revision(conn)
    if revision and current and revision != current:
        raise BackupError(
            f"The backup was made at schema revision {revision} but this database is at {current}. "
            "Restore into an empty database: Hub creates the right schema itself."
        )


def restore_backup(path: Path, *, force: bool = False, progress: tbl.Progress = print) -> RestoreResult:
    """Load an archive made by create_backup; the instance must be empty unless force is set.

    Files go to storage first, then every row is inserted in one transaction, so a failed restore
    leaves no half-loaded database (only files, which `check --repair` removes). The search index
    is rebuilt from the restored rows at the end.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    manifest = read_manifest(path)
    rows, has_files = _existing_data()
    if (rows or has_files) and not force:
        what = f"{rows} database rows" if rows else "stored files"
        raise BackupError(
            f"This instance is not empty ({what}). Restore into an empty instance, "
            "or pass --force to replace everything in it."
        )
    _prepare_schema(manifest.get("schema_revision"), progress)

    storage = get_storage()
    dumps: dict[str, Path] = {}
    files = 0
    with scratch_dir(path.resolve().parent) as scratch:
        progress(f"Reading {path.name} (made {manifest['created_at']} on {manifest['engine']})")
        for kind, name, source in stream_archive(path, Path(scratch), progress):
            if kind == "table":
                dumps[name] = source
                continue
            with source.open("rb") as fh:
                storage.put(blob_key(name), fh)
            files += 1
            if files % 100 == 0 or files == manifest["files"]:
                progress(f"  files: {files}/{manifest['files']}")
        unknown = set(dumps) - {t.name for t in tbl.tables()}
        if unknown:
            raise BackupError(f"The backup has tables this version of Hub does not know: {sorted(unknown)}")
        loaded = _load_rows(dumps, manifest, force, path.name, progress)

    if manifest.get("schema_revision"):
        upgrade(revision="head")
    progress("Rebuilding the search index")
    indexed = index.rebuild()
    progress(f"  indexed {indexed} assets")
    return RestoreResult(loaded, files, indexed)


def _load_rows(dumps: dict[str, Path], manifest: dict, force: bool, name: str, progress) -> dict[str, int]:
    order = tbl.tables()
    loaded: dict[str, int] = {}
    with db.engine.begin() as conn:
        if force:
            progress("Removing the existing rows")
            tbl.clear_all(conn)
        pending = []
        for table in order:
            if table.name not in dumps:
                continue
            with dumps[table.name].open(encoding="utf-8") as lines:
                count, later = tbl.load_table(conn, table, lines, tbl.deferred_columns(table, order))
            pending.append((table, later))
            loaded[table.name] = count
            expected = manifest["rows"].get(table.name)
            if expected is not None and expected != count:
                raise BackupError(f"table {table.name}: expected {expected} rows, the archive has {count}")
            progress(f"  table {table.name}: {count} rows")
        for table, later in pending:
            tbl.apply_deferred(conn, table, later)
        tbl.reset_sequences(conn)
    audit.log("system.restore", user_id=None, target_type="backup", detail=f"restored {name}")
    db.session.commit()
    return loaded
