"""The library pages as users see them: upload (form and script), asset page, downloads, edit, archive."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import AssetVersion
from hub.models import EventKind
from hub.models import UsageEvent
from hub.models import utcnow
from tests import factories

JSON = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def upload(client, data: bytes, name: str, headers=None, **fields):
    form = {"file": (io.BytesIO(data), name), **fields}
    return client.post(
        "/library/upload", data=form, content_type="multipart/form-data", headers=headers or {}
    )


def test_upload_page_lists_choices(marketer_client, users):
    factories.make_taxonomy()
    page = marketer_client.get("/library/upload").get_data(as_text=True)
    assert 'type="file"' in page and "multiple" in page
    assert "CFO" in page and "Awareness" in page
    assert "js/upload.js" in page


def test_plain_form_upload_redirects_to_the_asset(marketer_client, users):
    personas, stages = factories.make_taxonomy()
    data, name = factories.sample_file("pdf", title="ROI study", text="return on investment")
    response = upload(
        marketer_client,
        data,
        name,
        title="",
        personas=[str(personas[0].id), str(personas[1].id)],
        stages=[str(stages[0].id)],
        asset_type="case_study",
        tags="roi, finance",
        owner=str(users["marketer"].id),
        expires_on="2030-06-30",
    )
    assert response.status_code == 302
    page = marketer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Roi-study" in page
    assert "CFO" in page and "IT director" in page and "Awareness" in page
    assert "roi, finance" in page or "finance, roi" in page
    assert "2030-06-30" in page


def test_script_upload_answers_json(marketer_client, users):
    data, name = factories.sample_file("docx", title="Guide", text="setup guide")
    response = upload(marketer_client, data, name, headers=JSON, title="Setup guide", asset_type="other")
    assert response.status_code == 201
    body = response.get_json()
    assert body["asset"]["title"] == "Setup guide"
    assert body["asset"]["duplicate_of"] == []
    again = upload(marketer_client, data, "again.docx", headers=JSON, asset_type="other").get_json()
    assert again["asset"]["duplicate_of"] == [body["asset"]["id"]]


def test_rejected_upload_shows_the_reason(marketer_client, users):
    response = upload(marketer_client, b"MZ\x90\x00" + b"\x00" * 200, "setup.exe", asset_type="other")
    assert response.status_code == 422
    assert "Executable files are never accepted" in response.get_data(as_text=True)
    fake = upload(marketer_client, b"hello there", "report.pdf", headers=JSON, asset_type="other")
    assert fake.status_code == 422
    assert "is named .pdf but its content is plain text" in fake.get_json()["error"]["message"]
    empty = upload(marketer_client, b"", "empty.txt", asset_type="other")
    assert "Choose a file" in empty.get_data(as_text=True) or "is empty" in empty.get_data(as_text=True)
    assert count(Asset) == 0


def test_too_large_upload_is_a_clear_message(app, marketer_client, users):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    app.config["HUB_MAX_UPLOAD_MB"] = 1
    big = b"a" * 5000
    page = upload(marketer_client, big, "big.txt", asset_type="other")
    assert page.status_code == 413
    text = page.get_data(as_text=True)
    assert "too large" in text and "Upload collateral" in text
    scripted = upload(marketer_client, big, "big.txt", headers=JSON, asset_type="other")
    assert scripted.status_code == 413
    assert "too large" in scripted.get_json()["error"]["message"]
    assert count(Asset) == 0


def test_link_form(marketer_client, users):
    ok = marketer_client.post(
        "/library/links",
        data={
            "link-url": "https://video.example.com/v/1",
            "link-title": "Demo",
            "link-asset_type": "video_link",
        },
    )
    assert ok.status_code == 302
    bad = marketer_client.post(
        "/library/links",
        data={"link-url": "javascript:alert(1)", "link-title": "x", "link-asset_type": "video_link"},
    )
    assert bad.status_code == 422
    assert "http:// or https://" in bad.get_data(as_text=True)
    assert count(Asset) == 1


def test_asset_page_records_a_view_and_shows_counts(rep_client, users):
    asset = factories.make_asset(users["marketer"], title="Case study", kind="txt", text="Customer saved 40%")
    page = rep_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "Customer saved 40%" in page
    assert "Rate this content" in page
    assert "Edit" not in page and "Upload version" not in page
    events = db.session.scalars(select(UsageEvent).where(UsageEvent.asset_id == asset.id)).all()
    assert [e.kind for e in events] == [EventKind.VIEW]
    second = rep_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert '<div class="value">2</div><div class="label">Views</div>' in second


def test_asset_page_lists_terms_tags_versions_and_usage(marketer_client, rep_client, users):
    personas, stages = factories.make_taxonomy()
    asset = factories.make_asset(
        users["marketer"],
        title="Buyer guide",
        kind="txt",
        personas=[personas[2], personas[0]],
        stages=[stages[3]],
        tags=["zeta", "alpha"],
    )
    marketer_client.post(f"/taxonomy/personas/{personas[2].id}/retire")
    marketer_client.post(
        f"/assets/{asset.id}/versions",
        data={"file": (io.BytesIO(b"Second edition of the guide."), "guide-v2.txt"), "note": "Reworded"},
        content_type="multipart/form-data",
    )
    assert rep_client.get(f"/assets/{asset.id}/download").status_code == 200
    factories.make_share(users["rep"], asset)
    page = rep_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # personas and stages in their set order, a retired one marked, tags by name
    assert f"Personas {personas[0].name} {personas[2].name} (retired) Stages {stages[3].name} " in shown
    assert "Tags alpha, zeta " in shown
    # newest version first, each with its uploader
    owner = users["marketer"].name
    assert re.search(rf"2 Current guide-v2.txt .*? {owner} Reworded .*? 1 .*? {owner} ", shown)
    assert "1 Views 1 Downloads 1 Shares" in shown


def test_a_deck_without_text_is_not_called_scanned(marketer_client, users):
    import io

    from pptx import Presentation

    from hub.library.service import create_file_asset

    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[6])  # a blank slide: shapes, but no text
    out = io.BytesIO()
    deck.save(out)
    asset = create_file_asset(
        data=out.getvalue(),
        filename="blank.pptx",
        title="Blank deck",
        owner=users["marketer"],
        uploaded_by=users["marketer"],
    )
    page = marketer_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "No text found in the file" in page
    assert "scanned" not in page


def test_docx_and_pdf_previews(marketer_client, users):
    docx = factories.make_asset(
        users["marketer"], title="Brief", kind="docx", text="Bold claims <script>x</script>"
    )
    page = marketer_client.get(f"/assets/{docx.id}").get_data(as_text=True)
    assert "Bold claims &lt;script&gt;" in page and "<script>x</script>" not in page
    pdf = factories.make_asset(users["marketer"], title="Paper", kind="pdf")
    page = marketer_client.get(f"/assets/{pdf.id}").get_data(as_text=True)
    version = pdf.current_version
    assert f"/assets/{pdf.id}/versions/{version.id}/pages/1.png" in page
    image = marketer_client.get(f"/assets/{pdf.id}/versions/{version.id}/pages/1.png?width=300")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert marketer_client.get(f"/assets/{pdf.id}/versions/{version.id}/pages/9.png").status_code == 404
    assert marketer_client.get(f"/assets/{pdf.id}/thumbnail.png").data.startswith(b"\x89PNG")


def test_downloads_are_attachments_and_recorded(rep_client, users):
    asset = factories.make_asset(users["marketer"], title="Page", kind="html", text="<b>hi</b>")
    response = rep_client.get(f"/assets/{asset.id}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/octet-stream"
    assert b"<title>Page</title>" in response.data
    kinds = db.session.scalars(select(UsageEvent.kind).where(UsageEvent.asset_id == asset.id)).all()
    assert kinds == [EventKind.DOWNLOAD]


def test_versions_on_the_asset_page(marketer_client, users):
    asset = factories.make_asset(users["marketer"], title="Deck", kind="pdf", text="first edition")
    first_id = asset.current_version_id
    data, _ = factories.sample_file("pdf", title="Deck", text="second edition")
    response = marketer_client.post(
        f"/assets/{asset.id}/versions",
        data={"file": (io.BytesIO(data), "deck-v2.pdf"), "note": "New prices"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Version 2 is now the current file" in page
    assert "deck-v2.pdf" in page and "New prices" in page
    old = marketer_client.get(f"/assets/{asset.id}/versions/{first_id}/download")
    assert old.status_code == 200 and old.data.startswith(b"%PDF")
    bad = marketer_client.post(
        f"/assets/{asset.id}/versions",
        data={"file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "v3.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Executable" in bad.get_data(as_text=True)
    assert count(AssetVersion) == 2


def test_edit_archive_restore_delete(marketer_client, admin_client, users):
    personas, _stages = factories.make_taxonomy()
    asset = factories.make_asset(users["marketer"], title="Old", kind="txt")
    response = marketer_client.post(
        f"/assets/{asset.id}/edit",
        data={
            "title": "New name",
            "asset_type": "deck",
            "personas": [str(personas[2].id)],
            "owner": "None",
            "tags": "a, b",
        },
    )
    assert response.status_code == 302
    page = marketer_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "New name" in page and "Operations lead" in page
    assert (
        marketer_client.post(f"/assets/{asset.id}/edit", data={"title": "", "asset_type": "deck"}).status_code
        == 422
    )
    marketer_client.post(f"/assets/{asset.id}/archive")
    db.session.expire_all()
    assert db.session.get(Asset, asset.id).status == AssetStatus.ARCHIVED
    assert "This asset is archived" in marketer_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    marketer_client.post(f"/assets/{asset.id}/restore")
    db.session.expire_all()
    assert db.session.get(Asset, asset.id).status == AssetStatus.PUBLISHED
    assert marketer_client.post(f"/assets/{asset.id}/delete").status_code == 403
    assert admin_client.post(f"/assets/{asset.id}/delete").status_code == 302
    assert count(Asset) == 0


def test_library_filters_sorting_and_expiry(marketer_client, users):
    personas, stages = factories.make_taxonomy()
    today = utcnow().date()
    factories.make_asset(users["marketer"], title="Alpha CFO deck", kind="txt", personas=[personas[0]])
    factories.make_asset(
        users["marketer"], title="Beta expired", kind="txt", expires_on=today - timedelta(days=1)
    )
    factories.make_asset(
        users["marketer"], title="Gamma soon", kind="txt", expires_on=today + timedelta(days=5)
    )
    page = marketer_client.get("/library").get_data(as_text=True)
    assert "Alpha CFO deck" in page and "Gamma soon" in page
    assert "expire within 30 days" in page and "Beta expired" in page  # in the expiring panel
    only_cfo = marketer_client.get(f"/library?persona={personas[0].id}").get_data(as_text=True)
    rows = only_cfo.split("<tbody>", 1)[1]
    assert "Alpha CFO deck" in rows and "Gamma soon" not in rows
    expired = marketer_client.get("/library?status=expired").get_data(as_text=True)
    table = expired.split("<tbody>", 1)[1]
    assert "Beta expired" in table and "Alpha CFO deck" not in table
    by_title = marketer_client.get("/library?sort=title&order=asc&status=all").get_data(as_text=True)
    rows = by_title.split("<tbody>", 1)[1]
    assert rows.index("Alpha CFO deck") < rows.index("Beta expired") < rows.index("Gamma soon")
    descending = marketer_client.get("/library?sort=title&order=desc&status=all").get_data(as_text=True)
    rows = descending.split("<tbody>", 1)[1]
    assert rows.index("Gamma soon") < rows.index("Alpha CFO deck")


def test_reps_cannot_manage(rep_client, users):
    asset = factories.make_asset(users["marketer"], title="X", kind="txt")
    assert rep_client.get("/library").status_code == 403
    assert rep_client.get("/library/upload").status_code == 403
    assert rep_client.post(f"/assets/{asset.id}/archive").status_code == 403
    assert rep_client.get(f"/assets/{asset.id}/edit").status_code == 403


def test_share_button_and_engagement(marketer_client, rep_client, users):
    asset = factories.make_asset(users["marketer"], title="Shareable", kind="txt")
    marketer_page = marketer_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert f"/shares/new?asset_id={asset.id}" in marketer_page
    assert "Prospect engagement" in marketer_page
    rep_page = rep_client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert f"/shares/new?asset_id={asset.id}" in rep_page
    assert "Prospect engagement" not in rep_page


def test_long_text_previews_its_beginning_only(marketer_client, users):
    body = "Opening words of the playbook. " + "middle " * 5_000 + "ClosingWordsOfThePlaybook"
    response = upload(marketer_client, body.encode(), "playbook.txt", title="Playbook")
    assert response.status_code == 302
    page = marketer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Opening words of the playbook." in page
    assert "ClosingWordsOfThePlaybook" not in page
    assert "The preview shows the beginning" in page
    short = upload(marketer_client, b"A short note.", "note.txt", title="Note")
    page = marketer_client.get(short.headers["Location"]).get_data(as_text=True)
    assert "A short note." in page and "The preview shows the beginning" not in page
