"""Checks for link assets: only absolute http and https addresses."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from hub.uploads import UploadRejected


def check_url(url: str | None) -> str:
    value = (url or "").strip()
    if not value:
        raise UploadRejected("Enter the link's address.")
    if len(value) > 2000:
        raise UploadRejected("That address is too long (2,000 characters at most).")
    if any(ch.isspace() for ch in value):
        raise UploadRejected("A web address cannot contain spaces.")
    # control and invisible format characters (zero-width spaces, right-to-left overrides) disguise
    # where a link really goes
    if any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise UploadRejected("A web address cannot contain invisible or control characters.")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise UploadRejected("That is not a valid web address.") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise UploadRejected("Links must start with http:// or https://.")
    if parts.username is not None or parts.password is not None:
        # https://trusted.example@evil.example opens evil.example
        raise UploadRejected("Links cannot contain a user name or password before the host name.")
    if not parts.hostname or "." not in parts.hostname and parts.hostname != "localhost":
        raise UploadRejected("That address has no valid host name (for example https://example.com/video).")
    return value
