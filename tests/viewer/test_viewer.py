"""The public viewer: what a prospect sees at /s/<token>, and what it refuses."""

from __future__ import annotations

import json
import secrets
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from hub.extensions import db
from hub.library.service import archive_asset
from hub.library.service import create_link_asset
from hub.models import EventKind
from hub.models import ShareVisit
from hub.models import UsageEvent
from hub.models import utcnow
from hub.shares.service import revoke_share
from tests.factories import make_asset
from tests.factories import make_pdf_asset
from tests.factories import make_share


def _events(kind: EventKind) -> list[UsageEvent]:
    db.session.expire_all()
    return db.session.scalars(select(UsageEvent).where(UsageEvent.kind == kind)).all()


def _assert_private(response) -> None:
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.fixture
def pdf_share(users):
    asset = make_pdf_asset(users["marketer"], title="Pricing deck", pages=3)
    return make_share(users["rep"], asset, recipient_name="Jane Buyer", note="Here is our pricing.")


def test_pdf_is_shown_page_by_page_and_the_open_is_recorded(client, pdf_share):
    asset = pdf_share.items[0].asset
    response = client.get(f"/s/{pdf_share.token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    _assert_private(response)
    assert '<meta name="robots" content="noindex' in html
    assert "Pricing deck" in html and "Here is our pricing." in html and "Hello Jane Buyer" in html
    for page in (1, 2, 3):
        assert f"/s/{pdf_share.token}/a/{asset.id}/pages/{page}.png" in html
    assert "/pages/4.png" not in html
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and f"Path=/s/{pdf_share.token}" in cookie
    assert response.headers["Cache-Control"] == "no-store"

    image = client.get(f"/s/{pdf_share.token}/a/{asset.id}/pages/2.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")
    _assert_private(image)
    assert client.get(f"/s/{pdf_share.token}/a/{asset.id}/pages/4.png").status_code == 404
    assert client.get(f"/s/{pdf_share.token}/a/{asset.id}/pages/0.png").status_code == 404

    opens = _events(EventKind.SHARE_OPEN)
    assert [(e.asset_id, e.share_id, e.source) for e in opens] == [(asset.id, pdf_share.id, "viewer")]
    assert db.session.scalar(select(func.count()).select_from(ShareVisit)) == 1
    db.session.refresh(pdf_share)
    assert pdf_share.last_opened_at is not None

    # the same browser comes back: same visit, another open
    client.get(f"/s/{pdf_share.token}")
    assert db.session.scalar(select(func.count()).select_from(ShareVisit)) == 1
    assert len(_events(EventKind.SHARE_OPEN)) == 2


@pytest.mark.parametrize(("away", "shown_again"), [(timedelta(minutes=5), False), (timedelta(hours=2), True)])
def test_a_visit_seen_by_the_rep_is_new_again_only_when_it_comes_back_later(
    client, pdf_share, away, shown_again
):
    client.get(f"/s/{pdf_share.token}")
    visit = db.session.scalars(select(ShareVisit)).one()
    seen, left = utcnow() - away, utcnow() - away
    visit.seen_at, visit.last_seen_at = seen, left
    db.session.commit()
    client.get(f"/s/{pdf_share.token}")
    db.session.expire_all()
    visit = db.session.scalars(select(ShareVisit)).one()
    assert visit.last_seen_at > left
    assert (visit.seen_at is None) is shown_again
    assert len(_events(EventKind.SHARE_OPEN)) == 2


@pytest.mark.parametrize("kind", ["random-256", "random-192", "short", "long", "bad-chars", "dashes"])
def test_unknown_tokens_are_404(client, pdf_share, kind):
    token = {
        "random-256": secrets.token_urlsafe(32),
        "random-192": secrets.token_urlsafe(24),
        "short": "short",
        "long": "x" * 80,
        "bad-chars": "bad%20chars!",
        "dashes": "-" * 43,
    }[kind]
    response = client.get(f"/s/{token}")
    assert response.status_code == 404
    assert "does not exist" in response.get_data(as_text=True)
    _assert_private(response)
    assert client.get(f"/s/{token}/a/1/pages/1.png").status_code == 404
    assert client.post(f"/s/{token}/beacon", data=b'{"asset":1,"pages":{"1":1}}').status_code == 404


def test_a_near_miss_token_is_unknown(client, pdf_share):
    token = pdf_share.token
    near = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/s/{near}").status_code == 404
    assert client.get(f"/s/{token}").status_code == 200


def test_tokens_carry_at_least_128_random_bits(users):
    asset = make_pdf_asset(users["rep"], pages=1)
    tokens = {make_share(users["rep"], asset).token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 43 for t in tokens)  # 32 bytes of randomness, base64url


def test_expired_link_is_410_everywhere(client, pdf_share):
    asset = pdf_share.items[0].asset
    client.get(f"/s/{pdf_share.token}")
    pdf_share.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/s/{pdf_share.token}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "This link has expired." in html and "Ask User" in html
    _assert_private(response)
    assert client.get(f"/s/{pdf_share.token}/a/{asset.id}").status_code == 410
    assert client.get(f"/s/{pdf_share.token}/a/{asset.id}/pages/1.png").status_code == 410
    assert client.get(f"/s/{pdf_share.token}/a/{asset.id}/download").status_code == 410
    beacon = client.post(f"/s/{pdf_share.token}/beacon", json={"asset": asset.id, "pages": {"1": 3}})
    assert beacon.status_code == 410


def test_revoked_link_is_410(client, pdf_share, users):
    assert client.get(f"/s/{pdf_share.token}").status_code == 200
    revoke_share(pdf_share, acting=users["rep"])
    response = client.get(f"/s/{pdf_share.token}")
    assert response.status_code == 410
    assert "withdrawn by the sender" in response.get_data(as_text=True)


def test_archived_content_is_withdrawn(client, users):
    asset = make_pdf_asset(users["marketer"], pages=1)
    share = make_share(users["rep"], asset)
    archive_asset(asset, users["marketer"])
    response = client.get(f"/s/{share.token}")
    assert response.status_code == 410
    assert "no longer available" in response.get_data(as_text=True)


def test_a_new_visit_reads_its_link_once_and_is_stored_with_the_open(client, pdf_share):
    from sqlalchemy import event

    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args):
        statements.append(statement)

    url = f"/s/{pdf_share.token}"
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert response.status_code == 200
    link_reads = [s for s in statements if s.lstrip().startswith("SELECT") and "FROM share_link" in s]
    assert len(link_reads) == 1, "the page loaded its link again after storing the visit"
    assert not any("FROM page_view" in s for s in statements), "a new visit has no page times to read"
    db.session.expire_all()
    visit = db.session.scalars(select(ShareVisit).where(ShareVisit.share_id == pdf_share.id)).one()
    assert visit.total_seconds == 0
    assert len(_events(EventKind.SHARE_OPEN)) == 1


