from __future__ import annotations

from wtforms import HiddenField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from hub.forms import HtmlForm


class TermForm(HtmlForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    description = StringField("Description", validators=[Optional(), Length(max=500)])


class MoveForm(HtmlForm):
    direction = HiddenField(validators=[DataRequired()])


class ConfirmForm(HtmlForm):
    """POST buttons (retire, un-retire) carrying the CSRF token."""
