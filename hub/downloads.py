"""Stored files sent to a browser: always an attachment, never sniffed, never run as a page."""

from __future__ import annotations

from flask import Response
from flask import send_file

from hub.models import AssetVersion
from hub.storage import blob_key
from hub.storage import get_storage
from hub.uploads import HTML

# types a browser could run or render as a page; always sent as opaque bytes
ACTIVE_TYPES = {HTML, "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml"}


def download_response(version: AssetVersion) -> Response:
    mimetype = "application/octet-stream" if version.mime_type in ACTIVE_TYPES else version.mime_type
    body = get_storage().open(blob_key(version.blob_sha256))
    response = send_file(
        body, mimetype=mimetype, as_attachment=True, download_name=version.filename, conditional=False
    )
    response.content_length = version.size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
