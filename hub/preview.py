"""Page images and readable previews of stored files, cached on disk under HUB_CACHE_DIR."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock
from filelock import Timeout
from flask import current_app
from flask import has_app_context

from hub.extract import isolated
from hub.extract import render
from hub.extract.render import Slide
from hub.models import AssetVersion
from hub.storage import StorageError
from hub.storage import blob_key
from hub.storage import get_storage
from hub.uploads import JPEG
from hub.uploads import PDF
from hub.uploads import PNG
from hub.uploads import PPTX

__all__ = [
    "PreviewUnavailable",
    "Slide",
    "can_render",
    "docx_html",
    "version_html",
    "version_slides",
    "page_count",
    "ensure_page_png",
    "render_page_png",
    "thumbnail_png",
    "pptx_slides",
    "version_bytes",
]

log = logging.getLogger(__name__)
THUMBNAIL_WIDTH = 480
MIN_WIDTH, MAX_WIDTH = 64, 2400
# the job running LibreOffice kills it at the deck's limit; the job's own process is killed this much later
CONVERT_GRACE_SECONDS = 5
# a page that could not be drawn is not tried again for this long (the bytes never change)
FAILED_RETRY_SECONDS = 3600
# each render is a child process; a few at a time per app process keeps the machine responsive
_render_slots = threading.BoundedSemaphore(2)
# LibreOffice takes hundreds of MB and seconds of CPU per deck: one conversion at a time on a machine,
# whatever the number of workers, taken in turn through a lock file in the cache folder
CONVERT_TURN = ".convert.lock"


class PreviewUnavailable(RuntimeError):
    """No page image can be made for this file (type not supported, converter missing, bad page)."""


class PreviewBusy(PreviewUnavailable):
    """Every render slot stayed taken; unlike a failed page, worth trying again soon."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def can_render(version: AssetVersion) -> bool:
    """True when page images can be made for this version here (decks need LibreOffice)."""
    if version.mime_type in (PDF, PNG, JPEG):
        return True
    return version.mime_type == PPTX and soffice_path() is not None


def version_bytes(version: AssetVersion) -> bytes:
    return get_storage().read(blob_key(version.blob_sha256))


def page_count(version: AssetVersion) -> int | None:
    if version.mime_type in (PNG, JPEG):
        return 1
    if version.mime_type not in (PDF, PPTX):
        return None
    if version.page_count:
        return version.page_count
    try:
        if version.mime_type == PPTX:
            return _bounded(render.pptx_slide_count, version_bytes(version))
        return _bounded(render.pdf_page_count, version_bytes(version))
    except (PreviewUnavailable, StorageError):
        return None


def thumbnail_png(version: AssetVersion) -> bytes:
    return render_page_png(version, 1, width=THUMBNAIL_WIDTH)


def render_page_png(version: AssetVersion, page: int, width: int = 1200) -> bytes:
    """PNG of one page (1-based), made once and then served from the cache."""
    return _page_png(version, page, width, read=True)


def ensure_page_png(version: AssetVersion, page: int, width: int = 1200) -> None:
    """Make sure one page's PNG is in the cache (PreviewUnavailable when it cannot be drawn), without
    reading it back: a viewer page only needs to know its deck renders."""
    _page_png(version, page, width, read=False)


def _page_png(version: AssetVersion, page: int, width: int, read: bool) -> bytes:
    width = max(MIN_WIDTH, min(MAX_WIDTH, int(width)))
    if page < 1:
        raise PreviewUnavailable("Pages are numbered from 1.")
    # checked before the cache, so a missing LibreOffice is never remembered as a failed page
    soffice = _soffice() if version.mime_type == PPTX else ""

    def draw() -> bytes:
        if version.mime_type in (PNG, JPEG):
            if page != 1:
                raise PreviewUnavailable("An image has one page.")
            return _bounded(render.image_png, version_bytes(version), width)
        if version.mime_type == PDF:
            return _bounded(render.pdf_page_png, version_bytes(version), page, width)
        if version.mime_type == PPTX:
            return _bounded(render.pdf_page_png, _pptx_as_pdf(version, soffice), page, width)
        raise PreviewUnavailable("This type of file has no page images.")

    return _cached(_cache_dir("pages", version.blob_sha256) / f"{page}-{width}.png", draw, read)


def pptx_slides(data: bytes, limit: int | None = None) -> list[Slide]:
    """Title, text and pictures of each slide (the first `limit`), for viewers that cannot show page images."""
    return _bounded(render.pptx_slides, data, limit)


def version_slides(version: AssetVersion, limit: int | None = None) -> list[Slide]:
    """pptx_slides of a stored version, made once and then served from the cache."""

    def read() -> bytes:
        slides = pptx_slides(version_bytes(version), limit)
        return json.dumps(
            [
                {"title": s.title, "text": s.text, "images": [base64.b64encode(i).decode() for i in s.images]}
                for s in slides
            ]
        ).encode()

    data = _cached(_cache_dir("slides", version.blob_sha256) / f"{limit or 'all'}.json", read)
    return [
        Slide(title=s["title"], text=s["text"], images=[base64.b64decode(i) for i in s["images"]])
        for s in json.loads(data)
    ]


