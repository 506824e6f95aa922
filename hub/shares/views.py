"""The rep's side of share links: create, list with engagement, revoke, change expiry, activity feed."""

from __future__ import annotations

import math
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from hub.access import role_required
from hub.extensions import db
from hub.models import Asset
from hub.models import Deal
from hub.models import Role
from hub.models import ShareLink
from hub.models import utcnow
from hub.shares import queries
from hub.shares import service
from hub.shares.engagement import asset_engagement
from hub.shares.engagement import engaged_asset_ids
from hub.shares.engagement import engagement_for
from hub.shares.forms import ExpiryForm
from hub.shares.forms import RevokeForm
from hub.shares.forms import ShareForm

bp = Blueprint("shares", __name__)

PAGE_SIZE = 20
STATUSES = ("live", "expired", "revoked")
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
MAX_PICKED = 100


@bp.app_context_processor
def _share_globals() -> dict:
    return {"nav_unread": nav_unread, "share_url": share_url, "share_engagement": asset_engagement}


def nav_unread() -> int:
    """New prospect activity on the signed-in user's links, counted only by pages that show it."""
    if not current_user.is_authenticated:
        return 0
    if "hub_nav_unread" not in g:
        g.hub_nav_unread = queries.unread_count(current_user)
    return g.hub_nav_unread


def share_url(share: ShareLink) -> str:
    """The address to send to the prospect (HUB_PUBLIC_URL when set, else this server's)."""
    base = current_app.config.get("HUB_PUBLIC_URL")
    path = url_for("viewer.view", token=share.token)
    return f"{base}{path}" if base else url_for("viewer.view", token=share.token, _external=True)


