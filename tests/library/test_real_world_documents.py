"""Real-world collateral: damaged, locked, huge, hostile or oddly named files. Each is kept (saying when
its text could not be read) or refused with a message; nothing answers 500 and hostile work is bounded."""

from __future__ import annotations

import io
import os
import time
import zipfile
import zlib

import pytest
from docx import Document
from pptx import Presentation
from pptx.util import Inches
from pypdf import PdfReader
from pypdf import PdfWriter
from sqlalchemy import func
from sqlalchemy import select

from hub import samples
from hub import uploads
from hub.extensions import db
from hub.extract import Limits
from hub.extract import extract
from hub.library import service
from hub.models import Asset
from hub.models import AssetVersion
from hub.models import ExtractionStatus
from tests import factories

JSON = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}
# Word 97-2003: an OLE compound file
OLD_WORD = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 1024
DOCX = samples.make_docx("Guide", ["Body text"])
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def upload(client, data: bytes, name: str):
    form = {"file": (io.BytesIO(data), name), "asset_type": "other"}
    return client.post("/library/upload", data=form, content_type="multipart/form-data", headers=JSON)


def stored_version(response) -> AssetVersion:
    assert response.status_code == 201, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.get(Asset, response.get_json()["asset"]["id"]).current_version


def raw_pdf(content: bytes, *, stream: bytes = b"", cmap: bytes = b"") -> bytes:
    """A one-page PDF written by hand, as odd generators write them."""
    font = b"/Helvetica /ToUnicode 6 0 R" if cmap else b"/Helvetica"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(content), stream, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont %s >>" % font,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 7\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % at for at in offsets)
    return bytes(out + b"trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)


def flate_pdf(operations: int) -> bytes:
    """A few kilobytes whose page content unpacks to many drawing operations."""
    content = zlib.compress(b"BT /F1 12 Tf 72 700 Td (A) Tj ET\n" * operations, 9)
    return raw_pdf(content, stream=b"/Filter /FlateDecode")


def saved(document) -> bytes:
    """The bytes of a pypdf writer, python-docx document or python-pptx deck."""
    out = io.BytesIO()
    (document.save if hasattr(document, "save") else document.write)(out)
    return out.getvalue()


def encrypted_pdf(password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.make_pdf("Pricing", ["Secret pricing"]))))
    writer.encrypt(user_password=password, owner_password="owner-secret", algorithm="AES-256")
    return saved(writer)


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    return saved(writer)


