from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional


class TermForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    description = StringField("Description", validators=[Optional(), Length(max=500)])


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """POST buttons (retire, un-retire) carrying the CSRF token."""
