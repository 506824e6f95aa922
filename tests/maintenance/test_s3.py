"""check and backup/restore with files in an S3 bucket (moto's server on a real local port)."""

from __future__ import annotations

import io

from hub.extensions import db
from hub.storage import blob_key
from hub.storage import get_storage
from hub.storage.s3 import S3Storage
from tests import factories
from tests.maintenance.helpers import blob_bytes
from tests.maintenance.helpers import fresh_app
from tests.maintenance.helpers import table_rows
from tests.storage.conftest import s3_app  # noqa: F401
from tests.storage.conftest import s3_app_config  # noqa: F401
from tests.storage.conftest import s3_bucket  # noqa: F401
from tests.storage.conftest import s3_endpoint  # noqa: F401

ORPHAN = "cd" * 32


def test_check_repairs_orphans_in_the_bucket(s3_app):  # noqa: F811
    runner = s3_app.test_cli_runner()
    asset = factories.make_asset(title="Bucket deck")
    storage = get_storage()
    assert isinstance(storage, S3Storage)
    storage.put(blob_key(ORPHAN), io.BytesIO(b"left behind"))
    kept = runner.invoke(args=["check", "--repair"])
    assert "recent; left alone" in kept.output and storage.exists(blob_key(ORPHAN))
    result = runner.invoke(args=["check", "--repair", "--grace-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert "[repaired] orphan_file" in result.output
    assert not storage.exists(blob_key(ORPHAN))
    storage.delete(blob_key(asset.current_version.blob_sha256))
    missing = runner.invoke(args=["check"])
    assert missing.exit_code == 1 and "its file is missing" in missing.output


def test_backup_from_s3_restores_onto_a_local_folder(s3_app, tmp_path, s3_app_config):  # noqa: F811
    factories.make_asset(title="Bucket case study", kind="docx")
    factories.make_asset(title="Bucket one-pager")
    source_rows = table_rows(db.engine)
    source_blobs = blob_bytes()
    archive = tmp_path / "s3.tar.gz"
    result = s3_app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    local_config = {k: v for k, v in s3_app_config.items() if k != "HUB_S3_ENDPOINT_URL"}
    fresh = fresh_app(tmp_path, local_config)
    with fresh.app_context():
        out = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
        assert out.exit_code == 0, out.output
        assert not isinstance(get_storage(), S3Storage)
        assert blob_bytes() == source_blobs
        restored = table_rows(db.engine)
        assert restored["asset"] == source_rows["asset"]
        db.session.remove()
        db.engine.dispose()
