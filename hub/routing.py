"""URL converters and checks shared by every blueprint."""

from __future__ import annotations

from flask import Flask
from flask import abort
from flask import request
from werkzeug.routing import IntegerConverter

# ids are 32-bit integers in PostgreSQL; a larger number in a URL is simply a page that does not exist
MAX_ID = 2**31 - 1


def parse_id(raw: str | None) -> int | None:
    """A row id typed as text, or None; only ASCII digits count ("²".isdigit() is true, int("²") fails)."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


class IdConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def refuse_nul_in_query() -> None:
    """No filter, search or page holds a NUL character, and PostgreSQL refuses one in any text it
    compares: answered here once for every page instead of by each query that would fail."""
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400, "The address contains a NUL character (%00); remove it and try again.")


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_in_query)
