from __future__ import annotations

from wtforms import EmailField
from wtforms import HiddenField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length

from hub.forms import HtmlForm
from hub.forms import strip_text


class EmailGateForm(HtmlForm):
    email = EmailField(
        "Your work email",
        filters=[strip_text],
        validators=[DataRequired("Enter your email to open the document."), Email(), Length(max=254)],
    )
    next = HiddenField()
