"""Page images (PDF, PPTX through LibreOffice, images), cached on disk, and the DOCX / slide text previews."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from hub import preview
from hub import samples
from hub.library import service
from tests import factories


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_pdf_pages_render_and_are_cached(app, users, instance_path):
    data = samples.make_pdf("Three pages", ["one", "two", "three"])
    asset = service.create_file_asset(
        data=data, filename="three.pdf", title=None, owner=None, uploaded_by=None
    )
    version = asset.current_version
    assert preview.page_count(version) == 3
    png = preview.render_page_png(version, 2, width=400)
    assert png.startswith(b"\x89PNG") and png_size(png)[0] == 400
    cached = list(Path(instance_path, "cache").rglob("2-400.png"))
    assert len(cached) == 1
    assert preview.render_page_png(version, 2, width=400) == png
    assert png_size(preview.thumbnail_png(version))[0] == preview.THUMBNAIL_WIDTH
    with pytest.raises(preview.PreviewUnavailable):
        preview.render_page_png(version, 4)


def test_ensure_page_png_draws_once_and_refuses_what_cannot_be_drawn(app, users, instance_path):
    data = samples.make_pdf("Two pages", ["one", "two"])
    asset = service.create_file_asset(data=data, filename="two.pdf", title=None, owner=None, uploaded_by=None)
    version = asset.current_version
    preview.ensure_page_png(version, 2, width=300)
    [cached] = Path(instance_path, "cache").rglob("2-300.png")
    drawn, written = cached.read_bytes(), cached.stat().st_mtime_ns
    assert drawn.startswith(b"\x89PNG") and png_size(drawn)[0] == 300
    # already there: kept as it is, and served as it was drawn
    preview.ensure_page_png(version, 2, width=300)
    assert cached.stat().st_mtime_ns == written and cached.read_bytes() == drawn
    assert preview.render_page_png(version, 2, width=300) == drawn
    with pytest.raises(preview.PreviewUnavailable):
        preview.ensure_page_png(version, 3)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="slide images need LibreOffice")
def test_pptx_first_slide_thumbnail(app, users):
    asset = factories.make_asset(users["marketer"], title="Deck", kind="pptx", text="Slide body")
    version = asset.current_version
    assert preview.can_render(version)
    assert preview.page_count(version) == 2
    png = preview.thumbnail_png(version)
    width, height = png_size(png)
    assert width == preview.THUMBNAIL_WIDTH and height < width  # a landscape slide


def test_text_files_have_no_page_images(app, users):
    asset = factories.make_asset(users["marketer"], kind="txt")
    assert not preview.can_render(asset.current_version)
    assert preview.page_count(asset.current_version) is None
    with pytest.raises(preview.PreviewUnavailable):
        preview.thumbnail_png(asset.current_version)


def test_image_preview(app, users):
    image = Image.new("RGB", (1600, 800), "navy")
    out = io.BytesIO()
    image.save(out, format="PNG")
    asset = service.create_file_asset(
        data=out.getvalue(), filename="logo.png", title=None, owner=None, uploaded_by=None
    )
    assert png_size(preview.render_page_png(asset.current_version, 1, width=200)) == (200, 100)


def test_docx_html_is_structured_and_sanitized():
    document = Document()
    document.add_heading("Overview", level=1)
    paragraph = document.add_paragraph("Plain and ")
    paragraph.add_run("bold").bold = True
    document.add_paragraph("<script>alert(1)</script>")
    document.add_paragraph("First point", style="List Bullet")
    document.add_paragraph("Second point", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Plan"
    table.rows[0].cells[1].text = "$10"
    out = io.BytesIO()
    document.save(out)
    html = preview.docx_html(out.getvalue())
    assert "<h2>Overview</h2>" in html
    assert "<p>Plain and <strong>bold</strong></p>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<ul><li>First point</li><li>Second point</li></ul>" in html.replace("\n", "")
    assert "<td>Plan</td><td>$10</td>" in html


def test_pptx_slides():
    data = samples.make_pptx("Quarterly review", [("Results", "Revenue grew 20%")])
    slides = preview.pptx_slides(data)
    assert [s.title for s in slides] == ["Quarterly review", "Results"]
    assert "Revenue grew 20%" in slides[1].text


@pytest.fixture
def runs(monkeypatch) -> list[str]:
    """Names of the render jobs started in a child process from here on."""
    started: list[str] = []
    real = preview._bounded

    def counted(job, *args):
        started.append(job.__name__)
        return real(job, *args)

    monkeypatch.setattr(preview, "_bounded", counted)
    return started


def test_a_documents_html_is_made_once_and_a_failure_is_remembered(app, users, monkeypatch, runs):
    good = factories.make_asset(users["marketer"], title="Guide", kind="docx", text="Step one: sign in.")
    first = preview.version_html(good.current_version)
    assert "Step one: sign in." in first
    assert preview.version_html(good.current_version) == first
    assert runs == ["docx_html"]

    other = factories.make_asset(users["marketer"], title="Unreadable", kind="docx", text="x")
    tries = []

    def failing(data):
        tries.append(1)
        raise preview.PreviewUnavailable("The preview could not be made (time).")

    monkeypatch.setattr(preview, "docx_html", failing)
    for _ in range(2):
        with pytest.raises(preview.PreviewUnavailable, match="could not be made"):
            preview.version_html(other.current_version)
    assert len(tries) == 1


def test_a_decks_slides_are_read_once_pictures_included(app, users, runs):
    deck = factories.make_asset(users["marketer"], title="Quarterly review", kind="pptx", text="Revenue grew")
    first = preview.version_slides(deck.current_version)
    again = preview.version_slides(deck.current_version)
    assert runs == ["pptx_slides"]
    assert first == again and first
    assert any("Revenue grew" in s.text or "Revenue grew" in s.title for s in first)