def docx_html(data: bytes) -> str:
    """The document as clean HTML (headings, paragraphs, lists, tables), sanitized with bleach."""
    return _bounded(render.docx_html, data)


def version_html(version: AssetVersion) -> str:
    """docx_html of a stored version, made once and then served from the cache."""
    path = _cache_dir("html", version.blob_sha256) / "document.html"
    return _cached(path, lambda: docx_html(version_bytes(version)).encode()).decode()


def _cached(path: Path, make: Callable[[], bytes], read: bool = True) -> bytes:
    """The bytes cached at `path`, else `make()`'s, stored there; a failure is remembered for a while
    (the stored file never changes, so trying again at once would only fail again). With `read` false,
    a file already cached is not read back, and b"" stands for it."""
    if path.is_file():
        return path.read_bytes() if read else b""
    failed = path.with_suffix(".failed")
    if failed.is_file() and time.time() - failed.stat().st_mtime < FAILED_RETRY_SECONDS:
        raise PreviewUnavailable(failed.read_text(encoding="utf-8"))
    try:
        data = make()
    except PreviewBusy:
        raise
    except PreviewUnavailable as exc:
        _write_atomic(failed, str(exc).encode())
        raise
    _write_atomic(path, data)
    return data


def _bounded(job, *args):
    """The one result of a render job run in a bounded child; PreviewUnavailable when it fails."""
    # previews are also made outside a request (CLI, tests); the defaults apply there
    config = current_app.config if has_app_context() else {}
    seconds = config.get("HUB_RENDER_SECONDS", 30.0)
    if not _render_slots.acquire(timeout=seconds):
        raise PreviewBusy("Previews are busy; try again in a moment.")
    try:
        run = isolated.run(job, *args, seconds=seconds, memory_mb=config.get("HUB_RENDER_MEMORY_MB", 1024))
    finally:
        _render_slots.release()
    if not run.finished or not run.items:
        log.info("preview %s stopped (%s): %s", job.__name__, run.stopped, run.error)
        raise PreviewUnavailable(f"The preview could not be made ({run.error or run.stopped}).")
    return run.items[0]


def _cache_dir(kind: str, sha: str) -> Path:
    path = Path(current_app.config["HUB_CACHE_DIR"]) / kind / sha[:2] / sha
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def _soffice() -> str:
    soffice = soffice_path()
    if soffice is None:
        raise PreviewUnavailable("Slide images need LibreOffice (soffice), which is not installed.")
    return soffice


def _pptx_as_pdf(version: AssetVersion, soffice: str) -> bytes:
    """The deck converted to PDF by LibreOffice, made once and then served from the cache beside its page
    images; a failed conversion is remembered like a failed page."""
    path = _cache_dir("pdf", version.blob_sha256) / "deck.pdf"
    if path.is_file():
        return path.read_bytes()
    seconds = current_app.config["HUB_CONVERT_SECONDS"]
    turn = FileLock(Path(current_app.config["HUB_CACHE_DIR"]) / "pdf" / CONVERT_TURN)
    try:
        with turn.acquire(timeout=seconds):
            # the same deck may have been converted (or have failed) while this request waited its turn
            return _cached(path, lambda: _convert(version, soffice, path.parent, seconds))
    except Timeout as exc:
        raise PreviewBusy("Slide images are being made for another deck; try again in a moment.") from exc


def _convert(version: AssetVersion, soffice: str, folder: Path, seconds: float) -> bytes:
    memory_mb = current_app.config["HUB_CONVERT_MEMORY_MB"]
    with tempfile.TemporaryDirectory(dir=folder, prefix=".convert-") as work:
        Path(work, "deck.pptx").write_bytes(version_bytes(version))
        run = isolated.run(
            render.pptx_pdf,
            work,
            soffice,
            seconds,
            seconds=seconds + CONVERT_GRACE_SECONDS,
            memory_mb=memory_mb,
        )
        if run.finished and run.items:
            outcome = run.items[0]
        else:  # the job itself was stopped: at the deadline, at its memory ceiling (or crashed), or it raised
            problem = {"time": "time", "died": "memory"}.get(run.stopped, "failed")
            outcome = render.Conversion(problem, run.error or "")
        if outcome.problem is None:
            return Path(work, "deck.pdf").read_bytes()
    problem, detail = outcome.problem, outcome.detail
    log.info("deck %s not converted (%s): %s", version.blob_sha256, problem, detail)
    if problem == "time":
        raise PreviewUnavailable(f"LibreOffice took longer than {seconds:g} s to convert the deck.")
    if problem == "memory":
        raise PreviewUnavailable(
            f"LibreOffice stopped converting the deck: it needed more than {memory_mb} MB of memory, or crashed."
        )
    raise PreviewUnavailable(f"LibreOffice could not convert the deck ({detail or problem}).")
