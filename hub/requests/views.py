"""Content requests (reps ask, marketing answers) and rep feedback on assets."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from hub.access import role_required
from hub.auth.redirects import local_path
from hub.extensions import db
from hub.models import Asset
from hub.models import ContentRequest
from hub.models import Persona
from hub.models import RequestStatus
from hub.models import Stage
from hub.requests import service
from hub.requests.forms import RATING_MESSAGE
from hub.requests.forms import AnswerForm
from hub.requests.forms import FeedbackForm
from hub.requests.forms import RequestFilterForm
from hub.requests.forms import RequestForm
from hub.routing import parse_id

bp = Blueprint("requests", __name__)

PER_PAGE = 25
MAX_PAGE = 100_000


def _term_choices(model) -> list[SelectChoice]:
    terms = db.session.scalars(
        select(model).where(model.retired_at.is_(None)).order_by(model.position, model.name)
    )
    return [SelectChoice(0, "Any")] + [SelectChoice(term.id, term.name) for term in terms]


def _request_form() -> RequestForm:
    form = RequestForm()
    form.persona.choices = _term_choices(Persona)
    form.stage.choices = _term_choices(Stage)
    return form


def _page() -> int:
    # the cap keeps the offset within SQL's range
    return min(parse_id(request.args.get("page")) or 1, MAX_PAGE)


@bp.route("/requests", methods=["GET", "POST"])
@role_required()
def index():
    form = _request_form()
    if request.method == "GET":
        # prefill from links such as the coverage grid's "request content for this cell"
        for name in ("persona", "stage"):
            value = parse_id(request.args.get(name))
            if value in {c.value for c in getattr(form, name).choices}:
                getattr(form, name).data = value
    status = 200
    if form.validate_on_submit():
        try:
            item = service.file_request(
                requester=current_user,
                title=form.title.data,
                details=form.details.data,
                persona_id=form.persona.data or None,
                stage_id=form.stage.data or None,
            )
        except service.RequestError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            status = 422
        else:
            flash(f"Request “{item.title}” sent to marketing. You will see the answer here.", "success")
            return redirect(url_for("requests.index"))
    elif form.is_submitted():
        flash("Please correct the highlighted fields.", "danger")
        status = 422

    filters = RequestFilterForm(request.args)
    if not filters.validate():
        filters.status.data = "active"
    show = filters.status.data
    pagination = db.paginate(
        service.requests_query(current_user, show), page=_page(), per_page=PER_PAGE, error_out=False
    )
    return (
        render_template("requests/index.html", form=form, filters=filters, show=show, pagination=pagination),
        status,
    )


@bp.route("/requests/<int:request_id>", methods=["GET", "POST"])
@role_required()
def detail(request_id: int):
    item = db.get_or_404(ContentRequest, request_id)
    if not service.can_see(current_user, item):
        abort(404)
    form = AnswerForm(obj=item) if current_user.can_manage_content else None
    status = 200
    if form is not None and not form.is_submitted():
        form.status.data = item.status.value
        form.asset_id.data = item.asset_id
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            try:
                service.answer_request(
                    item,
                    acting=current_user,
                    status=RequestStatus(form.status.data),
                    response=form.response.data,
                    asset_id=form.asset_id.data,
                )
            except service.RequestError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                status = 422
            else:
                flash(f"Request marked {item.status.label.lower()}.", "success")
                return redirect(url_for("requests.detail", request_id=item.id))
        else:
            flash("Please correct the highlighted fields.", "danger")
            status = 422
    return render_template("requests/detail.html", item=item, form=form), status


@bp.route("/assets/<int:asset_id>/feedback", methods=["POST"])
@role_required()
def feedback(asset_id: int):
    asset = db.get_or_404(Asset, asset_id)
    if asset.is_archived and not current_user.can_manage_content:
        abort(404)
    form = FeedbackForm()
    back = local_path(form.next.data) or url_for("library.asset", asset_id=asset.id)
    if form.validate_on_submit():
        try:
            service.record_feedback(
                asset=asset, user=current_user, rating=form.rating.data, comment=form.comment.data
            )
        except service.RequestError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash("Thanks, your rating was sent to marketing.", "success")
            return redirect(f"{back}#feedback", code=303)
    elif form.rating.errors:
        flash(RATING_MESSAGE, "danger")
    else:
        flash("Your comment is too long: 2,000 characters at most.", "danger")
    return render_template("requests/feedback.html", asset=asset, form=form, back=back), 422
