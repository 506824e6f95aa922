"""How each shared asset is shown to a prospect, and how many trackable pages it has."""

from __future__ import annotations

import html
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache

from flask import current_app

from hub import preview
from hub.extract.text import decode
from hub.models import Asset
from hub.models import AssetVersion
from hub.storage import blob_key
from hub.storage import get_storage
from hub.uploads import DOCX
from hub.uploads import PDF
from hub.uploads import PPTX

TEXT_PREFIX = "text/"


@dataclass
class AssetView:
    """What the viewer page renders for one asset.

    kind: "pages" (server-rendered page images), "slides" (slide text and pictures),
    "html" (one page of clean HTML), "file" (nothing to show inline, download only), "link".
    """

    kind: str
    pages: int = 1
    html: str | None = None
    slides: list[preview.Slide] = field(default_factory=list)


def kind_of(asset: Asset) -> str:
    if asset.is_link:
        return "link"
    version = asset.current_version
    if version is None:
        return "none"
    return _version_kind(version)


def _version_kind(version: AssetVersion) -> str:
    mime = version.mime_type
    if mime == PDF or mime.startswith("image/") and preview.can_render(version):
        return "pdf"
    if mime == PPTX:
        return "pptx"
    if mime == DOCX:
        return "docx"
    if mime.startswith(TEXT_PREFIX):
        return "text"
    return "file"


def read_bytes(version: AssetVersion) -> bytes:
    return get_storage().read(blob_key(version.blob_sha256))


def build_view(asset: Asset) -> AssetView:
    """Decide how to show the asset; PPTX falls back to slide text when no PDF can be made."""
    kind = kind_of(asset)
    version = asset.current_version
    if kind == "link":
        return AssetView(kind="link", pages=1)
    if kind in ("pdf", "pptx"):
        pages = _image_pages(version)
        if pages:
            return AssetView(kind="pages", pages=pages)
        if kind == "pptx":
            slides = slides_of(version)
            if slides:
                return AssetView(kind="slides", pages=len(slides), slides=slides)
        return AssetView(kind="file", pages=1)
    if kind == "docx":
        return AssetView(kind="html", pages=1, html=_docx_html(version))
    if kind == "text":
        text = decode(read_bytes(version))
        return AssetView(kind="html", pages=1, html=f'<pre class="viewer-text">{html.escape(text)}</pre>')
    return AssetView(kind="file", pages=1)


def page_total(asset: Asset) -> int:
    """Trackable pages of the asset as the viewer shows it (1 for HTML, links and plain files)."""
    version = asset.current_version
    if asset.is_link or version is None:
        return 1
    return blob_page_total(version.blob_sha256, version.mime_type, version.page_count)


# a blob never changes, so neither does its page count; beacons ask for it on every report
PAGE_TOTALS_KEPT = 4096


def blob_page_total(sha256: str, mime_type: str, page_count: int | None) -> int:
    """Page total of a stored file, counted once per app and then remembered."""
    totals = current_app.extensions.setdefault("hub.page_totals", {})
    key = (sha256, mime_type)
    total = totals.get(key)
    if total is None:
        if len(totals) >= PAGE_TOTALS_KEPT:
            totals.clear()
        version = AssetVersion(blob_sha256=sha256, mime_type=mime_type, page_count=page_count)
        total = totals[key] = _count_pages(version)
    return total


def _count_pages(version: AssetVersion) -> int:
    kind = _version_kind(version)
    if kind in ("pdf", "pptx"):
        pages = _image_pages(version)
        if pages:
            return pages
        if kind == "pptx":
            return max(1, len(slides_of(version)))
    return 1


def page_png(asset: Asset, page: int) -> bytes:
    """A rendered page image; raises preview.PreviewUnavailable when the page cannot be drawn."""
    version = asset.current_version
    if version is None:
        raise preview.PreviewUnavailable("no file")
    return preview.render_page_png(version, page, width=1200)


def slides_of(version: AssetVersion) -> list[preview.Slide]:
    return _slides(version.blob_sha256)


@lru_cache(maxsize=16)
def _slides(sha256: str) -> list[preview.Slide]:
    try:
        return preview.version_slides(AssetVersion(blob_sha256=sha256, mime_type=PPTX))
    except Exception:  # a deck python-pptx cannot read is shown as a download instead
        return []


def _image_pages(version: AssetVersion) -> int | None:
    """Page count when pages can be drawn as images, else None (e.g. PPTX without LibreOffice)."""
    try:
        count = preview.page_count(version)
        if not count:
            return None
        # drawing page 1 proves the document renders (and warms the cache for the first view)
        preview.ensure_page_png(version, 1, width=1200)
    except preview.PreviewUnavailable:
        return None
    return count


def _docx_html(version: AssetVersion) -> str:
    try:
        return preview.version_html(version)
    except Exception:  # a document python-docx cannot read is offered as a download instead
        return '<p class="text-secondary">This document cannot be shown here.</p>'
