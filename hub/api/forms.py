from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from hub.forms import HtmlForm


class ApiTokenForm(HtmlForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(message="Name the token after the tool that will use it."), Length(max=80)],
    )


class RevokeTokenForm(HtmlForm):
    """Only the CSRF token."""
