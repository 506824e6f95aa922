"""URL converters and checks shared by every blueprint."""

from __future__ import annotations

from flask import Flask
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

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


class HubRequest(Request):
    """A request whose query-string values hold no NUL character.

    No search, filter or page number holds one, and PostgreSQL refuses one in any text it compares, so
    `?q=%00` made every query that used it fail. Dropped here, once, the value reads as what was meant.
    """

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:
        # Request.args (also a cached property) parses the query string; this replaces its cached value
        return ImmutableMultiDict(
            (key.replace("\x00", ""), value.replace("\x00", ""))
            for key, value in super().args.items(multi=True)
        )


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.request_class = HubRequest
