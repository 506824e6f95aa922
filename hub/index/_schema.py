"""The index schema, its version, and how an asset becomes a document."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID
from whoosh.fields import KEYWORD
from whoosh.fields import NUMERIC
from whoosh.fields import STORED
from whoosh.fields import TEXT
from whoosh.fields import Schema

from hub.models import Asset

# bump whenever get_schema() or to_document() changes; a mismatch triggers a rebuild from the database
SCHEMA_VERSION = 5
VERSION_FILE = "hub-schema-version"
# searches go to one combined field: one posting list per word is several times faster in Whoosh than
# a union over four fields; title and tags weigh more by being repeated in it
DEFAULT_FIELD = "text"
TEXT_FIELDS = ("text", "title", "description", "tags")
TITLE_REPEAT = 3
TAG_REPEAT = 2
NO_EXPIRY = 99991231


def get_schema() -> Schema:
    stem = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=stem, stored=True),
        description=TEXT(analyzer=stem, stored=True),
        tags=KEYWORD(commas=True, lowercase=True, scorable=True, stored=True),
        # title, tags, description and the current version's extracted text
        text=TEXT(analyzer=stem, spelling=True),
        # the start of the text, kept so result snippets need no database read
        excerpt=STORED(),
        personas=KEYWORD(commas=True, stored=True),
        stages=KEYWORD(commas=True, stored=True),
        type=ID(stored=True),
        owner=ID(stored=True),
        status=ID(stored=True),
        expires_on=NUMERIC(int, bits=32, stored=True, sortable=True),
        created=NUMERIC(int, bits=64, stored=True, sortable=True),
        updated=NUMERIC(int, bits=64, stored=True, sortable=True),
    )


def day_number(value: date | None) -> int:
    """A date as yyyymmdd, so date filters are integer comparisons."""
    if value is None:
        return NO_EXPIRY
    return value.year * 10000 + value.month * 100 + value.day


def timestamp(value: datetime | None) -> int:
    """Microseconds, so an edit in the same second as the last indexing still shows as a change."""
    return int(value.timestamp() * 1_000_000) if value is not None else 0


def asset_text(asset: Asset) -> str:
    version = asset.current_version
    return (version.extracted_text or "") if version is not None else ""


def to_document(asset: Asset, *, excerpt_chars: int) -> dict:
    text = asset_text(asset)
    tags = [tag.name for tag in asset.tags]
    combined = " \n ".join([asset.title] * TITLE_REPEAT + tags * TAG_REPEAT + [asset.description or "", text])
    doc = {
        "id": str(asset.id),
        "title": asset.title,
        "description": asset.description or "",
        "tags": ",".join(tags),
        "text": combined,
        "excerpt": text[:excerpt_chars],
        "personas": ",".join(str(p.id) for p in asset.personas),
        "stages": ",".join(str(s.id) for s in asset.stages),
        "type": asset.asset_type.value,
        "status": asset.status.value,
        "expires_on": day_number(asset.expires_on),
        "created": timestamp(asset.created_at),
        "updated": timestamp(asset.updated_at),
    }
    if asset.owner_id is not None:
        doc["owner"] = str(asset.owner_id)
    return doc
