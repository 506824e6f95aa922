"""Admin area: users and roles, and the audit log."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from hub.access import role_required
from hub.admin import audit_log
from hub.admin.forms import AuditFilterForm
from hub.admin.forms import UserCreateForm
from hub.admin.forms import UserEditForm
from hub.auth import service
from hub.extensions import db
from hub.models import Role
from hub.models import User
from hub.models import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    # typed addresses end at the area's name; its first page is the user list
    return redirect(url_for("admin.users"))


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(
                form.email.data,
                form.name.data,
                form.password.data,
                Role(form.role.data),
                form.team.data,
                acting=current_user,
            )
        except service.AccountError as exc:
            flash(str(exc), "danger")
        else:
            flash(f"Created {user.name} ({user.role.label}).", "success")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        flash("Please correct the highlighted fields.", "danger")
    all_users = db.session.scalars(select(User).order_by(User.role, User.name)).all()
    return render_template("admin/users.html", users=all_users, form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if not form.is_submitted():
        form.role.data = user.role.value
        form.active.data = user.is_active_account
    if form.validate_on_submit():
        try:
            service.update_user(
                user,
                name=form.name.data,
                role=Role(form.role.data),
                team=form.team.data,
                active=form.active.data,
                acting=current_user,
            )
            if form.new_password.data:
                service.set_password(user, form.new_password.data, acting=current_user)
        except service.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/edit_user.html", user=user, form=form)


def _audit_filters() -> tuple[AuditFilterForm, audit_log.AuditFilter | None]:
    form = AuditFilterForm(request.args)
    form.user.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in audit_log.actors()
    ]
    form.action.choices = [SelectChoice("", "Any action")] + [SelectChoice(a, a) for a in audit_log.actions()]
    if not form.validate():
        return form, None
    user_id = int(form.user.data) if (form.user.data or "").isdigit() else None
    return form, audit_log.AuditFilter(
        user_id=user_id, action=form.action.data or None, start=form.start.data, end=form.end.data
    )


@bp.route("/audit")
@role_required(Role.ADMIN)
def audit():
    form, filters = _audit_filters()
    if filters is None:
        return render_template("admin/audit.html", form=form, result=None, args={}), 400
    result = audit_log.page_of(filters, request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, result=result, args=args)


@bp.route("/audit.csv")
@role_required(Role.ADMIN)
def audit_csv():
    form, filters = _audit_filters()
    if filters is None:
        flash("Please correct the filters before exporting.", "danger")
        return redirect(url_for("admin.audit", **request.args))
    return send_file(
        audit_log.export_csv(filters),
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"hub-audit-{utcnow():%Y%m%d-%H%M%S}.csv",
        max_age=0,
    )
