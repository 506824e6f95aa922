"""Decks become slide images through LibreOffice, bounded in time and memory like every other parser."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from hub import preview
from hub import samples
from hub.extract import isolated
from hub.extract import render
from hub.library import service
from hub.models import AssetVersion
from hub.storage import blob_key
from hub.storage import get_storage
from hub.uploads import PPTX

needs_libreoffice = pytest.mark.skipif(
    preview.soffice_path() is None, reason="LibreOffice (soffice) is not installed"
)


def make_deck(title: str) -> AssetVersion:
    data = samples.make_pptx(title, [("Results", "Revenue grew 20%"), ("Plan", "Hire two engineers")])
    asset = service.create_file_asset(
        data=data, filename="deck.pptx", title=None, owner=None, uploaded_by=None
    )
    # a plain record, as the viewer uses: safe to hand to another thread
    return AssetVersion(blob_sha256=asset.current_version.blob_sha256, mime_type=PPTX)


def live_processes(marker: str) -> dict[int, str]:
    """Id and name of each process whose command line mentions `marker` (a dead, unreaped one has none)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            name = (entry / "comm").read_text().strip()
        except OSError:  # ended while we looked
            continue
        if marker.encode() in command:
            found[int(entry.name)] = name
    return found


class Watcher(threading.Thread):
    """Samples the processes working in one folder until stopped: their names, and LibreOffice's runs."""

    def __init__(self, marker: str):
        super().__init__(daemon=True)
        self.marker = marker
        self.seen: set[str] = set()
        self.conversions: set[int] = set()
        self.most_at_once = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            found = live_processes(self.marker)
            self.seen.update(found.values())
            # one oosplash per run (it starts soffice.bin twice on a fresh profile)
            running = {pid for pid, name in found.items() if name == "oosplash"}
            self.conversions |= running
            self.most_at_once = max(self.most_at_once, len(running))
            time.sleep(0.02)

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.join()


