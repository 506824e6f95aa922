"""Upload pages: files (one request per file from the page script, or a plain form), links, new versions."""

from __future__ import annotations

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from hub.access import role_required
from hub.extensions import db
from hub.library import queries
from hub.library import service
from hub.library.blueprint import bp
from hub.library.forms import LinkForm
from hub.library.forms import UploadForm
from hub.library.forms import VersionForm
from hub.library.helpers import asset_json
from hub.library.helpers import fill_choices
from hub.library.helpers import form_errors
from hub.library.helpers import json_error
from hub.library.helpers import json_requested
from hub.library.helpers import metadata_from
from hub.library.pipeline import extraction_note
from hub.models import Asset
from hub.models import Role
from hub.storage import StorageError
from hub.uploads import ALLOWED
from hub.uploads import ALLOWED_DESCRIPTION
from hub.uploads import UploadRejected

STORAGE_DOWN = (
    "The file store cannot be reached right now, so {name} was not saved. Please try again in a moment."
)


def _upload_page(form: UploadForm, link_form: LinkForm, status: int = 200):
    return (
        render_template(
            "library/upload.html",
            form=form,
            link_form=link_form,
            accept=",".join(f".{ext}" for ext in ALLOWED),
            allowed=ALLOWED_DESCRIPTION,
            max_mb=current_app.config["HUB_MAX_UPLOAD_MB"],
        ),
        status,
    )


def _new_forms() -> tuple[UploadForm, LinkForm]:
    form = UploadForm()
    link_form = LinkForm(prefix="link")
    fill_choices(form)
    fill_choices(link_form)
    if not form.is_submitted():
        form.owner.data = current_user.id
    if not link_form.is_submitted():
        link_form.owner.data = current_user.id
    return form, link_form


@bp.route("/library/upload", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def upload():
    form, link_form = _new_forms()
    if request.method == "GET":
        return _upload_page(form, link_form)
    files = [f for f in request.files.getlist("file") if f and f.filename]
    problem = None
    if not files:
        problem = "Choose a file to upload."
    elif not form.validate():
        problem = form_errors(form)
    if problem:
        if json_requested():
            return json_error(422, problem)
        flash(problem, "danger")
        return _upload_page(form, link_form, 422)
    created, rejected = [], []
    for storage_file in files:
        try:
            asset = service.create_file_asset(
                data=storage_file.stream,
                filename=storage_file.filename,
                title=form.title.data if len(files) == 1 else None,
                uploaded_by=current_user,
                **metadata_from(form),
            )
        except UploadRejected as exc:
            rejected.append(str(exc))
        except StorageError:
            current_app.logger.exception("storage failed during an upload")
            rejected.append(STORAGE_DOWN.format(name=storage_file.filename))
        else:
            created.append(asset)
    if json_requested():
        if not created:
            return json_error(422, " ".join(rejected))
        asset = created[0]
        return {"asset": asset_json(asset, queries.duplicates_of(asset)), "rejected": rejected}, 201
    for message in rejected:
        flash(message, "danger")
    if not created:
        return _upload_page(form, link_form, 422)
    for asset in created:
        duplicates = queries.duplicates_of(asset)
        note = f" The same file is already in asset #{duplicates[0]}." if duplicates else ""
        flash(f"Uploaded “{asset.title}”.{note}{extraction_note(asset.current_version)}", "success")
    if len(created) == 1:
        return redirect(url_for("library.asset", asset_id=created[0].id))
    return redirect(url_for("library.index", sort="created"))


@bp.route("/library/links", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def new_link():
    form, link_form = _new_forms()
    if not link_form.validate():
        flash(form_errors(link_form), "danger")
        return _upload_page(form, link_form, 422)
    try:
        asset = service.create_link_asset(
            url=link_form.url.data,
            title=link_form.title.data,
            created_by=current_user,
            **metadata_from(link_form),
        )
    except UploadRejected as exc:
        link_form.url.errors = [str(exc)]
        flash(str(exc), "danger")
        return _upload_page(form, link_form, 422)
    flash(f"Added the link “{asset.title}”.", "success")
    return redirect(url_for("library.asset", asset_id=asset.id))


@bp.route("/assets/<int:asset_id>/versions", methods=["POST"])
@role_required(Role.ADMIN, Role.MARKETER)
def new_version(asset_id: int):
    asset = db.get_or_404(Asset, asset_id)
    form = VersionForm()
    upload_file = request.files.get("file")
    if not form.validate() or upload_file is None or not upload_file.filename:
        flash("Choose the new file to upload.", "danger")
        return redirect(url_for("library.asset", asset_id=asset.id))
    try:
        version = service.add_version(
            asset,
            data=upload_file.stream,
            filename=upload_file.filename,
            uploaded_by=current_user,
            note=form.note.data,
        )
    except UploadRejected as exc:
        flash(str(exc), "danger")
    except StorageError:
        current_app.logger.exception("storage failed during a version upload")
        flash(STORAGE_DOWN.format(name=upload_file.filename), "danger")
    else:
        flash(
            f"Version {version.number} is now the current file. Older versions are kept below."
            f"{extraction_note(version)}",
            "success",
        )
    return redirect(url_for("library.asset", asset_id=asset.id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    limit = current_app.config["HUB_MAX_UPLOAD_MB"]
    message = f"That upload is too large. The limit is {limit} MB per file; send large files one at a time."
    if json_requested():
        return json_error(413, message)
    if request.endpoint == "library.upload":
        flash(message, "danger")
        # the oversized body is not read again; the page is rebuilt without the submitted fields
        form = UploadForm(formdata=None)
        link_form = LinkForm(formdata=None, prefix="link")
        fill_choices(form)
        fill_choices(link_form)
        return _upload_page(form, link_form, 413)
    flash(message, "danger")
    asset_id = (request.view_args or {}).get("asset_id")
    if asset_id:
        return redirect(url_for("library.asset", asset_id=asset_id))
    return redirect(url_for("library.upload"))
