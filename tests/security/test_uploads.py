"""Uploaded files are only ever served as downloads, never rendered by the browser as Hub's own pages."""

from __future__ import annotations

import pytest

from hub.library.service import UploadRejected
from hub.library.service import create_file_asset
from tests.security.helpers import make_share

HTML = b"<!doctype html><html><body><script>window.__xss=1</script><p>Pricing</p></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'


def _assert_download(response, filename_end: str) -> None:
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert filename_end in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    # even opened directly, the file may run no script of its own
    assert "sandbox" in csp or "default-src 'none'" in csp or "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_uploaded_html_is_downloaded_not_rendered(marketer_client, users):
    asset = create_file_asset(
        data=HTML,
        filename="landing.html",
        title="Landing page",
        owner=users["marketer"],
        uploaded_by=users["marketer"],
    )
    response = marketer_client.get(f"/assets/{asset.id}/download")
    _assert_download(response, ".html")
    assert response.data == HTML
    version = asset.current_version
    assert (
        marketer_client.get(f"/assets/{asset.id}/versions/{version.id}/download")
        .headers["Content-Disposition"]
        .startswith("attachment;")
    )


def test_svg_is_refused_at_upload(users):
    with pytest.raises(UploadRejected, match="SVG"):
        create_file_asset(
            data=SVG,
            filename="logo.svg",
            title="Logo",
            owner=users["marketer"],
            uploaded_by=users["marketer"],
        )


def test_svg_renamed_as_text_stays_inert(marketer_client, users):
    """Even disguised as text, the bytes go out as an attachment with sniffing off."""
    asset = create_file_asset(
        data=SVG,
        filename="logo.txt",
        title="Logo text",
        owner=users["marketer"],
        uploaded_by=users["marketer"],
    )
    response = marketer_client.get(f"/assets/{asset.id}/download")
    _assert_download(response, ".txt")
    assert not response.mimetype.startswith("image/svg")


def test_share_viewer_download_is_an_attachment(client, users):
    share, asset = make_share(users["rep"])
    client.get(f"/s/{share.token}")
    response = client.get(f"/s/{share.token}/a/{asset.id}/download")
    _assert_download(response, ".pdf")