@bp.route("/shares")
@role_required()
def index():
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    mine = request.args.get("scope") == "mine" or not current_user.can_manage_content
    page = request.args.get("page", 1, type=int) or 1
    stmt = service.visible_shares(current_user)
    if mine:
        stmt = stmt.where(ShareLink.created_by_id == current_user.id)
    stmt = _with_status(stmt, status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = max(1, min(page, pages))
    links = db.session.scalars(
        stmt.order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    ids = [link.id for link in links]
    series = queries.page_series(ids)
    charts = {f"share-{link_id}": queries.chart_data(series.get(link_id, [])) for link_id in ids}
    recent, _total = queries.activity(current_user)
    return render_template(
        "shares/index.html",
        links=links,
        stats=queries.link_stats(ids),
        charts=charts,
        recent=recent[:5],
        status=status,
        scope="mine" if mine else "all",
        page=page,
        pages=pages,
        total=total,
    )


@bp.route("/shares/new", methods=["GET", "POST"])
@role_required()
def create():
    form = ShareForm()
    submitted = (
        (form.asset_id.data or []) if form.is_submitted() else request.args.getlist("asset_id", type=int)
    )
    # a tampered form may name thousands of ids; more than this cannot be shown or shared anyway
    selected = list(dict.fromkeys(i for i in submitted if _is_id(i)))[:MAX_PICKED]
    deal_id = form.deal_id.data if form.is_submitted() else request.args.get("deal_id", 0, type=int)
    deal = _usable_deal(deal_id) if deal_id else None
    form.deal_id.choices = [SelectChoice(0, "No deal")] + [
        SelectChoice(d.id, f"{d.name} · {d.account}" if d.account else d.name)
        for d in queries.deal_choices(current_user, include=deal)
    ]
    if not form.is_submitted():
        form.asset_id.data = selected
        form.deal_id.data = deal.id if deal else 0
        form.expires_on.data = (
            utcnow() + timedelta(days=current_app.config["HUB_SHARE_DEFAULT_DAYS"])
        ).date()
        if deal is not None and not form.recipient_company.data:
            form.recipient_company.data = deal.account
    status = 200
    if form.validate_on_submit():
        try:
            share = service.create_share(
                created_by=current_user,
                assets=_chosen_assets(submitted),
                deal=deal,
                title=form.title.data,
                recipient_name=form.recipient_name.data,
                recipient_email=form.recipient_email.data,
                recipient_company=form.recipient_company.data,
                note=form.note.data,
                expires_at=_end_of_day(form.expires_on.data),
                allow_download=form.allow_download.data,
                require_email=form.require_email.data,
            )
        except service.ShareError as exc:
            flash(str(exc), "danger")
            status = 422
        else:
            flash("Link created. Copy it and send it to your prospect.", "success")
            return redirect(url_for("shares.detail", share_id=share.id, created=1))
    elif form.is_submitted():
        flash("Please correct the highlighted fields.", "danger")
        status = 422
    q = request.args.get("q", "").replace("\x00", "")
    chosen, others = queries.shareable_assets(q, selected)
    return (
        render_template("shares/new.html", form=form, chosen=chosen, others=others, deal=deal, q=q),
        status,
    )


@bp.route("/shares/<int:share_id>")
@role_required()
def detail(share_id: int):
    share = _own_share(share_id)
    series = queries.page_series([share.id]).get(share.id, [])
    charts = {f"asset-{s.asset.id}": {"labels": s.labels, "values": s.values} for s in series}
    last_day = _last_day(share.expires_at)
    expiry = ExpiryForm(formdata=None, expires_on=last_day)
    return render_template(
        "shares/detail.html",
        share=share,
        stats=queries.link_stats([share.id])[share.id],
        series=series,
        charts=charts,
        visits=queries.visits_of(share),
        expiry_form=expiry,
        last_day=last_day if share.expires_at and share.expires_at.time() == time() else None,
        revoke_form=RevokeForm(formdata=None),
        created=request.args.get("created") == "1",
    )


@bp.route("/shares/<int:share_id>/revoke", methods=["POST"])
@role_required()
def revoke(share_id: int):
    share = _own_share(share_id)
    if RevokeForm().validate_on_submit():
        service.revoke_share(share, acting=current_user)
        flash("Link revoked. The prospect now sees that it is no longer available.", "success")
    return redirect(url_for("shares.detail", share_id=share.id))


@bp.route("/shares/<int:share_id>/expiry", methods=["POST"])
@role_required()
def expiry(share_id: int):
    share = _own_share(share_id)
    form = ExpiryForm()
    if not form.validate_on_submit():
        flash("Enter the expiry as a date, or leave it empty for no expiry.", "danger")
        return redirect(url_for("shares.detail", share_id=share.id))
    try:
        service.change_expiry(share, _end_of_day(form.expires_on.data), acting=current_user)
    except service.ShareError as exc:
        flash(str(exc), "danger")
    else:
        when = form.expires_on.data
        flash(
            f"The link now expires at the end of {when:%Y-%m-%d}." if when else "The link no longer expires.",
            "success",
        )
    return redirect(url_for("shares.detail", share_id=share.id))


@bp.route("/shares/activity")
@role_required()
def activity():
    page = max(1, min(request.args.get("page", 1, type=int) or 1, MAX_PAGE))
    items, total = queries.activity(current_user, page)
    # render with the unread marks first, then mark them seen for the next visit
    body = render_template(
        "shares/activity.html",
        items=items,
        page=page,
        pages=max(1, math.ceil(total / queries.FEED_PAGE_SIZE)),
        total=total,
    )
    service.mark_activity_seen(current_user)
    return body


@bp.route("/shares/engagement")
@role_required(Role.ADMIN, Role.MARKETER)
def engagement():
    page = max(1, min(request.args.get("page", 1, type=int) or 1, MAX_PAGE))
    ids, total = engaged_asset_ids(PAGE_SIZE, (page - 1) * PAGE_SIZE)
    assets = {a.id: a for a in db.session.scalars(select(Asset).where(Asset.id.in_(ids)))}
    data = engagement_for(ids)
    rows = [(assets[i], data[i]) for i in ids if i in assets]
    return render_template(
        "shares/engagement.html",
        rows=rows,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        total=total,
    )


def _is_id(value: object) -> bool:
    """A plausible row id: ids beyond a 32-bit integer cannot exist and would upset PostgreSQL."""
    return isinstance(value, int) and 0 < value <= MAX_ID


def _chosen_assets(ids: list[int]) -> list[Asset]:
    """The assets picked in the form, in order; ShareError for too many or for ids that do not exist."""
    unique = list(dict.fromkeys(ids))
    if len(unique) > service.MAX_ASSETS:
        raise service.ShareError(f"A share can hold at most {service.MAX_ASSETS} assets.")
    plausible = [i for i in unique if _is_id(i)]
    found = {a.id: a for a in db.session.scalars(select(Asset).where(Asset.id.in_(plausible)))}
    if len(found) != len(unique):
        raise service.ShareError("One of the chosen assets no longer exists.")
    return [found[i] for i in unique]


def _own_share(share_id: int) -> ShareLink:
    if not _is_id(share_id):
        abort(404)
    share = db.get_or_404(ShareLink, share_id)
    if not service.can_manage(current_user, share):
        abort(404)
    return share


def _usable_deal(deal_id: int) -> Deal:
    if not _is_id(deal_id):
        abort(404)
    deal = db.get_or_404(Deal, deal_id)
    if not service.can_use_deal(current_user, deal):
        abort(404)
    return deal


def _with_status(stmt, status: str):
    now = utcnow()
    live = ShareLink.expires_at.is_(None) | (ShareLink.expires_at > now)
    if status == "live":
        return stmt.where(ShareLink.revoked_at.is_(None), live)
    if status == "expired":
        return stmt.where(ShareLink.revoked_at.is_(None), ShareLink.expires_at <= now)
    if status == "revoked":
        return stmt.where(ShareLink.revoked_at.is_not(None))
    return stmt


def _end_of_day(day) -> datetime | None:
    """A date picked in the form means the link works through that whole day (UTC)."""
    if day is None:
        return None
    # 9999-12-31 has no next day; a date that far out is refused by the service anyway
    return datetime.combine(min(day, date.max - timedelta(days=1)) + timedelta(days=1), time())


def _last_day(expires_at: datetime | None) -> date | None:
    """The last day a link works, as the form shows it: the inverse of _end_of_day."""
    return None if expires_at is None else (expires_at - timedelta(microseconds=1)).date()
