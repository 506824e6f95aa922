from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import DateField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from hub.deals import crm_import
from hub.deals import parsing
from hub.models import DealAssetSource
from hub.models import DealStatus

USE_SOURCES = [
    (DealAssetSource.MEETING.value, "Shown in a meeting"),
    (DealAssetSource.EMAIL.value, "Sent by email"),
    (DealAssetSource.OTHER.value, "Other"),
]
PRESET_CHOICES = [
    ("auto", "Detect from the header"),
    *crm_import.PRESET_LABELS.items(),
    ("", "None (map columns myself)"),
]


class DealEditForm(FlaskForm):
    persona_id = SelectField("Primary persona", coerce=int, validators=[Optional()])
    stage_id = SelectField("Buyer-journey stage", coerce=int, validators=[Optional()])


class CloseDealForm(FlaskForm):
    status = SelectField(
        "Outcome",
        choices=[
            (DealStatus.WON.value, "Won"),
            (DealStatus.LOST.value, "Lost"),
            (DealStatus.OPEN.value, "Open (reopen)"),
        ],
        validators=[DataRequired()],
    )
    closed_on = DateField("Close date", validators=[Optional()])


class LogUseForm(FlaskForm):
    asset_id = SelectField(
        "Asset", coerce=int, validators=[DataRequired(message="Choose the asset you used.")]
    )
    deal_id = SelectField("Deal", coerce=int, validators=[DataRequired(message="Choose the deal.")])
    source = SelectField("How it was used", choices=USE_SOURCES, validators=[DataRequired()])
    used_on = DateField("Date", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=500)])


class ImportUploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[
            FileRequired(message="Choose the CSV file exported from your CRM."),
            FileAllowed(
                ["csv", "txt", "tsv"],
                "Upload a .csv file exported from your CRM. Excel workbooks cannot be read: "
                "in Excel use File › Save As › CSV UTF-8.",
            ),
        ],
    )
    preset = SelectField("Format", choices=PRESET_CHOICES, default="auto")


class ImportRunForm(FlaskForm):
    """Only the CSRF token: the file and mapping are already on the server."""


def mapping_form(headers: list[str], **defaults) -> FlaskForm:
    """One select per Hub field listing the file's columns, plus the preset and value formats."""
    column_choices = [("", "— not in the file —"), *[(h, h) for h in headers]]

    class MappingForm(FlaskForm):
        preset = SelectField("Format", choices=[("", "None"), *crm_import.PRESET_LABELS.items()])
        date_format = SelectField("Dates", choices=list(parsing.DATE_FORMATS.items()))
        number_format = SelectField("Amounts", choices=list(parsing.NUMBER_FORMATS.items()))

    for key, label in crm_import.TARGETS:
        setattr(
            MappingForm, f"map_{key}", SelectField(label, choices=column_choices, validators=[Optional()])
        )
    return MappingForm(**defaults)