def nothing_left(marker: str, seconds: float = 5.0) -> bool:
    """True once no process mentions `marker`; a killed process takes a moment to go."""
    deadline = time.monotonic() + seconds
    while live_processes(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@needs_libreoffice
def test_a_deck_is_converted_once_and_its_slides_render(app, instance_path):
    version = make_deck("Quarterly review")
    assert preview.can_render(version)
    width, height = png_size(preview.render_page_png(version, 2, width=400))
    assert width == 400 and height < width  # a landscape slide
    pdf = list(Path(instance_path, "cache", "pdf").rglob("*"))
    # the scratch folder is gone; the lock file that gives conversions their turn stays
    assert sorted(p.name for p in pdf if p.is_file()) == [preview.CONVERT_TURN, "deck.pdf"]
    # no time for another conversion: the next slide comes from the cached PDF
    app.config["HUB_CONVERT_SECONDS"] = 0.01
    assert png_size(preview.render_page_png(version, 3, width=400))[0] == 400
    with pytest.raises(preview.PreviewUnavailable, match="3 pages"):
        preview.render_page_png(version, 4, width=400)
    assert nothing_left(str(instance_path))


@needs_libreoffice
def test_a_slow_conversion_is_killed_whole_and_remembered(app, instance_path):
    version = make_deck("Too slow")
    app.config["HUB_CONVERT_SECONDS"] = 0.5
    with Watcher(str(instance_path)) as watcher:
        started = time.monotonic()
        with pytest.raises(preview.PreviewUnavailable, match="took longer than 0.5 s"):
            preview.render_page_png(version, 1)
        assert time.monotonic() - started < preview.CONVERT_GRACE_SECONDS
    # soffice had started soffice.bin; killing its process group took every one of them
    assert "soffice.bin" in watcher.seen
    assert nothing_left(str(instance_path))
    assert list(Path(instance_path, "cache", "pdf").rglob("deck.failed"))

    # the deck is not converted again for a while, whatever page is asked for and however long it may take
    app.config["HUB_CONVERT_SECONDS"] = 60.0
    with Watcher(str(instance_path)) as watcher:
        with pytest.raises(preview.PreviewUnavailable, match="took longer than 0.5 s"):
            preview.render_page_png(version, 2)
    assert watcher.seen == set()


@needs_libreoffice
def test_libreoffice_is_killed_even_when_the_job_running_it_is_killed_first(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "deck.pptx").write_bytes(samples.make_pptx("Orphaned", [("Results", "Revenue grew 20%")]))
    # the job's process is killed long before its own limit, as it would be if it hung
    run = isolated.run(render.pptx_pdf, str(work), preview.soffice_path(), 1.0, seconds=0.3, memory_mb=2048)
    assert run.stopped == "time"
    # LibreOffice outlived the job; stopped, it stands for one that hangs on a hostile deck
    hung = [pid for pid, name in live_processes(str(work)).items() if name != "timeout"]
    assert hung
    try:
        for pid in hung:
            os.kill(pid, signal.SIGSTOP)
        assert nothing_left(str(work), seconds=1.0 + render.BACKSTOP_SECONDS + 2)
    finally:  # should the backstop fail, the test still cleans up after itself
        for pid in live_processes(str(work)):
            os.kill(pid, signal.SIGKILL)


@needs_libreoffice
def test_a_conversion_over_the_memory_ceiling_says_so(app, instance_path):
    version = make_deck("Too big")
    app.config["HUB_CONVERT_MEMORY_MB"] = 128
    with pytest.raises(preview.PreviewUnavailable, match="more than 128 MB of memory"):
        preview.render_page_png(version, 1)
    assert nothing_left(str(instance_path))


@needs_libreoffice
def test_a_deck_libreoffice_cannot_read_says_so(app, instance_path):
    # stored as is: an upload this damaged would have been refused
    data = b"PK\x03\x04" + b"not a deck" * 500
    sha = hashlib.sha256(data).hexdigest()
    get_storage().put(blob_key(sha), io.BytesIO(data))
    with pytest.raises(preview.PreviewUnavailable, match="could not convert the deck .*could not be loaded"):
        preview.render_page_png(AssetVersion(blob_sha256=sha, mime_type=PPTX), 1)


@needs_libreoffice
def test_one_conversion_at_a_time_and_one_per_deck(app, instance_path):
    first, second = make_deck("First"), make_deck("Second")
    drawn: list[bytes] = []

    def view(version: AssetVersion, page: int) -> None:
        with app.app_context():
            drawn.append(preview.render_page_png(version, page, width=200))

    # a viewer asks for several slides of a deck at once, while someone else opens another deck
    with Watcher(str(instance_path)) as watcher:
        viewers = [threading.Thread(target=view, args=args) for args in [(first, 1), (first, 2), (second, 1)]]
        for viewer in viewers:
            viewer.start()
        for viewer in viewers:
            viewer.join()
    assert len(drawn) == 3
    assert len(watcher.conversions) == 2 and watcher.most_at_once == 1


@needs_libreoffice
def test_conversions_take_turns_across_worker_processes(app, instance_path):
    version = make_deck("Pricing")
    turn = Path(instance_path, "cache", "pdf", preview.CONVERT_TURN)
    turn.parent.mkdir(parents=True, exist_ok=True)
    # another worker process of this machine is converting a deck
    holder = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLD_TURN, str(turn)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        app.config["HUB_CONVERT_SECONDS"] = 0.5
        with pytest.raises(preview.PreviewBusy, match="try again in a moment"):
            preview.render_page_png(version, 1, width=200)
        assert not list(Path(instance_path, "cache").rglob("*.failed"))  # busy is not a failure
    finally:
        holder.kill()
        holder.wait()
    app.config["HUB_CONVERT_SECONDS"] = 60.0
    assert png_size(preview.render_page_png(version, 1, width=200))[0] == 200


HOLD_TURN = """
import sys, time
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("holding", flush=True)
    time.sleep(60)
"""


def test_without_libreoffice_the_message_says_so_and_is_not_remembered(
    app, instance_path, tmp_path, monkeypatch
):
    version = make_deck("Product tour")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not preview.can_render(version)
    with pytest.raises(preview.PreviewUnavailable, match="need LibreOffice"):
        preview.render_page_png(version, 1)
    assert not list(Path(instance_path, "cache").rglob("*.failed"))
