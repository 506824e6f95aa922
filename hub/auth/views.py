"""Sign in, sign out, and the user's own profile."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_login.config import COOKIE_NAME

from hub.access import public
from hub.access import role_required
from hub.api import tokens as api_tokens
from hub.api.forms import ApiTokenForm
from hub.api.forms import RevokeTokenForm
from hub.auth import service
from hub.auth.forms import ChangePasswordForm
from hub.auth.forms import LoginForm
from hub.auth.redirects import local_path
from hub.extensions import db
from hub.extensions import limiter
from hub.models import ApiToken

bp = Blueprint("auth", __name__)


ACCOUNT_LIMIT_MESSAGE = "Too many failed sign-ins for this account."


def _account_limit() -> str:
    return current_app.config["HUB_RATELIMIT_LOGIN_ACCOUNT"]


def _account_key() -> str:
    """The account a sign-in is for, as typed (normalized), whether or not it exists."""
    return "account:" + service.normalize_email(request.form.get("email", ""))[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
# only failures count, so the owner signing in is never what uses up the budget
@limiter.limit(
    _account_limit,
    key_func=_account_key,
    methods=["POST"],
    scope="login-account",
    deduct_when=lambda response: response.status_code == 401,
    error_message=ACCOUNT_LIMIT_MESSAGE,
)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(local_path(request.args.get("next")) or url_for("main.home"))
        flash("Wrong email or password.", "danger")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@role_required()
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@role_required()
def profile():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            flash("Your current password is not correct.", "danger")
        else:
            try:
                user = current_user._get_current_object()
                service.set_password(user, form.new_password.data, acting=user)
            except service.AccountError as exc:
                flash(str(exc), "danger")
            else:
                # this session stays signed in; every other one ends with the old password
                login_user(user, remember=_remembered())
                flash("Password changed. Other sessions with the old password are signed out.", "success")
                return redirect(url_for("auth.profile"))
    return _render_profile(form=form)


def _remembered() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies


def _render_profile(*, form=None, token_form=None, new_token: str | None = None, status: int = 200):
    return (
        render_template(
            "auth/profile.html",
            form=form or ChangePasswordForm(formdata=None),
            token_form=token_form or ApiTokenForm(formdata=None),
            revoke_form=RevokeTokenForm(formdata=None),
            api_tokens=api_tokens.tokens_for(current_user),
            new_token=new_token,
        ),
        status,
        # a page showing a new token must not be kept in any cache
        {"Cache-Control": "no-store"} if new_token else {},
    )


@bp.route("/profile/tokens", methods=["POST"])
@role_required()
def create_token():
    token_form = ApiTokenForm()
    if not token_form.validate_on_submit():
        return _render_profile(token_form=token_form, status=400)
    try:
        _token, raw = api_tokens.create_token(
            current_user, token_form.name.data, ip_address=request.remote_addr
        )
    except api_tokens.TokenError as exc:
        token_form.name.errors.append(str(exc))
        return _render_profile(token_form=token_form, status=422)
    # the raw token is rendered once, never stored and never put in the session cookie
    return _render_profile(new_token=raw)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required()
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        api_tokens.revoke_token(token, acting=current_user, ip_address=request.remote_addr)
        flash(f"Revoked the token “{token.name}”. Tools using it can no longer call the API.", "success")
    return redirect(url_for("auth.profile"))
