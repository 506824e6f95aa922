"""`flask --app hub backup` / `restore`: one archive, round-tripped into a fresh instance."""

from __future__ import annotations

import tarfile
import threading

from sqlalchemy import select

from hub import index
from hub import tracking
from hub.extensions import db
from hub.models import AuditEntry
from hub.models import EventKind
from hub.models import UsageEvent
from tests.maintenance.helpers import blob_bytes
from tests.maintenance.helpers import fresh_app
from tests.maintenance.helpers import populate
from tests.maintenance.helpers import table_rows


def _backup(runner, path):
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return result


def test_round_trip_into_a_fresh_instance(app, runner, users, tmp_path, app_config):
    populate(users)
    source_rows = table_rows(db.engine)
    source_blobs = blob_bytes()
    assert len(source_blobs) == 4  # pptx, two pdf versions, docx
    archive = tmp_path / "hub-backup.tar.gz"

    result = _backup(runner, archive)
    assert "table asset: 4 rows" in result.output
    assert "files: 4/4" in result.output
    assert "Done:" in result.output
    assert archive.exists()
    assert not list(tmp_path.glob(".hub-work-*")) and not list(tmp_path.glob(".*.partial"))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "hub-backup/manifest.json"
    assert sum(n.startswith("hub-backup/files/blobs/") for n in names) == 4

    fresh = fresh_app(tmp_path, app_config)
    with fresh.app_context():
        out = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
        assert out.exit_code == 0, out.output
        assert "Creating the database schema" in out.output
        assert "Rebuilding the search index" in out.output
        restored = table_rows(db.engine)
        restored_audit = restored.pop("audit_entry")
        source_audit = source_rows.pop("audit_entry")
        assert restored == source_rows
        assert restored_audit[: len(source_audit)] == source_audit
        assert [row[2] for row in restored_audit[len(source_audit) :]] == [
            None
        ]  # the restore itself, by no user
        assert blob_bytes() == source_blobs
        hits = index.search("Acme")
        assert {hit.title for hit in hits.hits} >= {"Acme case study"}
        # new rows get fresh ids after the restored ones
        event = tracking.record(EventKind.SEARCH, query="after restore")
        assert event.id > max(row[0] for row in source_rows["usage_event"])
        db.session.remove()
        db.engine.dispose()


def test_restored_instance_serves_pages_and_downloads(app, runner, users, tmp_path, app_config):
    made = populate(users)
    study = made["assets"][1]
    expected = blob_bytes()[study.current_version.blob_sha256]
    archive = tmp_path / "b.tar.gz"
    _backup(runner, archive)
    fresh = fresh_app(tmp_path, app_config)
    with fresh.app_context():
        assert fresh.test_cli_runner().invoke(args=["restore", str(archive)]).exit_code == 0
        client = fresh.test_client()
        client.post("/login", data={"email": users["marketer"].email, "password": "correct-horse-battery"})
        response = client.get(f"/assets/{study.id}/download")
        assert response.status_code == 200 and response.data == expected
        assert client.get("/health").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_an_instance_with_data(app, runner, users, tmp_path):
    populate(users)
    archive = tmp_path / "b.tar.gz"
    _backup(runner, archive)
    before = db.session.scalar(select(db.func.count(AuditEntry.id)))
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code != 0
    assert "not empty" in result.output and "--force" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(AuditEntry.id))) == before


def test_restore_with_force_replaces_the_data(app, runner, users, tmp_path):
    populate(users)
    archive = tmp_path / "b.tar.gz"
    _backup(runner, archive)
    rows = table_rows(db.engine)
    tracking.record(EventKind.SEARCH, query="made after the backup")
    result = runner.invoke(args=["restore", "--force", str(archive)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    after = table_rows(db.engine)
    assert after["usage_event"] == rows["usage_event"]
    assert after["asset"] == rows["asset"]


def test_a_damaged_archive_is_refused_before_any_row_is_loaded(app, runner, users, tmp_path, app_config):
    populate(users)
    archive = tmp_path / "b.tar.gz"
    _backup(runner, archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if "/files/" in member.name and not any("/files/" in m for m in dst.getnames()):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            import io

            dst.addfile(member, io.BytesIO(data))
    fresh = fresh_app(tmp_path, app_config)
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["restore", str(damaged)])
        assert result.exit_code != 0
        assert "damaged" in result.output
        assert table_rows(db.engine)["asset"] == []
        db.session.remove()
        db.engine.dispose()


def test_not_a_backup_is_refused(runner, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="../../etc/evil")
    result = runner.invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0
    assert "not a Hub backup archive" in result.output


def test_a_file_that_is_not_an_archive_gets_a_clear_error(runner, tmp_path):
    text_file = tmp_path / "passwd"
    text_file.write_text("root:x:0:0:root:/root:/bin/bash\n")
    result = runner.invoke(args=["restore", str(text_file)])
    assert result.exit_code == 1
    assert "is not a Hub backup archive, or it is damaged" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_truncated_archive_is_refused_before_any_row_is_loaded(app, runner, users, tmp_path, app_config):
    populate(users)
    archive = tmp_path / "b.tar.gz"
    _backup(runner, archive)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    fresh = fresh_app(tmp_path, app_config)
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["restore", str(cut)])
        assert result.exit_code == 1, result.output
        assert "damaged" in result.output
        assert table_rows(db.engine)["asset"] == []
        db.session.remove()
        db.engine.dispose()


def test_backup_is_consistent_while_hub_keeps_writing(app, runner, users, tmp_path, app_config):
    populate(users)
    stop = threading.Event()

    def keep_writing():
        with app.app_context():
            while not stop.is_set():
                tracking.record(EventKind.VIEW, user_id=users["rep"].id, query="busy")
            db.session.remove()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        archive = tmp_path / "live.tar.gz"
        _backup(runner, archive)
    finally:
        stop.set()
        writer.join()
    fresh = fresh_app(tmp_path, app_config)
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        count = db.session.scalar(select(db.func.count(UsageEvent.id)))
        assert f"table usage_event: {count} rows" in result.output
        db.session.remove()
        db.engine.dispose()


def test_default_path_is_in_the_instance_folder(app, runner, instance_path):
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    made = list((instance_path / "backups").glob("hub-*.tar.gz"))
    assert len(made) == 1