def test_email_gate(client, users):
    asset = make_pdf_asset(users["marketer"], pages=2)
    share = make_share(users["rep"], asset, require_email=True)
    response = client.get(f"/s/{share.token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter your email" in html and "/pages/1.png" not in html
    # the content stays closed until the email is given, whatever the route
    assert client.get(f"/s/{share.token}/a/{asset.id}/pages/1.png").status_code == 403
    assert client.get(f"/s/{share.token}/a/{asset.id}/download").status_code == 403
    assert (
        client.post(f"/s/{share.token}/beacon", json={"asset": asset.id, "pages": {"1": 2}}).status_code
        == 403
    )
    assert _events(EventKind.SHARE_OPEN) == []

    bad = client.post(f"/s/{share.token}/email", data={"email": "not-an-email"})
    assert bad.status_code == 400
    assert "Invalid email" in bad.get_data(as_text=True) or "valid email" in bad.get_data(as_text=True)

    good = client.post(
        f"/s/{share.token}/email", data={"email": "Jane@Acme.example", "next": "https://evil.example/"}
    )
    assert good.status_code == 302
    assert good.headers["Location"] == f"/s/{share.token}"
    db.session.expire_all()
    visit = db.session.scalars(select(ShareVisit)).one()
    assert visit.viewer_email == "jane@acme.example"
    opened = client.get(f"/s/{share.token}")
    assert "/pages/1.png" in opened.get_data(as_text=True)
    assert client.get(f"/s/{share.token}/a/{asset.id}/pages/1.png").status_code == 200


def test_download_when_allowed(client, users):
    asset = make_pdf_asset(users["marketer"], pages=1)
    share = make_share(users["rep"], asset, allow_download=True)
    client.get(f"/s/{share.token}")
    response = client.get(f"/s/{share.token}/a/{asset.id}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF")
    downloads = _events(EventKind.SHARE_DOWNLOAD)
    assert [(e.asset_id, e.share_id) for e in downloads] == [(asset.id, share.id)]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        ("Prix: 12 € — naïve café\r\n".encode("utf-16"), "notes-utf16.txt"),
        ("Prix: 12 € — naïve café\n".encode("cp1252"), "notes-ansi.txt"),
    ],
)
def test_text_saved_by_windows_editors_reads_right(client, users, data, filename):
    from hub.library.service import create_file_asset

    asset = create_file_asset(
        data=data,
        filename=filename,
        title="Pricing notes",
        owner=users["marketer"],
        uploaded_by=users["marketer"],
    )
    share = make_share(users["rep"], asset)
    html = client.get(f"/s/{share.token}/a/{asset.id}").get_data(as_text=True)
    assert "Prix: 12 € — naïve café" in html
    assert "\x00" not in html and "\ufffd" not in html


