from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import HiddenField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length


class EmailGateForm(FlaskForm):
    email = EmailField(
        "Your work email",
        validators=[DataRequired("Enter your email to open the document."), Email(), Length(max=254)],
    )
    next = HiddenField()