def rezip(data: bytes, change=None, extra: dict | None = None) -> bytes:
    """The same Office file with parts changed (`change(name, bytes) -> bytes`) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(info.filename, body) if change else body)
        for name, body in (extra or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def test_encrypted_pdfs_keep_the_file_and_say_why_text_is_missing(marketer_client, users):
    opened = stored_version(upload(marketer_client, encrypted_pdf(""), "restricted.pdf"))
    assert opened.extraction_status == ExtractionStatus.OK and "Secret pricing" in opened.extracted_text
    locked = stored_version(upload(marketer_client, encrypted_pdf("hunter2"), "locked.pdf"))
    assert locked.extraction_status == ExtractionStatus.FAILED and "password" in locked.extraction_error
    page = marketer_client.get(f"/assets/{locked.asset_id}").get_data(as_text=True)
    assert "protected by a password" in page and "could not open this file" in page
    assert marketer_client.get(f"/assets/{locked.asset_id}/thumbnail.png").status_code == 404
    download = marketer_client.get(f"/assets/{locked.asset_id}/download")
    assert download.data.startswith(b"%PDF") and download.headers["Content-Disposition"][:10] == "attachment"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            samples.make_pdf("X", ["x"]).replace(b"startxref", b"startxref 99999 %%EOF %"), id="bad-xref"
        ),
        pytest.param(samples.make_pdf("Cut", ["one", "two", "three"])[:900], id="truncated"),
        pytest.param(b"%PDF-1.7\n", id="header-only"),
        pytest.param(raw_pdf(b"BT ET").replace(b"/Kids [3 0 R]", b"/Kids [2 0 R]"), id="cyclic-pages"),
        pytest.param(blank_pdf(0), id="no-pages"),
        pytest.param(
            rezip(DOCX, lambda n, b: b[: len(b) // 2] if n == "word/document.xml" else b), id="cut-xml"
        ),
        pytest.param(rezip(DOCX, lambda n, b: b"" if n == "_rels/.rels" else b), id="no-rels"),
    ],
)
def test_damaged_files_are_stored_and_every_page_answers(marketer_client, users, data):
    name = "damaged.pdf" if data.startswith(b"%PDF") else "damaged.docx"
    version = stored_version(upload(marketer_client, data, name))
    asset_id = version.asset_id
    page = marketer_client.get(f"/assets/{asset_id}")
    assert page.status_code == 200
    if name.endswith(".docx"):
        assert version.extraction_status == ExtractionStatus.FAILED and version.extraction_error
        assert "The text could not be read" in page.get_data(as_text=True)
    assert marketer_client.get(f"/assets/{asset_id}/thumbnail.png").status_code in (200, 404)
    share = factories.make_share(users["marketer"], db.session.get(Asset, asset_id))
    assert marketer_client.get(f"/s/{share.token}").status_code == 200
    assert marketer_client.get(f"/s/{share.token}/a/{asset_id}/pages/1.png").status_code in (200, 404)


def test_text_is_cleaned_of_nul_bytes_and_broken_font_codes_and_cut_when_huge(app, marketer_client, users):
    nul = raw_pdf(b"BT /F1 12 Tf 72 700 Td (Hello\\000World) Tj ET")
    assert stored_version(upload(marketer_client, nul, "nul.pdf")).extracted_text == "HelloWorld"
    # a font map pointing at lone surrogates and NUL, as broken subset fonts have
    cmap = b"begincmap 1 begincodespacerange <00> <FF> endcodespacerange 2 beginbfchar <41> <D800> <42> <0000> endbfchar endcmap"
    surrogates = raw_pdf(b"BT /F1 12 Tf 72 700 Td (ABAB) Tj ET", cmap=cmap)
    version = stored_version(upload(marketer_client, surrogates, "surrogates.pdf"))
    assert version.extraction_status == ExtractionStatus.EMPTY and not version.extracted_text
    symbols = samples.make_pdf("", ["#$%&*+<=>@[]^_{|}~" * 40])
    garbage = stored_version(upload(marketer_client, symbols, "garbage.pdf"))
    assert garbage.extraction_status == ExtractionStatus.FAILED and "fonts" in garbage.extraction_error
    app.config["HUB_EXTRACT_MAX_CHARS"] = 1000
    version = stored_version(upload(marketer_client, b"a" * 200_000, "one-line.txt"))
    assert len(version.extracted_text) == 1000 and version.size == 200_000
    assert "longer than 1,000 characters" in version.extraction_error


def test_long_and_scanned_pdfs(marketer_client, users):
    long = stored_version(upload(marketer_client, blank_pdf(2000), "catalogue.pdf"))
    assert long.page_count == 2000
    page = marketer_client.get(f"/assets/{long.asset_id}").get_data(as_text=True)
    assert "2000 pages" in page and "Download the file to see all 2000 pages" in page
    scanned = stored_version(upload(marketer_client, blank_pdf(1), "scan.pdf"))
    page = marketer_client.get(f"/assets/{scanned.asset_id}").get_data(as_text=True)
    assert scanned.extraction_status == ExtractionStatus.EMPTY and "scanned or image-only" in page


def test_hostile_pdfs_cost_bounded_time_and_memory_and_the_upload_is_kept(app, marketer_client, users):
    # 10 KB whose one page takes pypdf about 15 seconds to read
    app.config["HUB_EXTRACT_SECONDS"] = 1
    started = time.monotonic()
    version = stored_version(upload(marketer_client, flate_pdf(100_000), "slow.pdf"))
    assert time.monotonic() - started < 10
    assert version.extraction_error == "Reading it took longer than 1 seconds."
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(samples.make_pdf("Intro", ["Welcome to the product"]))))
    writer.append(PdfReader(io.BytesIO(flate_pdf(100_000))))
    partial = extract(saved(writer), "application/pdf", Limits(seconds=3))
    assert partial.status == ExtractionStatus.OK and "Welcome to the product" in partial.text
    assert partial.page_count == 2 and partial.error.startswith("Only the first 1 of 2 pages could be read")
    app.config["HUB_EXTRACT_MEMORY_MB"] = 160
    greedy = stored_version(upload(marketer_client, flate_pdf(1_500_000), "bomb.pdf"))
    assert greedy.extraction_status == ExtractionStatus.FAILED and greedy.extraction_error
    # its page image would take PDFium half a minute: drawing is stopped, and not tried again
    app.config["HUB_RENDER_SECONDS"] = 1
    started = time.monotonic()
    assert marketer_client.get(f"/assets/{greedy.asset_id}/thumbnail.png").status_code == 404
    assert time.monotonic() - started < 10
    started = time.monotonic()
    assert marketer_client.get(f"/assets/{greedy.asset_id}/thumbnail.png").status_code == 404
    assert time.monotonic() - started < 0.5


FOOTNOTES = f'<w:footnotes {W_NS}><w:footnote w:id="1"><w:p><w:r><w:t>FootnoteWords</w:t></w:r></w:p></w:footnote></w:footnotes>'


def test_word_documents_give_all_their_visible_text(marketer_client, users):
    inner = (
        '<w:p><w:ins w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:t>InsertedWords</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>DeletedWords</w:delText></w:r></w:del></w:p>'
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>CoverPageWords</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        '<w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent>'
        "<w:p><w:r><w:t>TextBoxWords</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>CellOne</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>CellTwo</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    relation = b'<Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>'

    def change(name: str, body: bytes) -> bytes:
        if name == "word/document.xml":
            return body.replace(b"<w:body>", b"<w:body>" + inner.encode())
        return body.replace(b"</Relationships>", relation) if name == "word/_rels/document.xml.rels" else body

    data = rezip(
        DOCX,
        change,
        extra={"word/footnotes.xml": FOOTNOTES},
    )
    document = Document(io.BytesIO(data))
    document.sections[0].header.paragraphs[0].text = "HeaderWords"
    document.sections[0].footer.paragraphs[0].text = "FooterWords"
    text = stored_version(upload(marketer_client, saved(document), "guide.docx")).extracted_text
    for words in "InsertedWords CoverPageWords TextBoxWords FootnoteWords HeaderWords FooterWords".split():
        assert words in text
    assert "CellOne | CellTwo" in text and "DeletedWords" not in text


def zip_with(names: list[str]) -> bytes:
    return rezip(DOCX, extra={name: b"x" for name in names})


def test_hostile_and_legacy_office_files_are_refused(app, marketer_client, users, monkeypatch, instance_path):
    app.config["HUB_MAX_EXPANDED_MB"] = 2
    monkeypatch.setattr(uploads, "MAX_ZIP_ENTRIES", 50)
    bomb = rezip(DOCX, extra={"word/media/blank.xml": b" " * (3 * 1024 * 1024)})
    cases = [
        (bomb, "bomb.docx", "unpacks to 3 MB, more than the 2 MB"),
        (zip_with(["../../evil.sh"]), "slip.docx", "stored outside the document ('../../evil.sh')"),
        (zip_with(["/etc/cron.d/x"]), "absolute.pptx", "stored outside the document"),
        (zip_with([f"word/media/{n}.bin" for n in range(60)]), "parts.docx", "more than any real document"),
        (OLD_WORD, "renamed.docx", "older Office file (97-2003) or a password-protected one"),
        (OLD_WORD, "proposal.doc", "Save it as a .docx file or export it as PDF"),
        (OLD_WORD, "deck.ppt", "Save it as a .pptx file"),
        (OLD_WORD, "numbers.xls", "Export it as PDF or CSV"),
        (zip_with([]), "keynote.key", "Save it as a .pptx file"),
        (zip_with([]), "letter.pages", "Save it as a .docx file"),
    ]
    for data, name, message in cases:
        assert message in upload(marketer_client, data, name).get_json()["error"]["message"], name
    assert db.session.scalars(select(Asset)).first() is None
    assert not any(p.is_file() for p in (instance_path / "files").rglob("*"))


def test_decks_give_grouped_table_and_note_text_and_long_decks_preview_in_part(
    marketer_client, users, tmp_path, monkeypatch
):
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Pricing"
    group = slide.shapes.add_group_shape()
    group.shapes.add_textbox(Inches(1), Inches(1), Inches(2), Inches(1)).text_frame.text = "GroupedWords"
    table = slide.shapes.add_table(1, 2, Inches(1), Inches(3), Inches(4), Inches(1)).table
    table.cell(0, 0).text = "TableWords"
    slide.notes_slide.notes_text_frame.text = "SpeakerNotesWords"
    hidden = deck.slides.add_slide(deck.slide_layouts[5])
    hidden.shapes.title.text = "HiddenSlideWords"
    hidden._element.set("show", "0")
    for number in range(60):
        deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = f"Topic {number}"
    version = stored_version(upload(marketer_client, saved(deck), "deck.pptx"))
    for words in "GroupedWords TableWords SpeakerNotesWords HiddenSlideWords".split():
        assert words in version.extracted_text
    assert version.page_count == 62
    # the slide text preview, shown where LibreOffice is not installed to draw slide images
    monkeypatch.setenv("PATH", str(tmp_path))
    page = marketer_client.get(f"/assets/{version.asset_id}").get_data(as_text=True)
    assert "Topic 27" in page and "Topic 28" not in page and "see all 62 slides" in page


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        ("Café résumé\r\nnaïve".encode("utf-16"), "notepad.txt", "Café résumé\nnaïve"),
        (b"\xfe\xff" + "Größe".encode("utf-16-be"), "big-endian.txt", "Größe"),
        ("name,city\nJosé,Málaga – “Sur”\n".encode("cp1252"), "excel.csv", "Málaga – “Sur”"),
        ("Ærø\n".encode("latin-1") + b"\x81", "old.md", "Ærø"),
        ("\ufeffUTF-8 with BOM ✓".encode(), "bom.txt", "UTF-8 with BOM ✓"),
    ],
)
def test_text_files_in_other_encodings_are_read(marketer_client, users, data, name, words):
    assert words in stored_version(upload(marketer_client, data, name)).extracted_text


@pytest.mark.parametrize(
    ("data", "name", "outcome"),
    [
        (b"<html><body><script>alert(document.cookie)</script></body></html>", "brochure.pdf", 422),
        (b"<!doctype html><script>alert(1)</script>", "notes.txt", 422),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.pdf", 422),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", 422),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "readme.txt", 201),
        (b"<!doctype html><html><body><script>alert(1)</script>Hi</body></html>", "landing.html", 201),
        (b"hello\x00world\x00<script>", "dump.txt", 422),
    ],
)
def test_active_content_is_never_served_as_a_page(marketer_client, users, data, name, outcome):
    response = upload(marketer_client, data, name)
    assert response.status_code == outcome
    if outcome == 201:
        download = marketer_client.get(f"/assets/{response.get_json()['asset']['id']}/download")
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.mimetype not in ("text/html", "image/svg+xml", "application/xhtml+xml")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Präsentation 日本語 😀.pdf", "Präsentation 日本語 😀.pdf"),
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),
        ('Q3 "final"; v2.pdf', 'Q3 "final"; v2.pdf'),
        ("line\r\nX-Injected: 1.pdf", "lineX-Injected: 1.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        (".pdf", "file.pdf"),
        ("brochure.pdf. ", "brochure.pdf"),
    ],
)
def test_odd_file_names_are_kept_readable_and_safe_in_headers(marketer_client, users, name, shown):
    data = samples.make_pdf("T", ["x"])
    asset = service.create_file_asset(data=data, filename=name, title=None, owner=None, uploaded_by=None)
    assert asset.current_version.filename == shown
    header = marketer_client.get(f"/assets/{asset.id}/download").headers["Content-Disposition"]
    assert header.startswith("attachment") and ".pdf" in header and "\n" not in header


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "http:// or https://"),
        ("data:text/html,<script>alert(1)</script>", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("https://trusted.example.com@evil.example.net/", "user name or password"),
        ("https://example.com/\u202egnp.exe", "invisible or control characters"),
        ("https://exa\u200bmple.com/", "invisible or control characters"),
        ("https://example.com/" + "a" * 2100, "2000 characters"),
    ],
)
def test_links_that_are_not_plain_web_addresses_are_refused(marketer_client, users, url, message):
    form = {"link-url": url, "link-title": "Video", "link-asset_type": "video_link"}
    response = marketer_client.post("/library/links", data=form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalars(select(Asset)).first() is None


def test_new_versions_from_odd_files(app, marketer_client, users):
    asset = factories.make_asset(users["marketer"], title="Price list", kind="pdf")
    url = f"/assets/{asset.id}/versions"
    form = {"file": (io.BytesIO(encrypted_pdf("pw")), "locked.pdf")}
    locked = marketer_client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "Version 2 is now the current file" in locked and "protected by a password" in locked
    app.config["HUB_MAX_EXPANDED_MB"] = 1
    bomb = rezip(DOCX, extra={"word/media/blank.xml": b" " * (2 * 1024 * 1024)})
    form = {"file": (io.BytesIO(bomb), "bomb.docx")}
    refused = marketer_client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "unpacks to 2 MB" in refused
    db.session.expire_all()
    assert sorted(v.number for v in db.session.get(Asset, asset.id).versions) == [1, 2]


def test_import_folder_with_real_world_files(app, runner, users, tmp_path):
    app.config["HUB_MAX_UPLOAD_MB"] = 1
    (outside := tmp_path / "secret.txt").write_text("private notes")
    (folder := tmp_path / "collateral").mkdir()
    (folder / "guide.pdf").write_bytes(samples.make_pdf("Guide", ["Setup guide"]))
    (folder / "locked.pdf").write_bytes(encrypted_pdf("pw"))
    (folder / "legacy.doc").write_bytes(OLD_WORD)
    (folder / "huge.txt").write_bytes(b"a" * (2 * 1024 * 1024))
    (folder / "linked.txt").symlink_to(outside)
    (folder / os.fsdecode(b"caf\xe9 menu.txt")).write_bytes(b"Latin-1 file name from an old share")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,title\nguide.pdf,Guide\n../secret.txt,Secret\nlocked.pdf,Locked\n")
    folder_run = runner.invoke(args=["import-folder", str(folder)])
    for line in (
        "imported  guide.pdf",
        "“Locked”. Its text could not be read (The PDF is protected by a password",
        "rejected  legacy.doc: legacy.doc: .doc files are not accepted. Save it as a .docx",
        "rejected  huge.txt: too large; the limit is 1 MB",
        "rejected  linked.txt: outside the folder",
        "imported  caf\ufffd menu.txt: asset #1 “Caf\ufffd menu”.",
    ):
        assert line in folder_run.output
    manifest_run = runner.invoke(args=["import-folder", str(folder), "--manifest", str(manifest)])
    assert "rejected  ../secret.txt: outside the folder" in manifest_run.output
    assert db.session.scalar(select(func.count()).select_from(Asset).where(Asset.title == "Secret")) == 0