def test_an_html_file_downloads_as_opaque_bytes(client, users):
    from hub.library.service import create_file_asset

    page = b"<!doctype html><title>Battle card</title><script>alert(document.cookie)</script><p>Win</p>"
    asset = create_file_asset(
        data=page,
        filename="battle-card.html",
        title="Battle card",
        owner=users["marketer"],
        uploaded_by=users["marketer"],
    )
    share = make_share(users["rep"], asset, allow_download=True)
    response = client.get(f"/s/{share.token}/a/{asset.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == page


def test_download_refused_when_not_allowed(client, users):
    asset = make_pdf_asset(users["marketer"], pages=1)
    share = make_share(users["rep"], asset, allow_download=False)
    page = client.get(f"/s/{share.token}").get_data(as_text=True)
    assert "Download" not in page
    response = client.get(f"/s/{share.token}/a/{asset.id}/download")
    assert response.status_code == 403
    assert _events(EventKind.SHARE_DOWNLOAD) == []


def test_link_asset_redirects_after_recording_the_open(client, users):
    video = create_link_asset(
        url="https://videos.example.com/demo", title="Demo video", owner=users["marketer"], created_by=None
    )
    share = make_share(users["rep"], video)
    response = client.get(f"/s/{share.token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://videos.example.com/demo"
    _assert_private(response)
    assert [e.asset_id for e in _events(EventKind.SHARE_OPEN)] == [video.id]


def test_deal_room_exposes_only_its_own_assets(client, users):
    first = make_pdf_asset(users["marketer"], title="Pricing", pages=2)
    second = make_asset(users["marketer"], title="Security overview", kind="docx")
    outsider = make_pdf_asset(users["marketer"], title="Internal battle card", pages=1)
    room = make_share(users["rep"], [first, second], title="Acme deal room")
    other = make_share(users["rep"], outsider)

    landing = client.get(f"/s/{room.token}")
    html = landing.get_data(as_text=True)
    assert landing.status_code == 200
    assert "Pricing" in html and "Security overview" in html and "Internal battle card" not in html
    assert client.get(f"/s/{room.token}/a/{second.id}").status_code == 200
    assert client.get(f"/s/{room.token}/a/{outsider.id}").status_code == 404
    assert client.get(f"/s/{room.token}/a/{outsider.id}/pages/1.png").status_code == 404
    assert client.get(f"/s/{room.token}/a/{outsider.id}/download").status_code == 404
    # the other link's token does not open this room's assets either
    assert client.get(f"/s/{other.token}/a/{first.id}").status_code == 404


def test_docx_and_text_are_clean_html(client, users):
    docx = make_asset(users["marketer"], title="Onboarding guide", kind="docx", text="Step one: sign in.")
    text = make_asset(
        users["marketer"], title="Notes", kind="txt", text="<script>alert(1)</script> plain words"
    )
    room = make_share(users["rep"], [docx, text])
    html = client.get(f"/s/{room.token}/a/{docx.id}").get_data(as_text=True)
    assert "Step one: sign in." in html
    html = client.get(f"/s/{room.token}/a/{text.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; plain words" in html
    assert "<script>alert(1)" not in html


def test_pptx_without_libreoffice_shows_slide_text(client, users, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    deck = make_asset(users["marketer"], title="Product tour", kind="pptx", text="Faster month-end close")
    share = make_share(users["rep"], deck)
    html = client.get(f"/s/{share.token}").get_data(as_text=True)
    assert "Product tour" in html and "Faster month-end close" in html
    assert "Slide 1 of 2" in html and "Slide 2 of 2" in html
    assert 'data-pages="2"' in html


def test_link_previewers_do_not_count_as_visits(client, pdf_share):
    response = client.get(f"/s/{pdf_share.token}", headers={"User-Agent": "Slackbot-LinkExpanding 1.0"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers or "hub_visit" not in response.headers["Set-Cookie"]
    assert db.session.scalar(select(func.count()).select_from(ShareVisit)) == 0
    assert _events(EventKind.SHARE_OPEN) == []


def test_email_gate_checks_its_csrf_token_without_needing_a_referer(app_config, users):
    import re

    from hub import create_app

    asset = make_pdf_asset(users["marketer"], pages=1)
    link = make_share(users["rep"], asset, require_email=True).token
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    # the viewer sends no Referer (no-referrer policy), and over HTTPS the form must still work
    browser = csrf_app.test_client()
    base = "https://hub.example"
    html = browser.get(f"/s/{link}", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    forged = browser.post(f"/s/{link}/email", data={"email": "a@b.example"}, base_url=base)
    assert forged.status_code == 400
    ok = browser.post(f"/s/{link}/email", data={"email": "a@b.example", "csrf_token": token}, base_url=base)
    assert ok.status_code == 302
    # beacons carry no token and are accepted (they are validated on their own)
    body = json.dumps({"asset": asset.id, "pages": {"1": 2}})
    beacon = browser.post(f"/s/{link}/beacon", data=body, content_type="text/plain", base_url=base)
    assert beacon.status_code == 204


def test_signed_in_users_preview_without_being_tracked(rep_client, users):
    asset = make_pdf_asset(users["marketer"], pages=2)
    share = make_share(users["rep"], asset, require_email=True)
    response = rep_client.get(f"/s/{share.token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "this is a preview" in html and 'data-tracked="0"' in html
    assert rep_client.get(f"/s/{share.token}/a/{asset.id}/pages/1.png").status_code == 200
    assert rep_client.get(f"/s/{share.token}/a/{asset.id}/download").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ShareVisit)) == 0
    assert _events(EventKind.SHARE_OPEN) == [] and _events(EventKind.SHARE_DOWNLOAD) == []


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_pptx_with_libreoffice_is_shown_as_slide_images(client, users):
    deck = make_asset(users["marketer"], title="Product tour", kind="pptx", text="Faster month-end close")
    share = make_share(users["rep"], deck)
    html = client.get(f"/s/{share.token}").get_data(as_text=True)
    assert f"/s/{share.token}/a/{deck.id}/pages/1.png" in html
    assert f"/s/{share.token}/a/{deck.id}/pages/2.png" in html
    image = client.get(f"/s/{share.token}/a/{deck.id}/pages/2.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
