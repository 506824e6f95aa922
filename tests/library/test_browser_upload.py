"""The upload page in a real browser: several files, a card and a progress bar each, messages in the page."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from hub.extensions import db
from hub.models import Asset
from tests import factories
from tests.conftest import PASSWORD


def test_upload_several_files_with_progress(live_server, page, users):
    factories.make_taxonomy()
    live_server.login(page, users["marketer"].email, PASSWORD)
    page.goto(f"{live_server.url}/library/upload")
    pdf, _ = factories.sample_file("pdf", title="Pricing", text="price list")
    docx, _ = factories.sample_file("docx", title="Brief", text="brief text")
    page.select_option("#default-fields select[name=asset_type]", "case_study")
    page.set_input_files(
        "#file-input",
        [
            {"name": "pricing_sheet_2026.pdf", "mimeType": "application/pdf", "buffer": pdf},
            {"name": "customer_brief.docx", "mimeType": "application/octet-stream", "buffer": docx},
            {"name": "installer.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 300},
        ],
    )
    cards = page.locator(".file-card")
    assert cards.count() == 3
    assert page.locator("#default-fields").is_hidden()
    first = cards.nth(0)
    assert first.locator("input[name=title]").input_value() == "Pricing sheet 2026"
    assert first.locator("select[name=asset_type]").input_value() == "case_study"
    first.locator("input[name=title]").fill("Price list 2026")
    first.locator("select[name=personas]").select_option(label="CFO")
    page.click("#upload-button")
    expect(page.locator('.progress-bar[data-progress="100"]')).to_have_count(3)
    expect(page.locator("#upload-summary")).not_to_be_empty()
    assert "Uploaded: open “Price list 2026”" in first.locator(".file-status").inner_text()
    assert "Uploaded" in cards.nth(1).locator(".file-status").inner_text()
    rejected = cards.nth(2).locator(".file-status").inner_text()
    assert "Executable files are never accepted" in rejected
    assert "2 uploaded, 1 not uploaded" in page.locator("#upload-summary").inner_text()
    db.session.expire_all()
    assets = db.session.scalars(select(Asset).order_by(Asset.id)).all()
    assert [a.title for a in assets] == ["Price list 2026", "Customer brief"]
    assert [p.name for p in assets[0].personas] == ["CFO"]
    first.locator(".file-status a").click()
    page.wait_for_url(f"**/assets/{assets[0].id}")
    assert page.locator("h1").inner_text() == "Price list 2026"


def test_oversized_file_is_refused_in_the_page(live_server, page, users, app):
    app.config["HUB_MAX_UPLOAD_MB"] = 1
    live_server.login(page, users["marketer"].email, PASSWORD)
    page.goto(f"{live_server.url}/library/upload")
    page.set_input_files(
        "#file-input", [{"name": "huge.txt", "mimeType": "text/plain", "buffer": b"a" * (1024 * 1024 + 10)}]
    )
    assert "too large. The limit is 1 MB" in page.locator(".file-card .file-status").inner_text()


def test_a_powerpoint_file_starts_as_a_deck(live_server, page, users):
    live_server.login(page, users["marketer"].email, PASSWORD)
    page.goto(f"{live_server.url}/library/upload")
    pptx, _ = factories.sample_file("pptx", title="Q3 roadmap", text="roadmap")
    pdf, _ = factories.sample_file("pdf", title="Notes", text="notes")
    page.set_input_files(
        "#file-input",
        [
            {"name": "q3_roadmap.pptx", "mimeType": "application/octet-stream", "buffer": pptx},
            {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": pdf},
        ],
    )
    cards = page.locator(".file-card")
    assert cards.nth(0).locator("select[name=asset_type]").input_value() == "deck"
    assert cards.nth(1).locator("select[name=asset_type]").input_value() == "other"


def test_a_locked_pdf_is_uploaded_with_the_reason_its_text_is_missing(live_server, page, users):
    from tests.library.test_real_world_documents import encrypted_pdf

    live_server.login(page, users["marketer"].email, PASSWORD)
    page.goto(f"{live_server.url}/library/upload")
    page.set_input_files(
        "#file-input",
        [{"name": "board_pricing.pdf", "mimeType": "application/pdf", "buffer": encrypted_pdf("hunter2")}],
    )
    page.click("#upload-button")
    expect(page.locator('.progress-bar[data-progress="100"]')).to_have_count(1)
    status = page.locator(".file-card .file-status")
    expect(status.locator("a")).to_have_text("Uploaded: open “Board pricing”")
    expect(status.locator(".upload-note")).to_contain_text("password")
    assert "1 uploaded" in page.locator("#upload-summary").inner_text()
