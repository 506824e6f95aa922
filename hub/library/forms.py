from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from hub.forms import HtmlForm
from hub.models import AssetType

TYPE_CHOICES = [SelectChoice(t.value, t.label) for t in AssetType]


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class AssetFieldsForm(HtmlForm):
    """The metadata every asset has; choices are filled by the view from the live taxonomy."""

    title = StringField("Title", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    asset_type = SelectField("Type", choices=TYPE_CHOICES, default=AssetType.OTHER.value)
    personas = SelectMultipleField("Personas", coerce=int, validate_choice=True)
    stages = SelectMultipleField("Stages", coerce=int, validate_choice=True)
    tags = StringField(
        "Tags", validators=[Optional(), Length(max=600)], description="Separate tags with commas."
    )
    owner = SelectField("Owner", coerce=_int_or_none, validate_choice=True)
    expires_on = DateField("Expires on", validators=[Optional()])

    def tag_list(self) -> list[str]:
        return [part.strip() for part in (self.tags.data or "").split(",") if part.strip()]


class UploadForm(AssetFieldsForm):
    file = FileField("Files")


class LinkForm(AssetFieldsForm):
    url = URLField("Address (http or https)", validators=[DataRequired(), Length(max=2000)])
    asset_type = SelectField("Type", choices=TYPE_CHOICES, default=AssetType.VIDEO_LINK.value)


class EditForm(AssetFieldsForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    url = URLField("Address (http or https)", validators=[Optional(), Length(max=2000)])


class VersionForm(HtmlForm):
    file = FileField("New file")
    note = StringField("What changed", validators=[Optional(), Length(max=500)])


class ConfirmForm(HtmlForm):
    """A bare form for POST buttons (archive, restore, delete), carrying the CSRF token."""
