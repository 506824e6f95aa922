"""SIGKILL in the middle of an upload, a deal import or an index update: no orphan file, no half-written
row, a usable index; `check --repair` puts everything back in step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from hub import index
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetVersion
from hub.models import AuditEntry
from hub.models import Blob
from hub.models import Deal
from hub.storage import blob_key
from hub.storage import get_storage
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def crash(app_config, instance_path, scenario: str, *args: str) -> None:
    """Run the scenario in a real process, wait until it reaches its step, then SIGKILL it."""
    marker = instance_path / f"crash-{scenario}.reached"
    env = {
        **os.environ,
        "HUB_INSTANCE_PATH": str(instance_path),
        "HUB_CRASH_CONFIG": json.dumps(app_config),
        "HUB_CRASH_MARKER": str(marker),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.crash.child", scenario, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"{scenario} ended before its crash point:\n{proc.stdout.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{scenario} never reached its crash point")
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    db.session.rollback()
    db.session.expire_all()


def temp_files(app) -> list[Path]:
    return list(Path(app.config["HUB_STORAGE"]).rglob(".tmp-*"))


def assert_consistent(app, runner) -> None:
    """What every crash must end in once `check --repair` has run."""
    repair = runner.invoke(args=["check", "--repair", "--grace-minutes", "0"])
    assert repair.exit_code == 0, repair.output
    after = runner.invoke(args=["check", "--grace-minutes", "0"])
    assert after.exit_code == 0, after.output
    assert "Everything is consistent." in after.output
    db.session.expire_all()
    assert temp_files(app) == []
    storage = get_storage()
    rows = set(db.session.scalars(select(Blob.sha256)))
    files = {key.rsplit("/", 1)[-1] for key in storage.keys("blobs/")}
    assert rows == files
    for version in db.session.scalars(select(AssetVersion)):
        assert storage.exists(blob_key(version.blob_sha256))
    for asset in db.session.scalars(select(Asset).where(Asset.link_url.is_(None))):
        assert asset.current_version is not None and asset.current_version.asset_id == asset.id


def counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Asset, AssetVersion, Blob, AuditEntry)
    )


@pytest.fixture
def existing(users):
    return factories.make_asset(
        users["marketer"], title="Existing pricing sheet", text="Existing pricing sheet"
    )


def test_kill_while_the_file_is_being_written(app, runner, app_config, instance_path, existing):
    before = counts()
    crash(app_config, instance_path, "upload-write")
    assert len(temp_files(app)) == 1  # the half-written file, never under a blob key
    assert counts() == before
    assert_consistent(app, runner)
    assert counts() == before


def test_kill_after_the_rows_are_flushed_but_not_committed(app, runner, app_config, instance_path, existing):
    before = counts()
    crash(app_config, instance_path, "upload-commit")
    # the file reached storage but no row points at it: reported, then removed
    assert counts() == before
    check = runner.invoke(args=["check", "--grace-minutes", "0"])
    assert check.exit_code == 1
    assert "has no database row" in check.output
    assert_consistent(app, runner)
    assert counts() == before
    assert {hit.title for hit in index.search("pricing").hits} == {"Existing pricing sheet"}


def test_kill_between_commit_and_index_update(app, runner, app_config, instance_path, existing):
    crash(app_config, instance_path, "upload-index")
    # the upload is complete in the database; only the index lags
    asset = db.session.scalar(select(Asset).where(Asset.title == "Killed upload"))
    assert asset is not None and asset.current_version is not None
    assert get_storage().exists(blob_key(asset.current_version.blob_sha256))
    check = runner.invoke(args=["check"])
    assert f"1 assets not indexed: {asset.id}" in check.output
    assert_consistent(app, runner)
    assert {hit.title for hit in index.search("zeppelin").hits} == {"Killed upload"}


def _deals_csv(path: Path, rows: int) -> Path:
    lines = ["Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Created Date,Close Date"]
    for n in range(rows):
        lines.append(f"006CRASH{n:05d},Deal {n},Account {n},{1000 + n},Prospecting,2026-01-05,")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_kill_in_the_middle_of_a_deal_import(app, runner, app_config, instance_path, users):
    source = _deals_csv(instance_path / "deals.csv", 250)
    crash(app_config, instance_path, "import", str(source))
    # batch one (100 rows) committed whole with its audit entry; batch two left nothing behind
    deals = db.session.scalars(select(Deal).order_by(Deal.crm_id)).all()
    assert len(deals) == 100
    assert [d.crm_id for d in deals] == [f"006CRASH{n:05d}" for n in range(100)]
    assert all(d.name == f"Deal {int(d.crm_id[8:])}" and d.account and d.amount for d in deals)
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("deals.%"))).all()
    assert len(audits) == 1 and "rows 1-100 of 250" in audits[0].detail
    assert_consistent(app, runner)
    # running the same import again finishes the job without duplicates
    result = runner.invoke(args=["import-deals", str(source), "--quiet"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Deal.id))) == 250


def test_kill_while_the_index_commits(app, runner, app_config, instance_path, existing):
    crash(app_config, instance_path, "index-update", str(existing.id))
    # the database has the new title; the index still answers, with the old one
    db.session.expire_all()
    assert db.session.get(Asset, existing.id).title == "Renamed while crashing"
    assert {hit.title for hit in index.search("pricing").hits} == {"Existing pricing sheet"}
    check = runner.invoke(args=["check"])
    assert f"1 assets out of date: {existing.id}" in check.output
    assert_consistent(app, runner)
    assert {hit.title for hit in index.search("renamed").hits} == {"Renamed while crashing"}


def test_kill_during_an_index_rebuild(app, runner, app_config, instance_path, existing):
    crash(app_config, instance_path, "index-rebuild")
    index_dir = Path(app.config["HUB_INDEX_DIR"])
    leftovers = list(index_dir.parent.glob(f"{index_dir.name}.new-*"))
    assert len(leftovers) == 1
    # searches keep working from the live index meanwhile
    assert {hit.title for hit in index.search("pricing").hits} == {"Existing pricing sheet"}
    assert_consistent(app, runner)
    assert list(index_dir.parent.glob(f"{index_dir.name}.new-*")) == []
