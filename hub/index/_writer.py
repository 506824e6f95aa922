"""Writes to the index: one cross-process lock around every writer, a queue so no update is lost, and rebuilds."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from hub.extensions import db
from hub.index._schema import SCHEMA_VERSION
from hub.index._schema import VERSION_FILE
from hub.index._schema import get_schema
from hub.index._schema import to_document
from hub.models import Asset
from hub.models import AssetVersion

log = logging.getLogger(__name__)
# Segments stay separate files: Whoosh opens a compound segment by copying it whole into memory, which
# at 100,000 assets is about 400 MB per worker and half a second after every change to the index.
COMPOUND = False
BATCH = 500


class IndexLockTimeout(RuntimeError):
    """Another process held the index lock longer than the configured wait."""


def lock_path(index_dir: str) -> str:
    return f"{index_dir.rstrip('/')}.lock"


def pending_path(index_dir: str) -> str:
    return f"{index_dir.rstrip('/')}.pending"


@contextmanager
def locked(index_dir: str, timeout: float) -> Iterator[None]:
    """Hold the exclusive cross-process write lock (flock on a file beside the index)."""
    Path(index_dir).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(index_dir), os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLockTimeout(f"index lock busy for {timeout:.0f} s") from None
                time.sleep(0.01)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_current(index_dir: str) -> bool:
    """True when index_dir holds an index built with this schema version (damage shows up on open)."""
    try:
        version = (Path(index_dir) / VERSION_FILE).read_text().strip()
    except OSError:
        return False
    return version == str(SCHEMA_VERSION)


def enqueue(index_dir: str, asset_ids: Iterable[int]) -> None:
    """Remember assets whose index entry must be refreshed by the next writer (O_APPEND lines are atomic)."""
    lines = "".join(f"{int(asset_id)}\n" for asset_id in asset_ids)
    if not lines:
        return
    Path(index_dir).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(pending_path(index_dir), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, lines.encode())
    finally:
        os.close(fd)


def _take_pending(index_dir: str) -> set[int]:
    """Claim the queued ids; called under the lock, the rename makes later appends go to a fresh file."""
    source = pending_path(index_dir)
    claimed = f"{source}.{os.getpid()}"
    try:
        os.replace(source, claimed)
    except FileNotFoundError:
        return set()
    try:
        text = Path(claimed).read_text()
    finally:
        os.unlink(claimed)
    return {int(line) for line in text.split() if line.isdigit()}


def _load(session: Session, asset_ids: Iterable[int] | None) -> Iterator[Asset]:
    stmt = (
        select(Asset)
        .options(
            selectinload(Asset.personas),
            selectinload(Asset.stages),
            selectinload(Asset.tags),
            selectinload(Asset.current_version).load_only(AssetVersion.extracted_text),
        )
        .order_by(Asset.id)
    )
    if asset_ids is None:
        # keyset pages, each dropped from the session once indexed, so memory stays flat on large libraries
        last = 0
        while True:
            page = list(session.scalars(stmt.where(Asset.id > last).limit(BATCH)))
            if not page:
                return
            yield from page
            last = page[-1].id
            session.expunge_all()
    ids = sorted(asset_ids)
    for start in range(0, len(ids), BATCH):
        yield from session.scalars(stmt.where(Asset.id.in_(ids[start : start + BATCH])))


def _refresh(writer: IndexWriter, asset_ids: set[int], excerpt_chars: int) -> None:
    found = set()
    # a private session, so the caller's objects are neither refreshed nor detached
    with Session(db.engine) as session:
        for asset in _load(session, asset_ids):
            found.add(asset.id)
            writer.update_document(**to_document(asset, excerpt_chars=excerpt_chars))
    for asset_id in asset_ids - found:
        writer.delete_by_term("id", str(asset_id))


def write(
    index_dir: str, change: Callable[[IndexWriter], None], *, timeout: float, excerpt_chars: int
) -> None:
    """Apply `change` plus any queued refreshes in one locked, committed writer; errors are re-raised."""
    with locked(index_dir, timeout):
        if not is_current(index_dir):
            _rebuild_locked(index_dir, excerpt_chars, None)
        try:
            writer = whoosh_index.open_dir(index_dir).writer(compound=COMPOUND)
        except Exception:
            log.exception("search index at %s unreadable; rebuilding before writing", index_dir)
            _rebuild_locked(index_dir, excerpt_chars, None)
            writer = whoosh_index.open_dir(index_dir).writer(compound=COMPOUND)
        pending = _take_pending(index_dir)
        try:
            change(writer)
            if pending:
                _refresh(writer, pending, excerpt_chars)
        except BaseException:
            writer.cancel()
            enqueue(index_dir, pending)
            raise
        writer.commit()


def ensure(index_dir: str, *, timeout: float, excerpt_chars: int) -> bool:
    """Build the index when it is missing, corrupt or of an older schema; True when a rebuild happened."""
    if is_current(index_dir):
        return False
    with locked(index_dir, timeout):
        # another process may have rebuilt it while this one waited
        if is_current(index_dir):
            return False
        _rebuild_locked(index_dir, excerpt_chars, None)
        return True


def rebuild(
    index_dir: str, *, timeout: float, excerpt_chars: int, progress: Callable[[int, int], None] | None = None
) -> int:
    with locked(index_dir, timeout):
        return _rebuild_locked(index_dir, excerpt_chars, progress)


def _rebuild_locked(index_dir: str, excerpt_chars: int, progress: Callable[[int, int], None] | None) -> int:
    """Build a complete index beside the live one, then swap it in, so searches keep answering meanwhile."""
    target = Path(index_dir)
    fresh = target.with_name(f"{target.name}.new-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    pending = _take_pending(index_dir)
    ix = whoosh_index.create_in(str(fresh), get_schema())
    writer = ix.writer(limitmb=256, compound=COMPOUND)
    count = 0
    try:
        with Session(db.engine) as session:
            total = session.scalar(select(db.func.count(Asset.id))) or 0
            for asset in _load(session, None):
                writer.add_document(**to_document(asset, excerpt_chars=excerpt_chars))
                count += 1
                if progress and count % BATCH == 0:
                    progress(count, total)
        writer.commit()
    except BaseException:
        writer.cancel()
        shutil.rmtree(fresh, ignore_errors=True)
        enqueue(index_dir, pending)
        raise
    (fresh / VERSION_FILE).write_text(str(SCHEMA_VERSION))
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
    if progress:
        progress(count, total)
    log.info("search index rebuilt with %d assets", count)
    return count
