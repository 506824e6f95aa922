"""Library pages: the content list, the asset page, downloads, previews, edit, archive and delete."""

from __future__ import annotations

from datetime import timedelta

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from hub import preview
from hub import tracking
from hub.access import role_required
from hub.downloads import download_response
from hub.extensions import db
from hub.library import queries
from hub.library import service
from hub.library import upload_views  # noqa: F401  (registers the upload routes on bp)
from hub.library.blueprint import bp
from hub.library.commands import register_commands
from hub.library.forms import ConfirmForm
from hub.library.forms import EditForm
from hub.library.forms import VersionForm
from hub.library.helpers import fill_choices
from hub.library.helpers import form_errors
from hub.library.helpers import load_into
from hub.library.helpers import metadata_from
from hub.models import Asset
from hub.models import AssetType
from hub.models import EventKind
from hub.models import Persona
from hub.models import Role
from hub.models import Stage
from hub.models import utcnow
from hub.routing import parse_id
from hub.storage import StorageError
from hub.uploads import DOCX
from hub.uploads import TEXT_TYPES
from hub.uploads import UploadRejected

__all__ = ["bp"]

register_commands(bp)
PER_PAGE = 25
TEXT_PREVIEW_CHARS = 20_000
MAX_PREVIEW_PAGES = 30


@bp.route("/library")
@role_required(Role.ADMIN, Role.MARKETER)
def index():
    filters = queries.parse_filters(request.args)
    page = parse_id(request.args.get("page")) or 1
    pagination = db.paginate(
        queries.library_query(filters), page=max(page, 1), per_page=PER_PAGE, error_out=False
    )
    days = current_app.config["HUB_EXPIRY_WARNING_DAYS"]
    return render_template(
        "library/index.html",
        pagination=pagination,
        filters=filters,
        personas=queries.all_terms(Persona),
        stages=queries.all_terms(Stage),
        owners=queries.content_owners(),
        types=list(AssetType),
        expiring=queries.expiring_soon(current_user, days),
        warning_days=days,
    )


# loaded with the asset; its lists come from queries.asset_details
ASSET_PAGE_LOADS = (joinedload(Asset.owner), joinedload(Asset.current_version))


@bp.route("/assets/<int:asset_id>")
@role_required()
def asset(asset_id: int):
    item = db.get_or_404(Asset, asset_id, options=ASSET_PAGE_LOADS)
    details = queries.asset_details(item.id)
    details.counts["view"] += 1  # this view, recorded once the page is rendered
    page = render_template(
        "library/asset.html",
        asset=item,
        details=details,
        preview=_preview_for(item),
        version_form=VersionForm(),
        confirm_form=ConfirmForm(),
        new_share_url=_share_url(item),
        expires_soon=_expires_soon(item),
        max_preview_pages=MAX_PREVIEW_PAGES,
    )
    # after rendering: the event's commit would otherwise make the page load the asset and user again
    tracking.record(EventKind.VIEW, user_id=current_user.id, asset_id=item.id)
    return page


def _share_url(item: Asset) -> str | None:
    if item.is_archived:
        return None
    try:
        return url_for("shares.create", asset_id=item.id)
    except BuildError:
        return None


def _expires_soon(item: Asset) -> bool:
    if item.expires_on is None:
        return False
    days = current_app.config["HUB_EXPIRY_WARNING_DAYS"]
    return item.expires_on <= utcnow().date() + timedelta(days=days)


def _preview_for(item: Asset) -> dict:
    version = item.current_version
    if item.is_link or version is None:
        return {"kind": "link" if item.is_link else "none"}
    if preview.can_render(version):
        pages = preview.page_count(version)
        if pages:
            return {"kind": "pages", "pages": pages, "version": version}
    try:
        if version.mime_type == DOCX:
            return {"kind": "html", "html": preview.version_html(version)}
        if version.mime_type == preview.PPTX:
            slides = preview.version_slides(version, limit=MAX_PREVIEW_PAGES)
            return {"kind": "slides", "slides": slides, "pages": version.page_count or len(slides)}
    except (StorageError, preview.PreviewUnavailable) as exc:
        current_app.logger.warning("no preview for version %s: %s", version.id, exc)
    text = queries.text_start(version, TEXT_PREVIEW_CHARS) or ""
    if version.mime_type in TEXT_TYPES or text:
        return {
            "kind": "text",
            "text": text[:TEXT_PREVIEW_CHARS],
            "truncated": len(text) > TEXT_PREVIEW_CHARS,
        }
    return {"kind": "none"}


