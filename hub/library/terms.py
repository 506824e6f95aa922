"""Personas, stages and free tags on an asset."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from hub.extensions import db
from hub.models import Asset
from hub.models import Persona
from hub.models import Stage
from hub.models import Tag


def set_terms(asset: Asset, persona_ids, stage_ids, tags) -> None:
    if persona_ids is not None:
        ids = {int(i) for i in persona_ids}
        asset.personas = list(db.session.scalars(select(Persona).where(Persona.id.in_(ids)))) if ids else []
    if stage_ids is not None:
        ids = {int(i) for i in stage_ids}
        asset.stages = list(db.session.scalars(select(Stage).where(Stage.id.in_(ids)))) if ids else []
    if tags is not None:
        asset.tags = tags_named(tags)


def tags_named(names: Iterable[str]) -> list[Tag]:
    wanted: dict[str, None] = {}
    for raw in names:
        name = " ".join(str(raw).split()).strip().lower()[:60]
        if name:
            wanted[name] = None
    if not wanted:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(list(wanted))))}
    result = []
    for name in wanted:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name)
            db.session.add(tag)
        result.append(tag)
    return result
