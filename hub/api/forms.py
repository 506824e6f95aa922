from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length


class ApiTokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(message="Name the token after the tool that will use it."), Length(max=80)],
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token."""
