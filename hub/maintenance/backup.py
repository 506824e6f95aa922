"""One-archive backups of the database and the stored files, and restoring them."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from hub.extensions import db
from hub.maintenance import tables as tbl
from hub.models import Blob
from hub.models import utcnow
from hub.storage import StorageError
from hub.storage import blob_key
from hub.storage import get_storage

FORMAT = "hub-backup"
FORMAT_VERSION = 1
ROOT = "hub-backup"


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead, with a message for the operator."""


@dataclass
class BackupResult:
    path: Path
    rows: dict[str, int]
    files: int
    size: int
    missing_files: list[str] = field(default_factory=list)


def default_path(instance_path: str) -> Path:
    return Path(instance_path) / "backups" / f"hub-{utcnow():%Y%m%d-%H%M%S}.tar.gz"


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(f"{ROOT}/{name}")
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> None:
    info = archive.gettarinfo(str(path), arcname=f"{ROOT}/{name}")
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as fh:
        archive.addfile(info, fh)


def create_backup(path: Path, progress: tbl.Progress = print) -> BackupResult:
    """Write the database (as of one moment) and every file its rows point at into one tar.gz.

    Safe while Hub runs: rows come from one consistent snapshot and blobs are immutable. The archive
    is written under a temporary name and renamed when complete, so a crash never leaves half a backup.
    """
    path = path.resolve()
    with tbl.workdir(path.parent) as scratch:
        work = Path(scratch)
        rows: dict[str, int] = {}
        with tbl.snapshot(db.engine, work) as conn:
            revision = tbl.schema_revision(conn)
            for table in tbl.tables():
                with (work / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
                    rows[table.name] = tbl.dump_table(conn, table, out)
                progress(f"  table {table.name}: {rows[table.name]} rows")
            blobs = [
                (sha, size)
                for sha, size in conn.execute(
                    Blob.__table__.select().with_only_columns(Blob.sha256, Blob.size).order_by(Blob.sha256)
                )
            ]
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": utcnow().isoformat(timespec="seconds"),
            "engine": db.engine.dialect.name,
            "schema_revision": revision,
            "tables": [t.name for t in tbl.tables()],
            "rows": rows,
            "files": len(blobs),
        }
        partial = path.with_name(f".{path.name}.partial")
        missing: list[str] = []
        storage = get_storage()
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            for table in tbl.tables():
                _add_file(archive, f"db/{table.name}.jsonl", work / f"{table.name}.jsonl")
            for done, (sha, _size) in enumerate(blobs, start=1):
                key = blob_key(sha)
                spool = work / "blob"
                try:
                    with storage.open(key) as source, spool.open("wb") as out:
                        while chunk := source.read(1024 * 1024):
                            out.write(chunk)
                except StorageError:
                    # deleted after the snapshot was taken (its asset was removed meanwhile)
                    missing.append(sha)
                    continue
                _add_file(archive, f"files/{key}", spool)
                if done % 100 == 0 or done == len(blobs):
                    progress(f"  files: {done}/{len(blobs)}")
            if missing:
                _add_bytes(archive, "missing.json", json.dumps(missing).encode())
        partial.replace(path)
    return BackupResult(path, rows, len(blobs) - len(missing), path.stat().st_size, missing)


def _verified_blob(member: tarfile.TarInfo, source, scratch: Path) -> tuple[str, Path]:
    """Copy one archived blob to scratch space, checking its bytes against its name."""
    sha = member.name.rsplit("/", 1)[-1]
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise BackupError(f"unexpected file in the archive: {member.name}")
    digest = hashlib.sha256()
    target = scratch / "blob"
    with target.open("wb") as out:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != sha:
        raise BackupError(f"the archive is damaged: file {sha} does not match its checksum")
    return sha, target


@contextmanager
def _reading(path: Path) -> Iterator[tarfile.TarFile]:
    """The archive as a stream; a file that is not a gzipped tar, or is cut short, is a BackupError."""
    try:
        with tarfile.open(path, "r|gz") as archive:
            yield archive
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error, ValueError) as exc:
        # ValueError: a manifest that is not JSON
        raise BackupError(f"{path} is not a Hub backup archive, or it is damaged ({exc})") from exc


def read_manifest(path: Path) -> dict:
    with _reading(path) as archive:
        for member in archive:
            if member.name != f"{ROOT}/manifest.json":
                break
            manifest = json.load(archive.extractfile(member))
            if not isinstance(manifest, dict):
                break
            if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
                break
            return manifest
    raise BackupError(f"{path} is not a Hub backup archive")


def stream_archive(path: Path, scratch: Path, progress: tbl.Progress):
    """Yield ("table", name, file) for each table dump and ("blob", sha, file) for each file, in order."""
    with _reading(path) as archive:
        for member in archive:
            if not member.isfile() or not member.name.startswith(f"{ROOT}/"):
                raise BackupError(f"unexpected entry in the archive: {member.name}")
            name = member.name[len(ROOT) + 1 :]
            source = archive.extractfile(member)
            if name.startswith("db/") and name.endswith(".jsonl"):
                table = name[3:-6]
                target = scratch / f"{hashlib.sha256(table.encode()).hexdigest()[:16]}.jsonl"
                with target.open("wb") as out:
                    while chunk := source.read(1024 * 1024):
                        out.write(chunk)
                yield "table", table, target
            elif name.startswith("files/"):
                sha, target = _verified_blob(member, source, scratch)
                yield "blob", sha, target
            elif name not in ("manifest.json", "missing.json"):
                raise BackupError(f"unexpected entry in the archive: {member.name}")


def scratch_dir(near: Path) -> tempfile.TemporaryDirectory:
    return tbl.workdir(near)
