"""CSV import pages for marketing: upload, map columns, preview, import."""

from __future__ import annotations

from pathlib import Path

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from hub.access import CONTENT_ROLES
from hub.access import role_required
from hub.deals import crm_import
from hub.deals import importer
from hub.deals import parsing
from hub.deals.blueprint import bp
from hub.deals.crm_import import ImportFileError
from hub.deals.crm_import import Options
from hub.deals.forms import ImportRunForm
from hub.deals.forms import ImportUploadForm
from hub.deals.forms import mapping_form
from hub.deals.pending import PendingImport
from hub.deals.pending import PendingImports

PREVIEW_ROWS = 20
MAX_FILE_MB = 20


def _store() -> PendingImports:
    return PendingImports(Path(current_app.instance_path) / "deal-imports")


def _pending(import_id: str) -> PendingImport:
    pending = _store().get(import_id, user_id=current_user.id)
    if pending is None:
        abort(404, "This import is no longer available. Upload the file again.")
    return pending


def _open(pending: PendingImport):
    return importer.open_file(_store().data(pending), pending.preset or "")


@bp.route("/deals/import", methods=["GET", "POST"])
@role_required(*CONTENT_ROLES)
def import_upload():
    form = ImportUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_FILE_MB * 1024 * 1024 + 1)
        if len(data) > MAX_FILE_MB * 1024 * 1024:
            form.file.errors.append(
                f"The file is larger than {MAX_FILE_MB} MB. Split the export and import each part."
            )
            return render_template("deals/import_upload.html", form=form), 413
        try:
            csv_file, preset, mapping = importer.open_file(data, form.preset.data)
        except ImportFileError as exc:
            form.file.errors.append(str(exc))
            return render_template("deals/import_upload.html", form=form), 400
        pending = _store().create(
            data, user_id=current_user.id, filename=form.file.data.filename or "deals.csv"
        )
        pending.preset, pending.mapping = preset, mapping
        _store().save(pending)
        if preset:
            flash(
                f"Recognised a {crm_import.PRESET_LABELS[preset]}; the columns are mapped for you. Check them below.",
                "info",
            )
        return redirect(url_for("deals.import_map", import_id=pending.id))
    status = 400 if form.is_submitted() else 200
    return render_template("deals/import_upload.html", form=form), status


@bp.route("/deals/import/<import_id>/map", methods=["GET", "POST"])
@role_required(*CONTENT_ROLES)
def import_map(import_id: str):
    pending = _pending(import_id)
    csv_file = crm_import.read_csv(_store().data(pending))
    defaults = {f"map_{key}": pending.mapping.get(key) or "" for key in crm_import.TARGET_KEYS}
    form = mapping_form(
        csv_file.headers,
        preset=pending.preset,
        date_format=pending.date_format,
        number_format=pending.number_format,
        **defaults,
    )
    if request.method == "POST" and request.form.get("apply_preset"):
        pending.preset = form.preset.data if form.preset.data in crm_import.PRESETS else ""
        pending.mapping = crm_import.suggest_mapping(csv_file.headers, pending.preset)
        _store().save(pending)
        return redirect(url_for("deals.import_map", import_id=pending.id))
    if form.validate_on_submit():
        mapping = {key: getattr(form, f"map_{key}").data or None for key in crm_import.TARGET_KEYS}
        problems = crm_import.validate_mapping(mapping, csv_file.headers)
        if not problems:
            pending.mapping = mapping
            pending.preset = form.preset.data
            pending.date_format = form.date_format.data
            pending.number_format = form.number_format.data
            _store().save(pending)
            return redirect(url_for("deals.import_preview", import_id=pending.id))
        for problem in problems:
            flash(problem, "danger")
    elif form.is_submitted():
        flash("Please choose from the lists.", "danger")
    samples = {
        h: [values[i] for _l, values in csv_file.rows[:3] if i < len(values)]
        for i, h in enumerate(csv_file.headers)
    }
    return (
        render_template(
            "deals/import_map.html",
            pending=pending,
            form=form,
            csv_file=csv_file,
            samples=samples,
            targets=crm_import.TARGETS,
            required=crm_import.REQUIRED,
        ),
        400 if form.is_submitted() else 200,
    )


def _plan(pending: PendingImport) -> importer.Plan:
    csv_file = crm_import.read_csv(_store().data(pending))
    options = Options(
        preset=pending.preset, date_format=pending.date_format, number_format=pending.number_format
    )
    return importer.build_plan(csv_file, pending.mapping, options)


@bp.route("/deals/import/<import_id>/preview")
@role_required(*CONTENT_ROLES)
def import_preview(import_id: str):
    pending = _pending(import_id)
    try:
        plan = _plan(pending)
    except ImportFileError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("deals.import_map", import_id=pending.id))
    return render_template(
        "deals/import_preview.html",
        pending=pending,
        plan=plan,
        preview_rows=plan.rows[:PREVIEW_ROWS],
        form=ImportRunForm(),
        date_formats=parsing.DATE_FORMATS,
        number_formats=parsing.NUMBER_FORMATS,
        date_choices=_date_choices(plan.options.unsure_dates),
    )


def _date_choices(unsure: list[str]) -> list[tuple[str, str]]:
    """The two readings of the first unsure date, spelled out so nobody has to think in formats."""
    if not unsure:
        return []
    example = unsure[0]
    readings = {code: parsing.parse_date(example, code) for code in ("mdy", "dmy")}
    return [
        (code, f"{label}: {example} is {readings[code].day} {readings[code]:%B %Y} ({where})")
        for code, label, where in (
            ("mdy", "Month first", "as in the US"),
            ("dmy", "Day first", "as in Europe and most of the world"),
        )
    ]


@bp.route("/deals/import/<import_id>/dates", methods=["POST"])
@role_required(*CONTENT_ROLES)
def import_dates(import_id: str):
    """The answer to "month or day first?" for a file whose dates could be read both ways."""
    pending = _pending(import_id)
    form = ImportRunForm()
    choice = request.form.get("date_format")
    if not form.validate_on_submit() or choice not in ("mdy", "dmy"):
        flash("Choose month first or day first.", "danger")
    else:
        pending.date_format = choice
        _store().save(pending)
    return redirect(url_for("deals.import_preview", import_id=pending.id))


@bp.route("/deals/import/<import_id>/run", methods=["POST"])
@role_required(*CONTENT_ROLES)
def import_run(import_id: str):
    pending = _pending(import_id)
    form = ImportRunForm()
    if not form.validate_on_submit():
        flash("Your form session expired; review the preview and import again.", "danger")
        return redirect(url_for("deals.import_preview", import_id=pending.id))
    try:
        plan = _plan(pending)
    except ImportFileError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("deals.import_map", import_id=pending.id))
    if plan.options.unsure_dates:
        flash("Choose how to read the dates before importing.", "danger")
        return redirect(url_for("deals.import_preview", import_id=pending.id))
    summary = importer.run(
        plan, acting=current_user, label=f"CSV import of {pending.filename}", ip_address=request.remote_addr
    )
    _store().delete(pending.id)
    flash(
        f"Import finished: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged"
        + (f", {len(plan.errors)} rows skipped because of errors." if plan.errors else "."),
        "success" if not plan.errors else "warning",
    )
    return render_template("deals/import_done.html", pending=pending, plan=plan, summary=summary)