@bp.route("/assets/<int:asset_id>/download")
@role_required()
def download(asset_id: int):
    item = db.get_or_404(Asset, asset_id)
    if item.is_link:
        tracking.record(EventKind.VIEW, user_id=current_user.id, asset_id=item.id)
        return redirect(item.link_url)
    if item.current_version is None:
        abort(404)
    return _send(item, item.current_version)


@bp.route("/assets/<int:asset_id>/versions/<int:version_id>/download")
@role_required()
def download_version(asset_id: int, version_id: int):
    item = db.get_or_404(Asset, asset_id)
    version = queries.version_of(item, version_id)
    if version is None:
        abort(404)
    return _send(item, version)


def _send(item: Asset, version) -> Response:
    try:
        response = download_response(version)
    except StorageError:
        current_app.logger.exception("blob missing for version %s", version.id)
        abort(404, "The file for this version is missing from storage. Ask an administrator to restore it.")
    tracking.record(EventKind.DOWNLOAD, user_id=current_user.id, asset_id=item.id)
    return response


@bp.route("/assets/<int:asset_id>/versions/<int:version_id>/pages/<int:page>.png")
@role_required()
def page_image(asset_id: int, version_id: int, page: int):
    item = db.get_or_404(Asset, asset_id)
    version = queries.version_of(item, version_id)
    if version is None:
        abort(404)
    width = request.args.get("width", 1200, type=int)
    try:
        png = preview.render_page_png(version, page, width=width)
    except (preview.PreviewUnavailable, StorageError):
        abort(404)
    return _png(png)


@bp.route("/assets/<int:asset_id>/thumbnail.png")
@role_required()
def thumbnail(asset_id: int):
    item = db.get_or_404(Asset, asset_id)
    if item.current_version is None:
        abort(404)
    try:
        png = preview.thumbnail_png(item.current_version)
    except (preview.PreviewUnavailable, StorageError):
        abort(404)
    return _png(png)


def _png(png: bytes) -> Response:
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/assets/<int:asset_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def edit(asset_id: int):
    item = db.get_or_404(Asset, asset_id)
    form = EditForm()
    fill_choices(form, item)
    if not form.is_submitted():
        load_into(form, item)
        form.url.data = item.link_url
    status = 200
    if form.is_submitted():
        if form.validate():
            fields = dict(title=form.title.data, **metadata_from(form))
            if item.is_link:
                fields["link_url"] = form.url.data
            try:
                service.update_asset(item, acting=current_user, **fields)
            except (UploadRejected, ValueError) as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                status = 422
            else:
                flash("Saved.", "success")
                return redirect(url_for("library.asset", asset_id=item.id))
        else:
            flash(form_errors(form), "danger")
            status = 422
    return render_template("library/edit.html", asset=item, form=form), status


@bp.route("/assets/<int:asset_id>/archive", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def archive(asset_id: int):
    item = db.get_or_404(Asset, asset_id)
    if ConfirmForm().validate():
        service.archive_asset(item, current_user)
        flash(f"Archived “{item.title}”. Reps no longer find it; you can restore it at any time.", "success")
    return redirect(url_for("library.asset", asset_id=item.id))


@bp.route("/assets/<int:asset_id>/restore", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def restore(asset_id: int):
    item = db.get_or_404(Asset, asset_id)
    if ConfirmForm().validate():
        service.restore_asset(item, current_user)
        flash(f"Restored “{item.title}”.", "success")
    return redirect(url_for("library.asset", asset_id=item.id))


@bp.route("/assets/<int:asset_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def delete(asset_id: int):
    item = db.get_or_404(Asset, asset_id)
    if not ConfirmForm().validate():
        return redirect(url_for("library.asset", asset_id=item.id))
    title = item.title
    service.delete_asset(item, current_user)
    flash(f"Deleted “{title}” and its versions.", "success")
    return redirect(url_for("library.index"))
