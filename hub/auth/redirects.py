"""Where a `next` parameter may send the browser: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2000


def local_path(target: str | None) -> str | None:
    """`target` when it is a same-site path such as "/search?q=x", else None.

    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil.com" and "/\\t/evil.com"
    would reach another site; control characters would also break the Location header.
    """
    if not target or len(target) > MAX_LENGTH or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch <= " " or ch == "\x7f" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
