"""`flask --app hub check [--repair]` finds and repairs what crashes and bugs leave behind."""

from __future__ import annotations

import io
import os
import shutil
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy import update

from hub import index
from hub.extensions import db
from hub.models import Asset
from hub.models import Blob
from hub.storage import blob_key
from hub.storage import get_storage
from tests import factories

ORPHAN = "ab" * 32


def _check(runner, *args):
    return runner.invoke(args=["check", *args])


def _titles(query: str) -> set[str]:
    return {hit.title for hit in index.search(query).hits}


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_consistent_instance_passes(app, runner, users):
    factories.make_asset(users["marketer"], title="Clean deck")
    result = _check(runner)
    assert result.exit_code == 0, result.output
    assert "Everything is consistent." in result.output


def test_orphan_files_are_removed_only_after_the_grace_period(app, runner):
    storage = get_storage()
    storage.put(blob_key(ORPHAN), io.BytesIO(b"left behind by a killed upload"))
    result = _check(runner, "--repair")
    assert result.exit_code == 1
    assert "has no database row (recent; left alone" in result.output
    assert storage.exists(blob_key(ORPHAN))

    _age(storage._path(blob_key(ORPHAN)), 2 * 3600)
    assert "[found] orphan_file" in _check(runner).output
    assert storage.exists(blob_key(ORPHAN))  # reporting never deletes
    result = _check(runner, "--repair")
    assert result.exit_code == 0, result.output
    assert "[repaired] orphan_file" in result.output
    assert not storage.exists(blob_key(ORPHAN))


def test_unfinished_temp_files_are_removed(app, runner):
    root = Path(app.config["HUB_STORAGE"])
    temp = root / "blobs" / "cd" / ".tmp-abc123"
    temp.parent.mkdir(parents=True)
    temp.write_bytes(b"half a file")
    result = _check(runner, "--repair", "--grace-minutes", "0")
    assert "[repaired] temp_file: unfinished file blobs/cd/.tmp-abc123" in result.output
    assert not temp.exists()


def test_rows_whose_file_is_missing_are_reported_not_deleted(app, runner, users):
    asset = factories.make_asset(users["marketer"], title="Lost file")
    sha = asset.current_version.blob_sha256
    get_storage().delete(blob_key(sha))
    result = _check(runner, "--repair", "--grace-minutes", "0")
    assert result.exit_code == 1
    assert (
        f"blob {sha} is in the database but its file is missing (used by asset {asset.id} version 1)"
        in result.output
    )
    db.session.expire_all()
    assert db.session.get(Asset, asset.id) is not None


def test_unused_blob_rows_are_removed(app, runner):
    get_storage().put(blob_key(ORPHAN), io.BytesIO(b"x"))
    db.session.add(Blob(sha256=ORPHAN, size=1, mime_type="text/plain"))
    db.session.commit()
    result = _check(runner, "--repair", "--grace-minutes", "0")
    assert "[repaired] unused_blob" in result.output
    db.session.expire_all()
    assert db.session.get(Blob, ORPHAN) is None
    assert not get_storage().exists(blob_key(ORPHAN))


def test_asset_without_current_version_is_pointed_at_its_latest(app, runner, users):
    asset = factories.make_asset(users["marketer"], title="Pointer")
    version_id = asset.current_version_id
    db.session.execute(update(Asset).where(Asset.id == asset.id).values(current_version_id=None))
    db.session.commit()
    result = _check(runner, "--repair")
    assert "[repaired] asset_version" in result.output
    db.session.expire_all()
    assert db.session.get(Asset, asset.id).current_version_id == version_id


def test_index_missing_stale_and_extra_documents_are_repaired(app, runner, users):
    kept = factories.make_asset(users["marketer"], title="Quarterly roadmap")
    renamed = factories.make_asset(users["marketer"], title="Old name")
    dropped = factories.make_asset(users["marketer"], title="Dropped sheet")
    index.delete_asset(kept.id)
    # changes made behind the index's back, as a crash between commit and index update would leave them
    kept_id, renamed_id, dropped_id = kept.id, renamed.id, dropped.id
    db.session.execute(
        update(Asset)
        .where(Asset.id == renamed_id)
        .values(title="Competitor matrix", updated_at=datetime(2030, 1, 1))
    )
    db.session.execute(update(Asset).where(Asset.id == dropped_id).values(current_version_id=None))
    db.session.execute(text("DELETE FROM asset_version WHERE asset_id = :i"), {"i": dropped_id})
    db.session.execute(text("DELETE FROM asset WHERE id = :i"), {"i": dropped_id})
    db.session.commit()
    assert "Quarterly roadmap" not in _titles("roadmap")

    result = _check(runner)
    assert result.exit_code == 1
    assert f"1 assets not indexed: {kept_id}" in result.output
    assert f"1 assets out of date: {renamed_id}" in result.output
    assert f"1 assets deleted but still indexed: {dropped_id}" in result.output

    result = _check(runner, "--repair", "--grace-minutes", "0")
    assert "[repaired] index_out_of_step" in result.output
    assert _titles("roadmap") == {"Quarterly roadmap"}
    assert _titles("competitor") == {"Competitor matrix"}
    assert _titles("dropped") == set()
    assert "index_out_of_step" not in _check(runner, "--grace-minutes", "0").output


def test_unreadable_index_is_rebuilt(app, runner, users):
    factories.make_asset(users["marketer"], title="Security whitepaper")
    index_dir = Path(app.config["HUB_INDEX_DIR"])
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    result = _check(runner)
    assert "index_unreadable" in result.output
    result = _check(runner, "--repair")
    assert "rebuilding the search index" in result.output
    assert result.exit_code == 0, result.output
    assert _titles("whitepaper") == {"Security whitepaper"}


def test_missing_index_is_rebuilt(app, runner, users):
    factories.make_asset(users["marketer"], title="Onboarding checklist")
    shutil.rmtree(app.config["HUB_INDEX_DIR"])
    assert "[found] index_missing" in _check(runner).output
    result = _check(runner, "--repair")
    assert result.exit_code == 0, result.output
    assert _titles("checklist") == {"Onboarding checklist"}


def test_leftover_index_builds_of_dead_processes_are_removed(app, runner):
    index_dir = Path(app.config["HUB_INDEX_DIR"])
    dead = index_dir.with_name(f"{index_dir.name}.new-999999999")
    live = index_dir.with_name(f"{index_dir.name}.old-{os.getpid()}")
    dead.mkdir(parents=True)
    live.mkdir()
    result = _check(runner, "--repair")
    assert f"[repaired] index_leftover: leftover index folder {dead.name}" in result.output
    assert (
        f"[found] index_leftover: leftover index folder {live.name} (its process is still running)"
        in result.output
    )
    assert not dead.exists() and live.exists()
