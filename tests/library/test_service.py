"""The upload pipeline through the service: file types, dedup, versions, all-or-nothing, lifecycle."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.extensions import db
from hub.library import pipeline
from hub.library import service
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import AssetType
from hub.models import AssetVersion
from hub.models import AuditEntry
from hub.models import Blob
from hub.models import ExtractionStatus
from hub.storage import blob_key
from hub.storage import get_storage
from hub.uploads import UploadRejected
from tests import factories


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_blobs() -> list[str]:
    return list(get_storage().keys("blobs/"))


@pytest.mark.parametrize(
    ("kind", "mime", "pages"),
    [
        ("pdf", "application/pdf", 1),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", None),
        ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", 2),
        ("txt", "text/plain", None),
        ("md", "text/markdown", None),
        ("html", "text/html", None),
    ],
)
def test_each_file_type_is_stored_with_its_text(app, users, kind, mime, pages):
    asset = factories.make_asset(
        users["marketer"], title="Pricing guide", text="Zebra pricing for hospitals", kind=kind
    )
    version = asset.current_version
    assert version.mime_type == mime
    assert version.extraction_status == ExtractionStatus.OK
    assert "Zebra pricing for hospitals" in version.extracted_text
    assert version.page_count == pages
    assert get_storage().read(blob_key(version.blob_sha256))[:2] in (b"%P", b"PK", b"Pr", b"<!")
    assert (
        db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == str(asset.id)))
        == "asset.upload"
    )


def test_unreadable_text_is_stored_and_marked(app, users):
    broken = b"%PDF-1.4\n" + b"\x00garbage" * 50
    asset = service.create_file_asset(
        data=broken, filename="scan.pdf", title=None, owner=None, uploaded_by=None
    )
    assert asset.title == "Scan"
    assert asset.current_version.extraction_status == ExtractionStatus.FAILED
    assert asset.current_version.extraction_error
    assert len(stored_blobs()) == 1


def test_metadata_is_kept(app, users):
    personas, stages = factories.make_taxonomy()
    asset = factories.make_asset(
        users["marketer"],
        title="Battle card",
        personas=personas[:2],
        stages=[stages[2]],
        asset_type=AssetType.BATTLE_CARD,
        tags=["Competitor", "competitor", " pricing "],
        expires_on=date(2030, 1, 1),
        description="Against Acme",
    )
    db.session.expire_all()
    asset = db.session.get(Asset, asset.id)
    assert [p.name for p in asset.personas] == ["CFO", "IT director"]
    assert [s.name for s in asset.stages] == ["Decision"]
    assert [t.name for t in asset.tags] == ["competitor", "pricing"]
    assert asset.asset_type == AssetType.BATTLE_CARD
    assert asset.owner == users["marketer"]
    assert asset.expires_on == date(2030, 1, 1)


def test_same_file_twice_is_stored_once(app, users):
    data, name = factories.sample_file("pdf", title="Same", text="same bytes")
    first = service.create_file_asset(data=data, filename=name, title="A", owner=None, uploaded_by=None)
    second = service.create_file_asset(
        data=data, filename="copy.pdf", title="B", owner=None, uploaded_by=None
    )
    assert first.id != second.id
    assert first.current_version.blob_sha256 == second.current_version.blob_sha256
    assert count(Blob) == 1
    assert len(stored_blobs()) == 1


def test_new_version_keeps_the_old_ones(app, users):
    asset = factories.make_asset(users["marketer"], title="Deck", kind="pptx", text="old pitch")
    first = asset.current_version
    new_data, _ = factories.sample_file("pdf", title="Deck", text="new pitch")
    version = service.add_version(
        asset, data=new_data, filename="deck-v2.pdf", uploaded_by=users["admin"], note="Q3"
    )
    db.session.expire_all()
    asset = db.session.get(Asset, asset.id)
    assert version.number == 2
    assert asset.current_version.id == version.id
    assert [v.number for v in asset.versions] == [2, 1]
    assert "new pitch" in asset.current_version.extracted_text
    assert get_storage().exists(blob_key(first.blob_sha256))
    assert count(AssetVersion) == 2


def test_text_is_read_outside_any_database_transaction(marketer_client, users, monkeypatch):
    """Parsing may take HUB_EXTRACT_SECONDS; no connection may sit idle in a transaction meanwhile."""
    seen: list[bool] = []
    real_extract = pipeline.extract

    def extract_and_look(*args):
        seen.append(db.session().in_transaction())
        return real_extract(*args)

    monkeypatch.setattr(pipeline, "extract", extract_and_look)
    asset = factories.make_asset(users["marketer"], title="Deck", kind="pdf", text="old pitch")
    data, name = factories.sample_file("docx", title="Deck", text="new pitch")
    response = marketer_client.post(
        f"/assets/{asset.id}/versions",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert seen == [False, False]
    db.session.expire_all()
    assert "new pitch" in db.session.get(Asset, asset.id).current_version.extracted_text


def test_link_assets(app, users):
    asset = service.create_link_asset(
        url="https://videos.example.com/watch?v=1",
        title="Demo video",
        owner=users["marketer"],
        created_by=None,
    )
    assert asset.is_link and asset.asset_type == AssetType.VIDEO_LINK
    with pytest.raises(UploadRejected):
        service.add_version(asset, data=b"x", filename="x.txt", uploaded_by=None)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://files.example.com/a", "https://", "not a url", "http://exa mple.com", ""],
)
def test_bad_links_are_refused(app, url):
    with pytest.raises(UploadRejected):
        service.create_link_asset(url=url, title="x", owner=None, created_by=None)
    assert count(Asset) == 0


def test_rejected_file_leaves_nothing(app, users):
    with pytest.raises(UploadRejected):
        service.create_file_asset(data=b"", filename="empty.pdf", title=None, owner=None, uploaded_by=None)
    assert count(Asset) == 0 and count(Blob) == 0 and stored_blobs() == []


def test_failed_commit_removes_the_new_blob_and_rows(app, users, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(service.audit, "log", broken_audit)
    data, name = factories.sample_file("pdf", text="never saved")
    with pytest.raises(RuntimeError):
        service.create_file_asset(data=data, filename=name, title=None, owner=None, uploaded_by=None)
    db.session.expire_all()
    assert count(Asset) == 0 and count(AssetVersion) == 0 and count(Blob) == 0
    assert stored_blobs() == []


def test_failed_commit_on_a_constraint_removes_the_blob(app, users):
    asset = factories.make_asset(users["marketer"], title="Existing", kind="txt")
    data, name = factories.sample_file("docx", text="brand new bytes")
    # a second "version 1" breaks the (asset, number) unique constraint at flush time
    original = pipeline.new_version

    def clashing_version(asset_, number, *args):
        return original(asset_, 1, *args)

    pipeline.new_version = clashing_version
    try:
        with pytest.raises(IntegrityError):
            service.add_version(asset, data=data, filename=name, uploaded_by=None)
    finally:
        pipeline.new_version = original
    db.session.rollback()
    db.session.expire_all()
    assert count(AssetVersion) == 1 and count(Blob) == 1
    assert stored_blobs() == [blob_key(asset.current_version.blob_sha256)]


def test_failure_never_deletes_a_blob_already_in_use(app, users, monkeypatch):
    data, name = factories.sample_file("pdf", text="shared bytes")
    first = service.create_file_asset(data=data, filename=name, title="A", owner=None, uploaded_by=None)
    monkeypatch.setattr(service.audit, "log", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        service.create_file_asset(data=data, filename=name, title="B", owner=None, uploaded_by=None)
    assert get_storage().exists(blob_key(first.current_version.blob_sha256))
    assert count(Asset) == 1


def test_update_archive_restore(app, users):
    personas, stages = factories.make_taxonomy()
    asset = factories.make_asset(users["marketer"], title="Old title", personas=[personas[0]])
    service.update_asset(
        asset, acting=users["marketer"], title="New title", persona_ids=[personas[1].id], tags=["fresh"]
    )
    service.archive_asset(asset, users["marketer"])
    assert asset.status == AssetStatus.ARCHIVED and asset.archived_at
    service.restore_asset(asset, users["marketer"])
    assert asset.status == AssetStatus.PUBLISHED and asset.archived_at is None
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["asset.upload", "asset.edit", "asset.archive", "asset.restore"]
    assert "title" in db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "asset.edit"))
    with pytest.raises(ValueError):
        service.update_asset(asset, acting=users["marketer"], title="  ")


def test_delete_removes_rows_and_unshared_blobs(app, users):
    keep = factories.make_asset(users["marketer"], title="Keep", kind="txt", text="shared")
    data, _ = factories.sample_file("txt", title="Keep", text="shared")
    doomed = service.create_file_asset(
        data=data, filename="copy.txt", title="Doomed", owner=None, uploaded_by=None
    )
    service.add_version(doomed, data=b"only in doomed", filename="v2.txt", uploaded_by=None)
    with pytest.raises(PermissionError):
        service.delete_asset(doomed, users["marketer"])
    service.delete_asset(doomed, users["admin"])
    db.session.expire_all()
    assert count(Asset) == 1 and count(AssetVersion) == 1 and count(Blob) == 1
    assert stored_blobs() == [blob_key(keep.current_version.blob_sha256)]


def test_delete_an_asset_used_in_deals_and_feedback(app, users):
    from hub.models import DealAsset
    from hub.models import Feedback

    asset = factories.make_asset(users["marketer"], title="Used", kind="txt")
    deal = factories.make_deal(owner=users["rep"])
    factories.link_deal_asset(deal, asset, user=users["rep"])
    db.session.add(Feedback(asset_id=asset.id, user_id=users["rep"].id, rating=4))
    db.session.commit()
    service.delete_asset(asset, users["admin"])
    db.session.expire_all()
    assert count(Asset) == 0 and count(DealAsset) == 0 and count(Feedback) == 0
    assert stored_blobs() == []
