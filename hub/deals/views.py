"""Deal pages: the list, one deal with its content timeline, outcome and content-use forms."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time

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
from hub.deals import cli as _cli  # noqa: F401  (registers import-deals)
from hub.deals import import_views as _import_views  # noqa: F401  (registers the import pages)
from hub.deals import queries
from hub.deals import service
from hub.deals.blueprint import bp
from hub.deals.forms import CloseDealForm
from hub.deals.forms import DealEditForm
from hub.deals.forms import LogUseForm
from hub.extensions import db
from hub.models import Asset
from hub.models import Deal
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.models import Persona
from hub.models import Stage
from hub.models import utcnow
from hub.routing import parse_id

PER_PAGE = 25

__all__ = ["bp"]


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


def _visible_deal(deal_id: int) -> Deal:
    deal = db.get_or_404(Deal, deal_id)
    if not queries.visible_to(current_user, deal):
        abort(404)
    return deal


def _terms(model) -> list:
    return list(db.session.scalars(select(model).where(model.retired_at.is_(None)).order_by(model.position)))


def _edit_form(deal: Deal) -> DealEditForm:
    form = DealEditForm(persona_id=deal.persona_id or 0, stage_id=deal.stage_id or 0)
    form.persona_id.choices = [
        SelectChoice(0, "— none —"),
        *[SelectChoice(p.id, p.name) for p in _terms(Persona)],
    ]
    form.stage_id.choices = [
        SelectChoice(0, "— none —"),
        *[SelectChoice(s.id, s.name) for s in _terms(Stage)],
    ]
    for select_field, current in ((form.persona_id, deal.persona), (form.stage_id, deal.stage)):
        if current is not None and current.id not in {choice.value for choice in select_field.choices}:
            select_field.choices.append(SelectChoice(current.id, f"{current.name} (retired)"))
    return form


def _use_form(deal: Deal | None = None, asset: Asset | None = None) -> LogUseForm:
    form = LogUseForm(
        asset_id=asset.id if asset else 0, deal_id=deal.id if deal else 0, used_on=utcnow().date()
    )
    form.asset_id.choices = [
        SelectChoice(0, "— choose an asset —"),
        *[SelectChoice(a.id, a.title) for a in queries.loggable_assets()],
    ]
    form.deal_id.choices = [
        SelectChoice(0, "— choose a deal —"),
        *[
            SelectChoice(d.id, f"{d.name} · {d.account or d.crm_id}")
            for d in queries.open_deal_choices(current_user)
        ],
    ]
    if deal is not None and deal.id not in {choice.value for choice in form.deal_id.choices}:
        form.deal_id.choices.append(SelectChoice(deal.id, deal.name))
    return form


def _used_at(day: date | None) -> datetime:
    today = utcnow().date()
    if day is None or day == today:
        return utcnow()
    # a past day without a time counts as midday, so it sorts sensibly in the timeline
    return datetime.combine(day, time(12, 0))


@bp.route("/deals")
@role_required()
def index():
    status = request.args.get("status", "")
    filters = {
        "status": DealStatus(status) if status in {s.value for s in DealStatus} else None,
        "owner_id": _int_arg("owner"),
        "stage_id": _int_arg("stage"),
        "persona_id": _int_arg("persona"),
        "q": request.args.get("q", "").strip()[:200],
    }
    query = queries.deal_query(current_user, **filters)
    deals, total, pages = queries.page_of(query, _int_arg("page") or 1, PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "deals/index.html",
        deals=deals,
        total=total,
        page=min(_int_arg("page") or 1, pages),
        pages=pages,
        args=args,
        owners=queries.owners_with_deals() if queries.can_see_all(current_user) else [],
        stages=_terms(Stage),
        personas=_terms(Persona),
        statuses=list(DealStatus),
    )


@bp.route("/deals/<int:deal_id>")
@role_required()
def detail(deal_id: int):
    deal = _visible_deal(deal_id)
    return _render_detail(deal)


def _render_detail(deal: Deal, *, edit_form=None, close_form=None, use_form=None, status: int = 200):
    from hub.search.recommend import recommend_for

    editable = queries.can_edit(current_user, deal)
    close_form = close_form or CloseDealForm(
        status=DealStatus.WON.value if deal.status == DealStatus.OPEN else DealStatus.OPEN.value,
        closed_on=deal.closed_on if deal.status.is_closed else utcnow().date(),
    )
    return (
        render_template(
            "deals/detail.html",
            deal=deal,
            editable=editable,
            edit_form=edit_form or _edit_form(deal),
            close_form=close_form,
            use_form=use_form or _use_form(deal=deal),
            timeline=queries.timeline(deal),
            shares=queries.shares_for(deal),
            recommendations=recommend_for(deal.persona_id, deal.stage_id),
        ),
        status,
    )


@bp.route("/deals/<int:deal_id>/edit", methods=["POST"])
@role_required()
def edit(deal_id: int):
    deal = _visible_deal(deal_id)
    if not queries.can_edit(current_user, deal):
        abort(403)
    form = _edit_form(deal)
    if not form.validate_on_submit():
        flash("Choose a persona and a stage from the lists.", "danger")
        return _render_detail(deal, edit_form=form, status=400)
    service.update_deal(
        deal,
        persona=db.session.get(Persona, form.persona_id.data) if form.persona_id.data else None,
        stage=db.session.get(Stage, form.stage_id.data) if form.stage_id.data else None,
        acting=current_user,
        ip_address=request.remote_addr,
    )
    flash("Persona and stage saved. The recommendations below follow them.", "success")
    return redirect(url_for("deals.detail", deal_id=deal.id))


@bp.route("/deals/<int:deal_id>/close", methods=["POST"])
@role_required()
def close(deal_id: int):
    deal = _visible_deal(deal_id)
    if not queries.can_edit(current_user, deal):
        abort(403)
    form = CloseDealForm()
    if not form.validate_on_submit():
        flash("Choose won, lost or open, and a valid date.", "danger")
        return _render_detail(deal, close_form=form, status=400)
    status = DealStatus(form.status.data)
    try:
        service.close_deal(
            deal, status, form.closed_on.data, acting=current_user, ip_address=request.remote_addr
        )
    except service.DealError as exc:
        flash(str(exc), "danger")
        return _render_detail(deal, close_form=form, status=422)
    if status.is_closed:
        flash(
            f"Deal closed as {status.value} on {deal.closed_on:%Y-%m-%d}. Content used before that date gets the credit.",
            "success",
        )
    else:
        flash("Deal reopened.", "success")
    return redirect(url_for("deals.detail", deal_id=deal.id))


@bp.route("/deals/<int:deal_id>/uses", methods=["POST"])
@role_required()
def add_use(deal_id: int):
    deal = _visible_deal(deal_id)
    if not queries.can_edit(current_user, deal):
        abort(403)
    form = _use_form(deal=deal)
    form.deal_id.data = deal.id
    return _save_use(form, deal, lambda status: _render_detail(deal, use_form=form, status=status))


@bp.route("/deals/log-use", methods=["GET", "POST"])
@role_required()
def log_use():
    asset = db.session.get(Asset, _int_arg("asset_id") or 0)
    form = _use_form(asset=asset)

    def render(status: int = 200):
        return render_template("deals/log_use.html", form=form, asset=asset), status

    if not form.is_submitted():
        return render()
    deal = db.session.get(Deal, form.deal_id.data or 0)
    if deal is None or not queries.can_edit(current_user, deal):
        form.deal_id.errors = ["Choose one of your deals."]
        return render(400)
    return _save_use(form, deal, render)


def _save_use(form: LogUseForm, deal: Deal, render):
    if not form.validate_on_submit():
        flash("Please correct the highlighted fields.", "danger")
        return render(400)
    asset = db.session.get(Asset, form.asset_id.data)
    if asset is None:
        form.asset_id.errors = ["That asset no longer exists."]
        return render(400)
    try:
        service.log_asset_use(
            deal,
            asset,
            current_user,
            DealAssetSource(form.source.data),
            note=form.note.data,
            used_at=_used_at(form.used_on.data),
        )
    except service.DealError as exc:
        form.used_on.errors = [str(exc)]
        flash(str(exc), "danger")
        return render(422)
    flash(f"Logged “{asset.title}” as used in {deal.name}.", "success")
    return redirect(url_for("deals.detail", deal_id=deal.id))
