"""The public viewer at /s/<token>: no account, only the share's own assets, every open tracked."""

from __future__ import annotations

from urllib.parse import unquote

import filetype
from flask import Blueprint
from flask import Response
from flask import after_this_request
from flask import current_app
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from hub import preview
from hub.access import public
from hub.auth.redirects import local_path
from hub.downloads import download_response
from hub.extensions import csrf
from hub.models import Asset
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.viewer import content
from hub.viewer import service
from hub.viewer.forms import EmailGateForm

bp = Blueprint("viewer", __name__)

VISIT_COOKIE = "hub_visit"
VISIT_COOKIE_DAYS = 365
SLIDE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


# what every viewer response carries on top of the site-wide headers (beacons' included)
PRIVATE_HEADERS = (("X-Robots-Tag", "noindex, nofollow"), ("Referrer-Policy", "no-referrer"))


@bp.after_request
def _private_headers(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/s/<token>")
@public
def view(token: str):
    share, refusal = _resolve(token)
    if refusal:
        return refusal
    visit = _visit(share, token)
    gate = _gate(share, visit, url_for("viewer.view", token=token))
    if gate:
        return gate
    assets = service.available_assets(share)
    if len(assets) == 1:
        return _show(share, visit, assets[0])
    page = render_template("viewer/room.html", share=share, assets=assets, token=token)
    if visit is not None:
        service.record_open(share, visit, None)
    return page


@bp.route("/s/<token>/a/<int:asset_id>")
@public
def asset(token: str, asset_id: int):
    share, refusal = _resolve(token)
    if refusal:
        return refusal
    item = service.shared_asset(share, asset_id)
    if item is None:
        return _message(404, "Not part of this share", "This document is not part of the link you opened.")
    visit = _visit(share, token)
    gate = _gate(share, visit, url_for("viewer.asset", token=token, asset_id=asset_id))
    if gate:
        return gate
    return _show(share, visit, item)


@bp.route("/s/<token>/email", methods=["POST"])
@public
@csrf.exempt
def email_gate(token: str):
    # exempt from the site-wide check, which insists on a Referer header this no-referrer page never
    # sends over HTTPS; the form still validates its own CSRF token
    share, refusal = _resolve(token)
    if refusal:
        return refusal
    form = EmailGateForm()
    target = _safe_next(token, form.next.data)
    if not form.validate_on_submit():
        return render_template("viewer/gate.html", share=share, form=form, token=token), 400
    visit = _visit(share, token, force=True)
    service.set_viewer_email(visit, form.email.data)
    return redirect(target)


@bp.route("/s/<token>/a/<int:asset_id>/pages/<int:page>.png")
@public
def page_image(token: str, asset_id: int, page: int):
    share, item, refusal = _resource(token, asset_id)
    if refusal:
        return refusal
    if not 1 <= page <= content.page_total(item):
        return _message(404, "No such page", "This page does not exist.")
    try:
        png = content.page_png(item, page)
    except preview.PreviewUnavailable:
        return _message(404, "Page unavailable", "This page cannot be shown.")
    response = make_response(png)
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/s/<token>/a/<int:asset_id>/slides/<int:slide>/<int:index>")
@public
def slide_image(token: str, asset_id: int, slide: int, index: int):
    share, item, refusal = _resource(token, asset_id)
    if refusal:
        return refusal
    slides = content.slides_of(item.current_version) if content.kind_of(item) == "pptx" else []
    if not 1 <= slide <= len(slides) or not 0 <= index < len(slides[slide - 1].images):
        return _message(404, "No such picture", "This picture does not exist.")
    data = slides[slide - 1].images[index]
    kind = filetype.guess(data)
    if kind is None or kind.mime not in SLIDE_IMAGE_TYPES:
        return _message(404, "Picture unavailable", "This picture cannot be shown.")
    response = make_response(data)
    response.mimetype = kind.mime
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/s/<token>/a/<int:asset_id>/download")
@public
def download(token: str, asset_id: int):
    share, item, refusal = _resource(token, asset_id)
    if refusal:
        return refusal
    version = item.current_version
    if not share.allow_download or version is None:
        return _message(403, "Download not offered", "The sender did not offer this document for download.")
    visit = _visit(share, token)
    if visit is not None:
        service.record_download(share, visit, item)
    return download_response(version)


# beacons are answered by hub.viewer.beacon_endpoint in front of Flask; the rule only builds their URL
bp.add_url_rule("/s/<token>/beacon", "beacon", build_only=True)


def _resolve(token: str) -> tuple[ShareLink | None, Response | None]:
    share = service.find_share(token)
    if share is None:
        return None, _message(
            404, "Link not found", "This link does not exist. Check that you copied the whole address."
        )
    if share.is_revoked:
        return share, _gone(share, "This link has been withdrawn by the sender.")
    if share.is_expired():
        return share, _gone(share, "This link has expired.")
    if not service.available_assets(share):
        return share, _gone(share, "The documents behind this link are no longer available.")
    return share, None


def _resource(token: str, asset_id: int) -> tuple[ShareLink | None, Asset | None, Response | None]:
    """A sub-resource (page, picture, download): live link, asset in the share, email gate passed."""
    share, refusal = _resolve(token)
    if refusal:
        return share, None, refusal
    item = service.shared_asset(share, asset_id)
    if item is None:
        return share, None, _message(404, "Not part of this share", "This document is not part of this link.")
    if share.require_email and not current_user.is_authenticated:
        visit = service.find_visit(share, request.cookies.get(VISIT_COOKIE))
        if visit is None or not visit.viewer_email:
            return share, None, _message(403, "Email required", "Open the link and enter your email first.")
    return share, item, None


def _visit(share: ShareLink, token: str, force: bool = False) -> ShareVisit | None:
    """This browser's visit, started (with its cookie) on first sight.

    Link previewers and link checkers sending HEAD get none, and neither do signed-in Hub users
    checking a link (their views are not prospect engagement).
    """
    if (current_user.is_authenticated or request.method == "HEAD") and not force:
        return None
    visit = service.find_visit(share, request.cookies.get(VISIT_COOKIE))
    if visit is not None:
        return visit
    user_agent = request.headers.get("User-Agent")
    if service.is_bot(user_agent) and not force:
        return None
    key = service.new_visitor_key()
    visit = service.start_visit(share, key, user_agent)

    @after_this_request
    def _set_cookie(response: Response) -> Response:
        response.set_cookie(
            VISIT_COOKIE,
            key,
            max_age=VISIT_COOKIE_DAYS * 86400,
            path=url_for("viewer.view", token=token),
            httponly=True,
            samesite="Lax",
            secure=current_app.config["HUB_SECURE_COOKIES"],
        )
        return response

    return visit


def _gate(share: ShareLink, visit: ShareVisit | None, target: str) -> str | None:
    if not share.require_email or current_user.is_authenticated:
        return None
    if visit is not None and visit.viewer_email:
        return None
    form = EmailGateForm(formdata=None, next=target)
    page = render_template("viewer/gate.html", share=share, form=form, token=share.token)
    # no open is recorded behind the gate, so the visit the answer will belong to is stored here
    service.save_visit()
    return page


def _show(share: ShareLink, visit: ShareVisit | None, item: Asset):
    if item.is_link:
        if not item.link_url.lower().startswith(("https://", "http://")):
            return _message(404, "Link unavailable", "This link cannot be opened.")
        if visit is not None:
            service.record_open(share, visit, item)
        return redirect(item.link_url)
    shown = content.build_view(item)
    page = render_template(
        "viewer/asset.html",
        share=share,
        asset=item,
        shown=shown,
        page_urls=_page_image_urls(share.token, item.id, shown.pages) if shown.kind == "pages" else [],
        token=share.token,
        assets=service.available_assets(share),
        baseline={str(page): seconds for page, seconds in service.page_seconds(visit, item).items()},
        tracked=visit is not None,
        preview=current_user.is_authenticated,
    )
    # after rendering: the open's commit would otherwise make the page load the link and its assets again
    if visit is not None:
        service.record_open(share, visit, item)
    return page


def _page_image_urls(token: str, asset_id: int, pages: int) -> list[str]:
    """The image address of every page; one URL build for the deck, not one per page."""
    first = url_for("viewer.page_image", token=token, asset_id=asset_id, page=1)
    stem = first.removesuffix("1.png")
    return [f"{stem}{n}.png" for n in range(1, pages + 1)]


def _safe_next(token: str, target: str | None) -> str:
    """Back to the page behind the gate: a path under this link only ("/s/<token>/../" climbs out)."""
    home = url_for("viewer.view", token=token)
    target = local_path(target)
    if target and (target == home or target.startswith(home + "/")) and "//" not in target:
        if "/." not in unquote(target):
            return target
    return home


def _gone(share: ShareLink, message: str) -> Response:
    return _message(410, "Link no longer available", message, share=share)


def _message(status: int, heading: str, message: str, share: ShareLink | None = None) -> Response:
    body = render_template(
        "viewer/message.html", status=status, heading=heading, message=message, share=share
    )
    return make_response(body, status)
