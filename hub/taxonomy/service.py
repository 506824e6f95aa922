"""Personas and stages: add, rename, reorder, retire and un-retire. Nothing is ever deleted."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from hub import audit
from hub.extensions import db
from hub.models import Persona
from hub.models import Stage
from hub.models import User
from hub.models import utcnow

Term = Persona | Stage
KINDS: dict[str, type[Persona] | type[Stage]] = {"personas": Persona, "stages": Stage}


class TaxonomyError(ValueError):
    """A change the user asked for cannot be made; the message says why."""


def _label(model) -> str:
    return "persona" if model is Persona else "stage"


def ordered(model) -> list:
    return list(db.session.scalars(select(model).order_by(model.position, model.id)))


def _clean_name(model, name: str | None, exclude_id: int | None = None) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise TaxonomyError(f"Give the {_label(model)} a name.")
    if len(clean) > 80:
        raise TaxonomyError("Names are 80 characters at most.")
    query = select(model).where(func.lower(model.name) == clean.lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    clash = db.session.scalar(query)
    if clash is not None:
        state = " (retired; un-retire it instead)" if clash.is_retired else ""
        raise TaxonomyError(f"There is already a {_label(model)} called “{clash.name}”{state}.")
    return clean


def add_term(model, name: str, *, acting: User, description: str | None = None):
    clean = _clean_name(model, name)
    last = db.session.scalar(select(func.max(model.position))) or 0
    term = model(name=clean, description=(description or "").strip() or None, position=last + 1)
    db.session.add(term)
    db.session.flush()
    audit.log(
        f"{_label(model)}.add", user_id=acting.id, target_type=_label(model), target_id=term.id, detail=clean
    )
    db.session.commit()
    return term


def rename_term(term: Term, name: str, *, acting: User, description: str | None = None) -> Term:
    model = type(term)
    clean = _clean_name(model, name, exclude_id=term.id)
    old = term.name
    term.name = clean
    if description is not None:
        term.description = description.strip() or None
    audit.log(
        f"{_label(model)}.rename",
        user_id=acting.id,
        target_type=_label(model),
        target_id=term.id,
        detail=f"{old} → {clean}",
    )
    db.session.commit()
    _reindex_assets_with(term)
    return term


def move_term(term: Term, direction: str, *, acting: User) -> Term:
    """Swap with the neighbour above ("up") or below ("down"); positions are renumbered 1..n first."""
    model = type(term)
    terms = ordered(model)
    for position, item in enumerate(terms, start=1):
        item.position = position
    index = terms.index(term)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or other < 0 or other >= len(terms):
        db.session.commit()
        return term
    terms[index].position, terms[other].position = terms[other].position, terms[index].position
    audit.log(
        f"{_label(model)}.move",
        user_id=acting.id,
        target_type=_label(model),
        target_id=term.id,
        detail=direction,
    )
    db.session.commit()
    return term


def retire_term(term: Term, *, acting: User) -> Term:
    """Hide from new uploads and filters; assets already tagged keep the term."""
    return _set_retired(term, True, acting)


def restore_term(term: Term, *, acting: User) -> Term:
    return _set_retired(term, False, acting)


def _set_retired(term: Term, retired: bool, acting: User) -> Term:
    if term.is_retired != retired:
        term.retired_at = utcnow() if retired else None
        label = _label(type(term))
        action = "retire" if retired else "restore"
        audit.log(
            f"{label}.{action}", user_id=acting.id, target_type=label, target_id=term.id, detail=term.name
        )
        db.session.commit()
    return term


def asset_counts(model) -> dict[int, int]:
    from hub.models.asset import asset_persona
    from hub.models.asset import asset_stage

    table = asset_persona if model is Persona else asset_stage
    column = table.c.persona_id if model is Persona else table.c.stage_id
    return dict(db.session.execute(select(column, func.count()).group_by(column)).all())


def _reindex_assets_with(term: Term) -> None:
    # asset documents carry term names, so a rename refreshes them
    from hub.library.service import reindex_assets
    from hub.models import Asset

    relation = Asset.personas if isinstance(term, Persona) else Asset.stages
    reindex_assets(db.session.scalars(select(Asset).where(relation.any(id=term.id))))
