"""Read-only queries behind the library pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import Select
from sqlalchemy import Table
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all

from hub.database import Prepared
from hub.database import session_cursor
from hub.extensions import db
from hub.models import Asset
from hub.models import AssetStatus
from hub.models import AssetType
from hub.models import AssetVersion
from hub.models import EventKind
from hub.models import Persona
from hub.models import Role
from hub.models import Stage
from hub.models import Tag
from hub.models import UsageEvent
from hub.models import User
from hub.models import utcnow
from hub.models.asset import asset_persona
from hub.models.asset import asset_stage
from hub.models.asset import asset_tag
from hub.routing import parse_id

SORTS = {
    "title": Asset.title,
    "type": Asset.asset_type,
    "updated": Asset.updated_at,
    "created": Asset.created_at,
    "expires": Asset.expires_on,
}
STATUSES = ("active", "expired", "archived", "all")


@dataclass
class LibraryFilters:
    q: str = ""
    persona: int | None = None
    stage: int | None = None
    asset_type: str = ""
    status: str = "active"
    owner: int | None = None
    sort: str = "updated"
    order: str = "desc"

    def args(self) -> dict:
        values = {
            "q": self.q,
            "persona": self.persona,
            "stage": self.stage,
            "type": self.asset_type,
            "status": self.status,
            "owner": self.owner,
            "sort": self.sort,
            "order": self.order,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}


def parse_filters(args) -> LibraryFilters:
    def as_int(name):
        return parse_id(args.get(name))

    asset_type = args.get("type", "")
    status = args.get("status", "active")
    sort = args.get("sort", "updated")
    return LibraryFilters(
        q=args.get("q", "").strip()[:200],
        persona=as_int("persona"),
        stage=as_int("stage"),
        asset_type=asset_type if asset_type in {t.value for t in AssetType} else "",
        status=status if status in STATUSES else "active",
        owner=as_int("owner"),
        sort=sort if sort in SORTS else "updated",
        order="asc" if args.get("order") == "asc" else "desc",
    )


def library_query(filters: LibraryFilters, today: date | None = None) -> Select:
    today = today or utcnow().date()
    query = select(Asset)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(or_(func.lower(Asset.title).like(like), func.lower(Asset.description).like(like)))
    if filters.persona:
        query = query.where(
            Asset.id.in_(
                select(asset_persona.c.asset_id).where(asset_persona.c.persona_id == filters.persona)
            )
        )
    if filters.stage:
        query = query.where(
            Asset.id.in_(select(asset_stage.c.asset_id).where(asset_stage.c.stage_id == filters.stage))
        )
    if filters.asset_type:
        query = query.where(Asset.asset_type == AssetType(filters.asset_type))
    if filters.owner:
        query = query.where(Asset.owner_id == filters.owner)
    not_expired = or_(Asset.expires_on.is_(None), Asset.expires_on >= today)
    if filters.status == "active":
        query = query.where(Asset.status == AssetStatus.PUBLISHED, not_expired)
    elif filters.status == "expired":
        query = query.where(Asset.status == AssetStatus.PUBLISHED, Asset.expires_on < today)
    elif filters.status == "archived":
        query = query.where(Asset.status == AssetStatus.ARCHIVED)
    column = SORTS[filters.sort]
    ordered = column.asc() if filters.order == "asc" else column.desc()
    if filters.sort == "expires":
        ordered = ordered.nulls_last()
    return query.order_by(ordered, Asset.id.desc())


def expiring_soon(owner: User | None, days: int, today: date | None = None) -> list[Asset]:
    """Published assets expiring within `days` or already expired; one owner's, or everyone's for None."""
    today = today or utcnow().date()
    query = select(Asset).where(
        Asset.status == AssetStatus.PUBLISHED,
        Asset.expires_on.is_not(None),
        Asset.expires_on <= today + timedelta(days=days),
    )
    if owner is not None:
        query = query.where(Asset.owner_id == owner.id)
    return list(db.session.scalars(query.order_by(Asset.expires_on, Asset.title).limit(50)))


class Label(NamedTuple):
    name: str
    is_retired: bool


class VersionRow(NamedTuple):
    id: int
    number: int
    filename: str
    size: int
    created_at: datetime
    note: str | None
    uploaded_by: str | None


@dataclass(frozen=True)
class AssetDetails:
    """What the asset page lists beside the asset itself: its terms, tags, versions and usage."""

    personas: list[Label]
    stages: list[Label]
    tags: list[str]
    versions: list[VersionRow]
    counts: dict[str, int]


def asset_details(asset_id: int) -> AssetDetails:
    """Read as rows on a driver cursor: as ORM collections, these took a quarter of every asset page."""
    params = {"asset_id": asset_id}
    with session_cursor(db.session) as cursor:
        labels = sorted(_ASSET_LABELS.all(cursor, params), key=lambda row: (row[1], row[2]))
        versions = [VersionRow(*row) for row in _ASSET_VERSIONS.all(cursor, params)]
        counted = _USAGE_COUNTS.all(cursor, params)
    counts = {kind.value: 0 for kind in _COUNTED}
    counts.update({EventKind(kind).value: n for kind, n in counted if kind in _COUNTED})
    return AssetDetails(
        personas=[Label(name, retired) for kind, _order, name, retired in labels if kind == "persona"],
        stages=[Label(name, retired) for kind, _order, name, retired in labels if kind == "stage"],
        tags=[name for kind, _order, name, _retired in labels if kind == "tag"],
        versions=versions,
        counts=counts,
    )


def _terms_of(model: type[Persona] | type[Stage], link: Table, key: str) -> Select:
    return (
        select(
            literal(model.__tablename__).label("kind"),
            model.position.label("position"),
            model.name.label("name"),
            model.retired_at.is_not(None).label("retired"),
        )
        .join(link, link.c[key] == model.id)
        .where(link.c.asset_id == bindparam("asset_id"))
    )


# the three lists in one statement; asset_details puts terms in their set order and tags by name
_ASSET_LABELS = Prepared(
    union_all(
        _terms_of(Persona, asset_persona, "persona_id"),
        _terms_of(Stage, asset_stage, "stage_id"),
        select(literal("tag"), literal(0), Tag.name, literal(False))
        .join(asset_tag, asset_tag.c.tag_id == Tag.id)
        .where(asset_tag.c.asset_id == bindparam("asset_id")),
    )
)
_ASSET_VERSIONS = Prepared(
    select(
        AssetVersion.id,
        AssetVersion.number,
        AssetVersion.filename,
        AssetVersion.size,
        AssetVersion.created_at,
        AssetVersion.note,
        User.name,
    )
    .outerjoin(User, User.id == AssetVersion.uploaded_by_id)
    .where(AssetVersion.asset_id == bindparam("asset_id"))
    .order_by(AssetVersion.number.desc())
)
_COUNTED = (EventKind.VIEW, EventKind.DOWNLOAD, EventKind.SHARE)
_USAGE_COUNTS = Prepared(
    # every kind, the few not shown dropped after: an IN list needs SQLAlchemy's expansion at run time
    select(UsageEvent.kind, func.count())
    .where(UsageEvent.asset_id == bindparam("asset_id"))
    .group_by(UsageEvent.kind)
)


def content_owners() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.ADMIN, Role.MARKETER]), User.is_active_account.is_(True))
            .order_by(User.name)
        )
    )


def terms(model: type[Persona] | type[Stage], include: list | tuple = ()) -> list:
    """Active terms in order, plus any retired ones in `include` (kept on an existing asset)."""
    keep = [t.id for t in include]
    condition = model.retired_at.is_(None)
    if keep:
        condition = or_(condition, model.id.in_(keep))
    return list(db.session.scalars(select(model).where(condition).order_by(model.position, model.name)))


def all_terms(model: type[Persona] | type[Stage]) -> list:
    """Every term, retired ones last, for filters over old content."""
    return list(
        db.session.scalars(select(model).order_by(model.retired_at.is_not(None), model.position, model.name))
    )


def version_of(asset: Asset, version_id: int) -> AssetVersion | None:
    return db.session.scalar(
        select(AssetVersion).where(and_(AssetVersion.id == version_id, AssetVersion.asset_id == asset.id))
    )


def text_start(version: AssetVersion, chars: int) -> str | None:
    """The first `chars` + 1 characters of a version's text (the one more says whether it goes on),
    read without loading all of it: a long report's text runs to millions of characters."""
    return db.session.scalar(
        select(func.substr(AssetVersion.extracted_text, 1, chars + 1)).where(AssetVersion.id == version.id)
    )


def duplicates_of(asset: Asset) -> list[int]:
    """Other assets whose versions hold exactly the bytes of this asset's current file."""
    if asset.current_version is None:
        return []
    return list(
        db.session.scalars(
            select(AssetVersion.asset_id)
            .where(
                AssetVersion.blob_sha256 == asset.current_version.blob_sha256,
                AssetVersion.asset_id != asset.id,
            )
            .distinct()
            .order_by(AssetVersion.asset_id)
        )
    )
