from __future__ import annotations

from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import DateField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from hub.deals import crm_import
from hub.deals import parsing
from hub.forms import HtmlForm
from hub.models import DealAssetSource
from hub.models import DealStatus


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


USE_SOURCES = [
    SelectChoice(DealAssetSource.MEETING.value, "Shown in a meeting"),
    SelectChoice(DealAssetSource.EMAIL.value, "Sent by email"),
    SelectChoice(DealAssetSource.OTHER.value, "Other"),
]
PRESET_CHOICES = [
    SelectChoice("auto", "Detect from the header"),
    *_choices(crm_import.PRESET_LABELS),
    SelectChoice("", "None (map columns myself)"),
]


class DealEditForm(HtmlForm):
    persona_id = SelectField("Primary persona", coerce=int, validators=[Optional()])
    stage_id = SelectField("Buyer-journey stage", coerce=int, validators=[Optional()])


class CloseDealForm(HtmlForm):
    status = SelectField(
        "Outcome",
        choices=[
            SelectChoice(DealStatus.WON.value, "Won"),
            SelectChoice(DealStatus.LOST.value, "Lost"),
            SelectChoice(DealStatus.OPEN.value, "Open (reopen)"),
        ],
        validators=[DataRequired()],
    )
    closed_on = DateField("Close date", validators=[Optional()])


class LogUseForm(HtmlForm):
    asset_id = SelectField(
        "Asset", coerce=int, validators=[DataRequired(message="Choose the asset you used.")]
    )
    deal_id = SelectField("Deal", coerce=int, validators=[DataRequired(message="Choose the deal.")])
    source = SelectField("How it was used", choices=USE_SOURCES, validators=[DataRequired()])
    used_on = DateField("Date", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=500)])


class ImportUploadForm(HtmlForm):
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


class ImportRunForm(HtmlForm):
    """Only the CSRF token: the file and mapping are already on the server."""


def mapping_form(headers: list[str], **defaults) -> HtmlForm:
    """One select per Hub field listing the file's columns, plus the preset and value formats."""
    column_choices = [SelectChoice("", "— not in the file —"), *[SelectChoice(h, h) for h in headers]]

    class MappingForm(HtmlForm):
        preset = SelectField(
            "Format", choices=[SelectChoice("", "None"), *_choices(crm_import.PRESET_LABELS)]
        )
        date_format = SelectField("Dates", choices=_choices(parsing.DATE_FORMATS))
        number_format = SelectField("Amounts", choices=_choices(parsing.NUMBER_FORMATS))

    for key, label in crm_import.TARGETS:
        setattr(
            MappingForm, f"map_{key}", SelectField(label, choices=column_choices, validators=[Optional()])
        )
    return MappingForm(**defaults)
