"""Personas and stages, managed by marketers and admins."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user

from hub.access import role_required
from hub.extensions import db
from hub.models import Role
from hub.taxonomy import service
from hub.taxonomy.forms import ConfirmForm
from hub.taxonomy.forms import MoveForm
from hub.taxonomy.forms import TermForm

bp = Blueprint("taxonomy", __name__)


def _model(kind: str):
    model = service.KINDS.get(kind)
    if model is None:
        abort(404)
    return model


def _term(kind: str, term_id: int):
    return db.get_or_404(_model(kind), term_id)


def _back(kind: str):
    return redirect(url_for("taxonomy.index", _anchor=kind))


@bp.route("/taxonomy")
@role_required(Role.ADMIN, Role.MARKETER)
def index():
    return _page()


def _page(status: int = 200, forms: dict | None = None):
    sections = []
    for kind, model in service.KINDS.items():
        form = (forms or {}).get(kind) or TermForm(prefix=kind, formdata=None)
        sections.append(
            {
                "kind": kind,
                "title": "Personas" if kind == "personas" else "Buyer-journey stages",
                "terms": service.ordered(model),
                "counts": service.asset_counts(model),
                "form": form,
            }
        )
    return render_template("taxonomy/index.html", sections=sections, confirm=ConfirmForm()), status


@bp.route("/taxonomy/<kind>/add", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def add(kind: str):
    model = _model(kind)
    form = TermForm(prefix=kind)
    if not form.validate():
        flash("Give it a name (80 characters at most).", "danger")
        return _page(422, {kind: form})
    try:
        term = service.add_term(model, form.name.data, acting=current_user, description=form.description.data)
    except service.TaxonomyError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _page(422, {kind: form})
    flash(f"Added “{term.name}”.", "success")
    return _back(kind)


@bp.route("/taxonomy/<kind>/<int:term_id>/rename", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def rename(kind: str, term_id: int):
    term = _term(kind, term_id)
    form = TermForm(prefix=f"t{term.id}")
    if not form.validate():
        flash("A name is required (80 characters at most).", "danger")
        return _page(422)
    try:
        service.rename_term(term, form.name.data, acting=current_user, description=form.description.data)
    except service.TaxonomyError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _page(422)
    flash(f"Saved “{term.name}”.", "success")
    return _back(kind)


@bp.route("/taxonomy/<kind>/<int:term_id>/move", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def move(kind: str, term_id: int):
    term = _term(kind, term_id)
    form = MoveForm()
    if form.validate() and form.direction.data in ("up", "down"):
        service.move_term(term, form.direction.data, acting=current_user)
    return _back(kind)


@bp.route("/taxonomy/<kind>/<int:term_id>/retire", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def retire(kind: str, term_id: int):
    term = _term(kind, term_id)
    if ConfirmForm().validate():
        service.retire_term(term, acting=current_user)
        flash(
            f"Retired “{term.name}”. Assets tagged with it keep it; it is no longer offered for new ones.",
            "success",
        )
    return _back(kind)


@bp.route("/taxonomy/<kind>/<int:term_id>/restore", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def restore(kind: str, term_id: int):
    term = _term(kind, term_id)
    if ConfirmForm().validate():
        service.restore_term(term, acting=current_user)
        flash(f"“{term.name}” is active again.", "success")
    return _back(kind)
