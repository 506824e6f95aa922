"""Both storage backends behind the one interface; S3 runs against moto's server over real HTTP."""

from __future__ import annotations

import io

import boto3
import pytest
from sqlalchemy import func
from sqlalchemy import select

from hub import create_app
from hub.extensions import db
from hub.library import service
from hub.models import Asset
from hub.models import Blob
from hub.models import Role
from hub.storage import LocalStorage
from hub.storage import StorageError
from hub.storage import blob_key
from hub.storage import build_storage
from hub.storage import get_storage
from hub.storage.s3 import S3Storage
from tests import factories


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return build_storage(str(tmp_path / "files"))
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = request.getfixturevalue("s3_bucket")
    return build_storage(f"s3://{bucket}/prefix", endpoint_url=endpoint, region="us-east-1")


def test_put_read_open_exists_delete_keys(storage):
    storage.check()
    key = blob_key("ab" + "0" * 62)
    assert not storage.exists(key)
    storage.put(key, io.BytesIO(b"hello bytes"))
    assert storage.exists(key)
    assert storage.read(key) == b"hello bytes"
    with storage.open(key) as fh:
        assert fh.read() == b"hello bytes"
    storage.put("other/thing", io.BytesIO(b"x"))
    assert list(storage.keys("blobs/")) == [key]
    assert sorted(storage.keys()) == sorted([key, "other/thing"])
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # deleting twice is harmless
    with pytest.raises(StorageError):
        storage.read(key)


def test_backend_is_chosen_by_location(tmp_path, s3_endpoint, s3_bucket):
    assert isinstance(build_storage(str(tmp_path)), LocalStorage)
    s3 = build_storage(f"s3://{s3_bucket}/p", endpoint_url=s3_endpoint)
    assert isinstance(s3, S3Storage) and s3_bucket in s3.describe()
    with pytest.raises(StorageError):
        build_storage("s3://", endpoint_url=s3_endpoint)


def test_local_keys_cannot_escape_the_folder(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    with pytest.raises(StorageError):
        storage.put("../outside", io.BytesIO(b"x"))


def test_missing_bucket_fails_the_check(s3_endpoint, s3_bucket):
    storage = build_storage("s3://no-such-bucket-here/p", endpoint_url=s3_endpoint)
    with pytest.raises(StorageError):
        storage.check()


def test_uploads_land_in_the_bucket_once(s3_app, s3_endpoint, s3_bucket):
    assert isinstance(get_storage(), S3Storage)
    data, name = factories.sample_file("pdf", title="Bucket test", text="stored in S3")
    first = service.create_file_asset(data=data, filename=name, title="One", owner=None, uploaded_by=None)
    service.create_file_asset(data=data, filename=name, title="Two", owner=None, uploaded_by=None)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert keys == [f"collateral/{blob_key(first.current_version.blob_sha256)}"]
    assert "stored in S3" in first.current_version.extracted_text


def test_s3_download_and_failed_upload_cleanup(s3_app, s3_endpoint, s3_bucket, monkeypatch):
    from tests.conftest import IsolatedClient
    from tests.conftest import login

    admin = factories.make_user(Role.ADMIN, email="s3admin@example.com", password="password-123")
    asset = factories.make_asset(admin, title="Downloaded", kind="docx", text="from the bucket")
    s3_app.test_client_class = IsolatedClient
    client = s3_app.test_client()
    assert login(client, admin.email, "password-123").status_code == 302
    response = client.get(f"/assets/{asset.id}/download")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert response.headers["Content-Disposition"].startswith("attachment")

    monkeypatch.setattr(service.audit, "log", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    data, name = factories.sample_file("pdf", text="never kept")
    with pytest.raises(RuntimeError):
        service.create_file_asset(data=data, filename=name, title=None, owner=None, uploaded_by=None)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Asset)) == 1
    assert db.session.scalar(select(func.count()).select_from(Blob)) == 1
    keys = list(get_storage().keys("blobs/"))
    assert keys == [blob_key(asset.current_version.blob_sha256)]


def test_unreachable_bucket_is_a_clear_message(
    app_config, instance_path, s3_endpoint, s3_bucket, monkeypatch
):
    from tests.conftest import IsolatedClient
    from tests.conftest import login

    monkeypatch.setenv("HUB_INSTANCE_PATH", str(instance_path))
    config = {
        **app_config,
        "HUB_STORAGE": "s3://bucket-that-was-deleted/x",
        "HUB_S3_ENDPOINT_URL": s3_endpoint,
    }
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        marketer = factories.make_user(Role.MARKETER, email="m-s3@example.com", password="password-123")
        client = application.test_client()
        assert login(client, marketer.email, "password-123").status_code == 302
        data, name = factories.sample_file("pdf", text="nowhere to go")
        response = client.post(
            "/library/upload",
            data={"file": (io.BytesIO(data), name), "asset_type": "other"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        assert "The file store cannot be reached right now" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(Asset)) == 0
        db.session.remove()
        db.engine.dispose()


def test_unreachable_server_raises_storage_error(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # port 9 (discard) is closed on test machines: every call fails to connect
    storage = build_storage("s3://bucket/p", endpoint_url="http://127.0.0.1:9", region="us-east-1")
    for call in (lambda: storage.exists("k"), lambda: storage.read("k"), lambda: list(storage.keys())):
        with pytest.raises(StorageError):
            call()
    with pytest.raises(StorageError):
        storage.put("k", io.BytesIO(b"x"))
    with pytest.raises(StorageError):
        storage.check()
