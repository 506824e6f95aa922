"""View helpers shared by the library pages: form choices and JSON replies."""

from __future__ import annotations

from flask import jsonify
from flask import request
from flask import url_for
from wtforms.fields.choices import SelectChoice

from hub.errors import wants_json
from hub.library import queries
from hub.library.forms import AssetFieldsForm
from hub.library.pipeline import extraction_note
from hub.models import Asset
from hub.models import AssetType
from hub.models import Persona
from hub.models import Stage
from hub.models import User


def fill_choices(form: AssetFieldsForm, asset: Asset | None = None) -> None:
    """Live taxonomy in the selects; retired terms appear only when the asset already has them."""
    personas = queries.terms(Persona, asset.personas if asset else ())
    stages = queries.terms(Stage, asset.stages if asset else ())
    form.personas.choices = [
        SelectChoice(p.id, p.name + (" (retired)" if p.is_retired else "")) for p in personas
    ]
    form.stages.choices = [
        SelectChoice(s.id, s.name + (" (retired)" if s.is_retired else "")) for s in stages
    ]
    owners = queries.content_owners()
    if asset is not None and asset.owner is not None and asset.owner not in owners:
        owners.append(asset.owner)
    form.owner.choices = [SelectChoice(None, "No owner")] + [SelectChoice(u.id, u.name) for u in owners]


def load_into(form: AssetFieldsForm, asset: Asset) -> None:
    form.title.data = asset.title
    form.description.data = asset.description
    form.asset_type.data = asset.asset_type.value
    form.personas.data = [p.id for p in asset.personas]
    form.stages.data = [s.id for s in asset.stages]
    form.tags.data = ", ".join(t.name for t in asset.tags)
    form.owner.data = asset.owner_id
    form.expires_on.data = asset.expires_on


def form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else name
        parts.append(f"{label}: {' '.join(str(e) for e in errors)}")
    return "; ".join(parts) or "Please check the form."


def json_requested() -> bool:
    return wants_json() or request.headers.get("X-Requested-With") == "XMLHttpRequest"


def json_error(status: int, message: str, **extra):
    return jsonify({"error": {"status": status, "message": message, **extra}}), status


def asset_json(asset: Asset, duplicates: list[int]) -> dict:
    version = asset.current_version
    return {
        "id": asset.id,
        "title": asset.title,
        "url": url_for("library.asset", asset_id=asset.id),
        "filename": version.filename if version else None,
        "extraction": version.extraction_status.value if version else None,
        "extraction_note": (extraction_note(version).strip() or None) if version else None,
        "duplicate_of": duplicates,
    }


def owner_from(form: AssetFieldsForm) -> User | None:
    from hub.extensions import db

    return db.session.get(User, form.owner.data) if form.owner.data else None


def metadata_from(form: AssetFieldsForm) -> dict:
    """The service keyword arguments every asset form carries (all but the title)."""
    return dict(
        description=form.description.data,
        asset_type=AssetType(form.asset_type.data),
        owner=owner_from(form),
        persona_ids=form.personas.data or [],
        stage_ids=form.stages.data or [],
        tags=form.tag_list(),
        expires_on=form.expires_on.data,
    )
